import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Wait up to three minutes for the new service to be Healthy',
    example: yaml.stringify({
      steps: [
        {
          id: 'status',
          action: 'shipyard:deployment:status',
          name: 'Wait for the rollout',
          input: {
            entityRef: 'component:default/payments-api',
            cluster: 'dev',
            waitSeconds: 180,
          },
        },
      ],
    }),
  },
  {
    description: "Check once in one of the owner team's namespaces",
    example: yaml.stringify({
      steps: [
        {
          id: 'status',
          action: 'shipyard:deployment:status',
          name: 'Check health',
          input: {
            entityRef: 'component:default/payments-api',
            namespace: 'team-payments',
            cluster: 'dev',
          },
        },
      ],
    }),
  },
];
