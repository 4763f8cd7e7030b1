import { test, expect, Page } from '@playwright/test';
import { navigate, proxyHeaders } from './support';

/*
 * The Clusters page in the running portal, on the local clusters dev and
 * prod (scripts/start), as a platform engineer and as a service developer
 * see it: linus (team-platform, in shipyard.tenancy.platformGroups) reads
 * the node details; grace (team-storefront) the cluster health without
 * them. The screenshot kept in plugins/deployment-health/docs is taken after
 * the checks of what it shows.
 */

const shots = 'artifacts/screenshots';
const CLUSTERS = [/^(dev|Development)\b/, /^(prod|Production)\b/];

/** Opens the Clusters page through its sidebar item. */
async function openClustersPage(page: Page) {
  await navigate(page, '/');
  // the sidebar's items (the page header links its title too)
  const sidebar = page.getByTestId('sidebar-root');
  const item = sidebar.getByRole('link', { name: 'Clusters', exact: true });
  await item.click();
  await expect(page).toHaveURL(/\/deployment-health\/clusters$/);
  // its item is the one highlighted, not the team view's above its path
  await expect(item).toHaveAttribute('aria-current', 'page');
  await expect(
    sidebar.getByRole('link', { name: 'Deployments', exact: true }),
  ).not.toHaveAttribute('aria-current', 'page');
}

test.describe('Clusters page, signed in as linus (platform)', () => {
  test.use({ extraHTTPHeaders: proxyHeaders('linus') });

  test('shows dev and prod with their connection, node health, capacity and versions', async ({
    page,
  }) => {
    await openClustersPage(page);
    for (const name of CLUSTERS) {
      const cluster = page.getByRole('region', { name });
      await expect(cluster).toContainText('Watching', { timeout: 60_000 });
      await expect(cluster).toContainText(/Last synced/);
      // the seeded clusters' nodes are all Ready
      await expect(cluster.locator('[data-status]').first()).toHaveAttribute(
        'data-status',
        'Healthy',
      );
      await expect(cluster).toContainText(/(\d+)\/\1 nodes ready/);
      await expect(cluster).toContainText(/API server v\d+\.\d+/);
      await expect(cluster).toContainText(/kubelet \S+/);
      for (const resource of ['CPU', 'Memory', 'Pods'])
        await expect(
          cluster.getByRole('progressbar', {
            name: `${resource} requested of allocatable`,
          }),
        ).toBeVisible();
      await expect(cluster).not.toContainText(
        'shown to the platform team only',
      );
    }
    await page.screenshot({
      path: `${shots}/deployment-health-clusters.png`,
      fullPage: true,
    });
  });
});

test.describe('Clusters page, signed in as grace (team-storefront)', () => {
  test.use({ extraHTTPHeaders: proxyHeaders('grace') });

  test('shows dev and prod with their health and nodes ready, without node details', async ({
    page,
  }) => {
    await openClustersPage(page);
    for (const name of CLUSTERS) {
      const cluster = page.getByRole('region', { name });
      await expect(cluster).toContainText('Watching', { timeout: 60_000 });
      await expect(cluster).toContainText(/(\d+)\/\1 nodes ready/);
      await expect(cluster).toContainText(
        'Node names, versions and capacity are shown to the platform team only.',
      );
      await expect(cluster).not.toContainText(/API server|kubelet/);
      await expect(cluster.getByRole('progressbar')).toHaveCount(0);
    }
  });
});
