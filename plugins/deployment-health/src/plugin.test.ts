import plugin from './alpha';
import { isDeploymentHealthAvailable } from './index';
import { componentEntity, groupEntity } from './testing';
import { isGroupEntity } from './filters';

describe('deployment-health plugin', () => {
  it('exports the new-frontend-system plugin', () => {
    expect(plugin.pluginId ?? (plugin as any).id).toBe('deployment-health');
  });

  it('provides the documented extensions', () => {
    for (const id of [
      'api:deployment-health',
      'entity-content:deployment-health/entity',
      'entity-content:deployment-health/group',
      'entity-card:deployment-health/summary',
      'page:deployment-health',
      'page:deployment-health/clusters',
    ]) {
      expect(plugin.getExtension(id as any)).toBeDefined();
    }
  });

  it('shows the tab only for entities with the kubernetes annotations', () => {
    expect(isDeploymentHealthAvailable(componentEntity('a'))).toBe(true);
    expect(isDeploymentHealthAvailable(componentEntity('a', false))).toBe(
      false,
    );
    expect(
      isDeploymentHealthAvailable({
        ...componentEntity('a', false),
        metadata: {
          name: 'a',
          annotations: { 'backstage.io/kubernetes-label-selector': 'app=a' },
        },
      }),
    ).toBe(true);
    expect(isGroupEntity(groupEntity)).toBe(true);
    expect(isGroupEntity(componentEntity('a'))).toBe(false);
  });
});
