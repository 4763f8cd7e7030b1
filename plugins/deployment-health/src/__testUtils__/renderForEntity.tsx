import { Entity } from '@backstage/catalog-model';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { ReactElement } from 'react';
import { DeploymentHealthApi, deploymentHealthApiRef } from '../api';

/**
 * Renders `element` in a test app with `entity` in context and `api` as the
 * deployment-health API. (Here, not in ../testing.tsx, because only
 * `__testUtils__` may import the devDependency frontend-test-utils.)
 */
export function renderForEntity(
  element: ReactElement,
  entity: Entity,
  api: DeploymentHealthApi,
) {
  return renderInTestApp(
    <EntityProvider entity={entity}>{element}</EntityProvider>,
    { apis: [[deploymentHealthApiRef, api]] },
  );
}
