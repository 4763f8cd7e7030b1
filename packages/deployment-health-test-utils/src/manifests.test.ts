import { labelledDeployment } from './manifests';

describe('labelledDeployment', () => {
  it('is a namespace and a Deployment the portal finds by its kubernetes-id', () => {
    expect(labelledDeployment('probe', 'dh-it')).toEqual({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dh-it' } },
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: {
            name: 'probe',
            namespace: 'dh-it',
            labels: { 'backstage.io/kubernetes-id': 'probe' },
          },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: 'probe' } },
            template: {
              metadata: {
                labels: { app: 'probe', 'backstage.io/kubernetes-id': 'probe' },
              },
              spec: {
                containers: [
                  {
                    name: 'app',
                    image: 'ghcr.io/shipyard-examples/probe:1.0.0',
                  },
                ],
              },
            },
          },
        },
      ],
    });
  });

  it('takes replicas, image, extra Deployment labels and container fields', () => {
    const [, deployment] = labelledDeployment('web', 'ns', {
      replicas: 2,
      image: 'ghcr.io/shipyard-examples/web:2.0.0',
      labels: { 'helm.sh/chart': 'web-2.0.0' },
      container: { name: 'web', env: [{ name: 'A', value: 'b' }] },
    }).items as any[];
    expect(deployment.metadata.labels).toEqual({
      'backstage.io/kubernetes-id': 'web',
      'helm.sh/chart': 'web-2.0.0',
    });
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.containers).toEqual([
      {
        name: 'web',
        image: 'ghcr.io/shipyard-examples/web:2.0.0',
        env: [{ name: 'A', value: 'b' }],
      },
    ]);
  });
});
