import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { TeamDeploymentsView } from './TeamDeploymentsView';

/**
 * The "Deployments" tab of a Group entity.
 *
 * @public
 */
export function GroupDeploymentsContent(props: { refreshIntervalMs?: number }) {
  const { entity } = useEntity();
  return (
    <TeamDeploymentsView
      groupRef={stringifyEntityRef(entity)}
      refreshIntervalMs={props.refreshIntervalMs}
    />
  );
}
