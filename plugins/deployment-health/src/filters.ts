import { Entity } from '@backstage/catalog-model';
import { isDeploymentHealthAvailable as hasKubernetesAnnotations } from '@shipyard-platform/backstage-plugin-deployment-health-common';

/**
 * True when the entity carries `backstage.io/kubernetes-id` or
 * `backstage.io/kubernetes-label-selector` (the same annotations as
 * `@backstage/plugin-kubernetes`). Use it to show the Deployments tab.
 *
 * @public
 */
export function isDeploymentHealthAvailable(entity: Entity): boolean {
  return hasKubernetesAnnotations(entity);
}

/** True for Group entities (team view tab). @public */
export function isGroupEntity(entity: Entity): boolean {
  return entity.kind.toLocaleLowerCase('en-US') === 'group';
}
