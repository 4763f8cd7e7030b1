/** The parameter matrix the template tests cover (each template × these cases). */
export const TEMPLATES = [
  'node-service',
  'python-service',
  'fullstack-service',
] as const;
export type TemplateName = (typeof TEMPLATES)[number];

export type FormValues = {
  name: string;
  description: string;
  owner: string;
  system?: string;
  environments: string[];
  port: number;
  postgres: boolean;
  redis: boolean;
  ingressHost: string;
  minReplicas: number;
  maxReplicas: number;
  size: 'small' | 'medium' | 'large';
  publishTo: 'local' | 'github';
  repoUrl?: string;
  deploy: boolean;
};

const SHORT: Record<TemplateName, string> = {
  'node-service': 'node',
  'python-service': 'py',
  'fullstack-service': 'fs',
};

export const CASES: { id: string; values: (t: TemplateName) => FormValues }[] =
  [
    {
      id: 'minimal: no deps, dev only, small, no ingress',
      values: t => ({
        name: `${SHORT[t]}-minimal`,
        description: 'Minimal service',
        owner: 'group:default/team-payments',
        environments: ['dev'],
        port: 8080,
        postgres: false,
        redis: false,
        ingressHost: '',
        minReplicas: 1,
        maxReplicas: 3,
        size: 'small',
        publishTo: 'local',
        deploy: false,
      }),
    },
    {
      id: 'postgres: dev+prod, medium, ingress, port 3000',
      values: t => ({
        name: `${SHORT[t]}-orders`,
        description: 'Orders: the "source of truth" for #orders',
        owner: 'group:default/team-storefront',
        system: 'system:default/storefront',
        environments: ['dev', 'prod'],
        port: 3000,
        postgres: true,
        redis: false,
        ingressHost: 'orders.example.com',
        minReplicas: 2,
        maxReplicas: 6,
        size: 'medium',
        publishTo: 'local',
        deploy: true,
      }),
    },
    {
      id: 'redis: staging only, large, min=max, GitHub',
      values: t => ({
        name: `${SHORT[t]}-cache`,
        description: 'Caching layer',
        owner: 'team-platform',
        environments: ['staging'],
        port: 8000,
        postgres: false,
        redis: true,
        ingressHost: '',
        minReplicas: 2,
        maxReplicas: 2,
        size: 'large',
        publishTo: 'github',
        repoUrl: 'github.com?owner=example-org&repo=cache',
        deploy: false,
      }),
    },
    {
      id: 'full: postgres+redis, all environments, 40-character name',
      values: t => ({
        name: `${SHORT[t]}-${'x'.repeat(40 - SHORT[t].length - 5)}-end`,
        description: 'Everything: postgres, redis, three environments',
        owner: 'group:default/team-payments',
        system: 'system:default/payments',
        environments: ['dev', 'staging', 'prod'],
        port: 8081,
        postgres: true,
        redis: true,
        ingressHost: 'pay.eu-west.example.com',
        minReplicas: 3,
        maxReplicas: 10,
        size: 'small',
        publishTo: 'local',
        deploy: true,
      }),
    },
  ];

export const teamOf = (owner: string) => owner.replace(/^.*[:/]/, '');
