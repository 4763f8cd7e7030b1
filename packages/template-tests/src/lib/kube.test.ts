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

  it('wants the kubernetes-id label with the service name on every object', () => {
    expect(kubernetesIdViolations([bare], 'svc')).toEqual([
      'Deployment/svc: label backstage.io/kubernetes-id=svc missing',
      'Deployment/svc: pod template label backstage.io/kubernetes-id=svc missing',
    ]);
  });
});
