import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  exampleClusters,
  exampleHealthyEntity,
} from '@shipyard-platform/deployment-health-test-utils';
import { screen } from '@testing-library/react';
import { ReactNode } from 'react';
import { Route, Routes } from 'react-router-dom';
import { deploymentHealthApiRef } from './api';
import {
  DeploymentHealthClustersPage,
  EntityDeploymentHealthCard,
  EntityDeploymentHealthContent,
} from './index';
import { componentEntity, mockDeploymentHealthApi } from './testing';

jest.setTimeout(30_000);

/** Renders `element` in a legacy test app with catalog-api in context; returns the mocked API. */
async function renderForCatalogApi(element: ReactNode) {
  const api = mockDeploymentHealthApi({
    entity: exampleHealthyEntity,
    clusters: exampleClusters,
  });
  await renderInTestApp(
    <TestApiProvider apis={[[deploymentHealthApiRef, api]]}>
      <EntityProvider entity={componentEntity('catalog-api')}>
        {element}
      </EntityProvider>
    </TestApiProvider>,
  );
  return api;
}

// The legacy (@backstage/core-plugin-api) export, in a legacy test app: the
// same tab as the new frontend system's extension, for the entity in context.
describe('legacy EntityDeploymentHealthContent', () => {
  it('renders the service tab for the entity in context', async () => {
    const api = await renderForCatalogApi(
      <Routes>
        <Route path="/" element={<EntityDeploymentHealthContent />} />
      </Routes>,
    );
    expect(
      await screen.findByRole('region', { name: /^production\b/i }),
    ).toBeInTheDocument();
    expect(api.getEntityHealth).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'catalog-api' },
      expect.anything(),
    );
  });
});

// The legacy summary card (a lazy component extension) on an overview page.
describe('legacy EntityDeploymentHealthCard', () => {
  it('summarises each environment of the entity in context', async () => {
    const api = await renderForCatalogApi(<EntityDeploymentHealthCard />);
    const list = await screen.findByRole('list', {
      name: 'Deployments by environment',
    });
    expect(list).toHaveTextContent(/production · prod · \d+\/\d+ ready/);
    expect(api.getEntityHealth).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'catalog-api' },
      expect.anything(),
    );
  });
});

// The legacy Clusters page (a routable extension), mounted as an app mounts it.
describe('legacy DeploymentHealthClustersPage', () => {
  it('renders the clusters with its header', async () => {
    const api = mockDeploymentHealthApi({ clusters: exampleClusters });
    await renderInTestApp(
      <TestApiProvider apis={[[deploymentHealthApiRef, api]]}>
        <Routes>
          <Route
            path="/"
            element={<DeploymentHealthClustersPage refreshIntervalMs={0} />}
          />
        </Routes>
      </TestApiProvider>,
    );
    expect(
      await screen.findByRole('region', { name: 'prod' }),
    ).toHaveTextContent('Watching');
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent(
      'Clusters',
    );
  });
});
