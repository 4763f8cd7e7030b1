import {
  getEntityKubernetesMatch,
  isDeploymentHealthAvailable,
} from './annotations';

const entity = (annotations: Record<string, string>) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', annotations },
});

describe('getEntityKubernetesMatch', () => {
  it('matches like upstream: selector, then kubernetes-id, then the entity name', () => {
    expect(
      getEntityKubernetesMatch(
        entity({
          'backstage.io/kubernetes-label-selector': 'app=x',
          'backstage.io/kubernetes-id': 'y',
        }),
      ),
    ).toEqual({
      type: 'labelSelector',
      labelSelector: 'app=x',
    });
    expect(
      getEntityKubernetesMatch(
        entity({
          'backstage.io/kubernetes-id': 'pay',
          'backstage.io/kubernetes-namespace': 'payments',
          'backstage.io/kubernetes-cluster': 'prod',
        }),
      ),
    ).toEqual({
      type: 'kubernetesId',
      kubernetesId: 'pay',
      namespace: 'payments',
      cluster: 'prod',
    });
    expect(getEntityKubernetesMatch(entity({}))).toEqual({
      type: 'kubernetesId',
      kubernetesId: 'payments-api',
    });
  });

  it('knows when an entity is set up for kubernetes', () => {
    expect(
      isDeploymentHealthAvailable(
        entity({ 'backstage.io/kubernetes-id': 'x' }),
      ),
    ).toBe(true);
    expect(isDeploymentHealthAvailable(entity({}))).toBe(false);
  });
});
