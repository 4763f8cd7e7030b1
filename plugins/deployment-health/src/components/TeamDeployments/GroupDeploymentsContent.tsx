import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { TeamDeploymentsView } from './TeamDeploymentsView';

/**
 * Props of the "Deployments" tab of a Group entity (team view).
 *
 * @public
 */
export interface EntityGroupDeploymentHealthContentProps {
  /** Auto-refresh interval in ms (default 10 000; 0 disables). */
  refreshIntervalMs?: number;
}

/**
 * The "Deployments" tab of a Group entity.
 *
 * @public
 */
export function GroupDeploymentsContent(
  props: EntityGroupDeploymentHealthContentProps,
) {
  const { entity } = useEntity();
  return (
    <TeamDeploymentsView
      groupRef={stringifyEntityRef(entity)}
      refreshIntervalMs={props.refreshIntervalMs}
    />
  );
}
