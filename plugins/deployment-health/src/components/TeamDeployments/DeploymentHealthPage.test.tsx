import { identityApiRef } from '@backstage/frontend-plugin-api';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  exampleClusters,
  exampleGroupHealth,
} from '@shipyard-platform/deployment-health-test-utils';
import { screen } from '@testing-library/react';
import { deploymentHealthApiRef } from '../../api';
import { groupEntity, mockDeploymentHealthApi } from '../../testing';
import { DeploymentHealthPageContent } from './DeploymentHealthPage';

jest.setTimeout(30_000);

describe('DeploymentHealthPageContent', () => {
  it("opens on the signed-in user's team", async () => {
    const api = mockDeploymentHealthApi({
      group: exampleGroupHealth,
      clusters: exampleClusters,
    });
    const catalogApi = catalogApiMock({
      entities: [
        groupEntity,
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'User',
          metadata: { name: 'guest', namespace: 'default' },
          spec: {},
          relations: [
            { type: 'memberOf', targetRef: 'group:default/team-payments' },
          ],
        },
      ],
    });
    const identityApi = {
      getBackstageIdentity: async () => ({
        type: 'user' as const,
        userEntityRef: 'user:development/guest',
        ownershipEntityRefs: ['user:development/guest'],
      }),
      getProfileInfo: async () => ({}),
      getCredentials: async () => ({}),
      signOut: async () => {},
    };
    await renderInTestApp(<DeploymentHealthPageContent />, {
      apis: [
        [deploymentHealthApiRef, api],
        [catalogApiRef, catalogApi],
        [identityApiRef, identityApi],
      ],
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef as any,
      },
    });
    expect(
      await screen.findByRole('table', {
        name: 'Service health by environment',
      }),
    ).toBeInTheDocument();
    expect(api.getGroupHealth).toHaveBeenCalledWith(
      { namespace: 'default', name: 'team-payments' },
      expect.anything(),
    );
    // every cluster, below the team view
    expect(
      await screen.findByRole('table', { name: 'Clusters' }),
    ).toBeInTheDocument();
  });
});
