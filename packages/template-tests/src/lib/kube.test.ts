import {
  K8sObject,
  kubernetesIdViolations,
  podSecurityViolations,
  workloadViolations,
} from './kube';

const bare: K8sObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'svc' },
  spec: {
    selector: { matchLabels: { app: 'svc' } },
    template: {
      metadata: { labels: { app: 'svc' } },
      spec: { containers: [{ name: 'app', image: 'svc:1.0.0' }] },
    },
  },
};

describe('the chart baselines', () => {
  it('splits the policy rules into pod security and the rest', () => {
    const pss = podSecurityViolations([bare]);
    const workload = workloadViolations([bare]);
    expect(pss).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\[k8s\.pss\.run-as-non-root\]/),
        expect.stringMatching(/^\[k8s\.read-only-root-filesystem\]/),
      ]),
    );
    expect(pss.some(v => v.startsWith('[k8s.pdb]'))).toBe(false);
    expect(workload).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\[k8s\.pdb\]/),
        expect.stringMatching(/^\[k8s\.network-policy\]/),
        expect.stringMatching(/^\[k8s\.resources\.cpu-limit\]/), // warnings count too
      ]),
    );
    expect(workload.some(v => v.startsWith('[k8s.pss.'))).toBe(false);
  });

  it('adds what the golden-path chart promises beyond the policy', () => {
    expect(workloadViolations([bare])).toEqual(
      expect.arrayContaining([
        'Deployment/svc app: startupProbe missing',
        'Deployment/svc app: metrics port missing',
        'Deployment/svc: no Service targets its pods',
      ]),
    );
  });

  it('gets from the policy the zero resources, zero grace period and hostless Ingress rules it rejects', () => {
    const deployment = {
      ...bare,
      spec: {
        ...bare.spec,
        template: {
          ...bare.spec.template,
          spec: {
            terminationGracePeriodSeconds: 0,
            containers: [
              {
                name: 'app',
                image: 'svc:1.0.0',
                resources: {
                  requests: { cpu: 0, memory: '128Mi' },
                  limits: { cpu: '500m', memory: '0' },
                },
              },
            ],
          },
        },
      },
    };
    const ingress: K8sObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'svc' },
      spec: {
        tls: [{ hosts: ['svc.example.com'] }],
        rules: [{ http: { paths: [] } }],
      },
    };
    expect(workloadViolations([deployment, ingress])).toEqual(
      expect.arrayContaining([
        '[k8s.resources] Deployment/svc: container "app": resources requests.cpu, limits.memory must be above 0',
        '[k8s.rollout.termination-grace-period] Deployment/svc: terminationGracePeriodSeconds must be above 0 (is 0)',
        '[k8s.ingress.tls] Ingress/svc: a rule without host is not covered by spec.tls (set rules[].host)',
      ]),
    );
  });

  it('wants what the policy lets pass: an explicit RollingUpdate, PDB and NetworkPolicy selecting the pods by label, Services that front them', () => {
    const objects: K8sObject[] = [
      {
        ...bare,
        spec: {
          ...bare.spec,
          replicas: null,
          strategy: { rollingUpdate: { maxUnavailable: '0%' } },
        },
      },
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'svc' },
        spec: { selector: {} },
      },
      {
        // an empty podSelector: a default-deny, fine beside the service's own
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'default-deny' },
        spec: { podSelector: {} },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'svc' },
        spec: {
          podSelector: {
            matchExpressions: [{ key: 'app', operator: 'In', values: ['svc'] }],
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'svc' },
        spec: { selector: { app: 'svc' }, ports: [{ port: 80 }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'external' },
        spec: { ports: [{ port: 80 }] },
      },
      {
        apiVersion: 'autoscaling/v1',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'svc' },
        spec: {
          scaleTargetRef: { kind: 'Deployment', name: 'svc' },
          minReplicas: 1,
          maxReplicas: 2,
        },
      },
    ];
    const violations = workloadViolations(objects);
    const POLICY_RULES_THAT_ACCEPT_THIS =
      /^\[k8s\.(rollout\.strategy|rollout\.max-unavailable|pdb|network-policy|service\.selector|hpa\.replicas)\]/;
    expect(
      violations.filter(v => POLICY_RULES_THAT_ACCEPT_THIS.test(v)),
    ).toEqual([]);
    expect(violations).toEqual(
      expect.arrayContaining([
        'Deployment/svc: RollingUpdate with maxUnavailable 0 missing',
        'Deployment/svc: renders replicas: null although an HPA targets it',
        'HPA svc: not autoscaling/v2',
        'Deployment/svc: no PodDisruptionBudget selects its pods',
        'Deployment/svc: no NetworkPolicy targets its pods',
        'Service/external: selects no pods',
      ]),
    );
  });

  it('wants the kubernetes-id label with the service name on every object', () => {
    expect(kubernetesIdViolations([bare], 'svc')).toEqual([
      'Deployment/svc: label backstage.io/kubernetes-id=svc missing',
      'Deployment/svc: pod template label backstage.io/kubernetes-id=svc missing',
    ]);
  });
});
