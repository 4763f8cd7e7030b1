import { test, expect, Page } from '@playwright/test';
import { navigate, openTab, rowStatuses, signIn } from './support';

/*
 * Deployment health in the running portal, on the local clusters dev and prod
 * as `scripts/cluster seed` leaves them (scripts/start seeds them; see
 * scripts/cluster.d/examples-chart/values-*.yaml): payments-api healthy in
 * both, ledger-worker crash-looping in prod. An empty or error state is a
 * failure here, not an alternative; the screenshots kept in docs/images are
 * taken after the checks of what they show.
 */

const shots = 'artifacts/screenshots';

/** Waits for the tab's cluster sections, with no cluster in error. */
async function expectData(page: Page) {
  await expect(page.getByTestId('cluster-section').first()).toBeVisible({
    timeout: 60_000,
  });
  await expect(page.getByText('No Kubernetes cluster configured')).toHaveCount(
    0,
  );
  await expect(page.getByTestId('cluster-error')).toHaveCount(0);
}

test.describe('deployment health', () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page);
  });

  test('service tab: healthy payments-api and failing ledger-worker', async ({
    page,
  }) => {
    // The summary card on the overview page: both environments, healthy,
    // every desired pod ready.
    await navigate(page, '/catalog/default/component/payments-api');
    const card = page.getByRole('list', { name: 'Deployments by environment' });
    await expect(card).toBeVisible({ timeout: 60_000 });
    const cardItem = (env: RegExp) =>
      card.getByRole('listitem').filter({ hasText: env });
    await expect(card.getByRole('listitem')).toHaveCount(2);
    for (const env of [/production · prod · /, /development · dev · /]) {
      await expect(cardItem(env).locator('[data-status]')).toHaveAttribute(
        'data-status',
        'Healthy',
      );
      await expect(cardItem(env)).toHaveText(/ · (\d+)\/\1 ready/);
    }
    await page.screenshot({
      path: `${shots}/deployment-health-overview-card.png`,
      fullPage: true,
    });

    await openTab(page, '/catalog/default/component/payments-api');
    await expect(
      page.getByRole('heading', { name: 'Deployments', level: 2 }),
    ).toBeVisible();
    await expectData(page);

    const prod = page.getByRole('region', { name: /^production\b/i });
    await expect(prod).toBeVisible();
    await expect(prod.locator('[data-status="Healthy"]').first()).toBeVisible();
    await expect(
      prod
        .getByText(/updated · \d+ ready · \d+ available of \d+ desired/)
        .first(),
    ).toBeVisible();
    await expect(prod.getByRole('table', { name: /^Pods of/ })).toBeVisible();
    await expect(
      page.getByRole('region', { name: /^development\b/i }),
    ).toBeVisible();
    // expand a pod: its containers show
    await prod
      .getByRole('button', { name: /^Show containers of/ })
      .first()
      .click();
    await expect(
      prod.getByRole('table', { name: /^Containers of/ }),
    ).toBeVisible();
    await page.screenshot({
      path: `${shots}/deployment-health-service-healthy.png`,
      fullPage: true,
    });

    await openTab(page, '/catalog/default/component/ledger-worker');
    await expectData(page);
    const failing = page.getByRole('region', { name: /^production\b/i });
    await expect(
      failing.locator('[data-status="Failed"]').first(),
    ).toBeVisible();
    await expect(failing.getByText(/CrashLoopBackOff/).first()).toBeVisible();
    await page.screenshot({
      path: `${shots}/deployment-health-service-failing.png`,
      fullPage: true,
    });
  });

  test('team view: team-payments group tab', async ({ page }) => {
    await openTab(page, '/catalog/default/group/team-payments');
    const view = page.getByTestId('team-deployments');
    await expect(view).toBeVisible();
    const table = page.getByRole('table', {
      name: 'Service health by environment',
    });
    await expect(table).toBeVisible({ timeout: 60_000 });
    await expect(
      table.getByRole('link', { name: /payments-api/ }),
    ).toBeVisible();
    await expect(
      table.getByRole('link', { name: /ledger-worker/ }),
    ).toBeVisible();

    // Problems first: the failing ledger-worker is listed before payments-api
    await expect(page.getByTestId('cluster-error')).toHaveCount(0);
    await expect
      .poll(() => rowStatuses(table, 'ledger-worker'), { timeout: 60_000 })
      .toMatchObject({ Overall: 'Failed', production: 'Failed' });
    await expect
      .poll(() => rowStatuses(table, 'payments-api'), { timeout: 60_000 })
      .toEqual({
        Overall: 'Healthy',
        development: 'Healthy',
        production: 'Healthy',
      });
    const rows = await table.getByTestId('service-row').allTextContents();
    const ledger = rows.findIndex(r => r.includes('ledger-worker'));
    const payments = rows.findIndex(r => r.includes('payments-api'));
    expect(ledger).toBeLessThan(payments);
    await page.screenshot({
      path: `${shots}/deployment-health-team.png`,
      fullPage: true,
    });
  });
});

test("team view page opens on the guest user's team; the picker switches teams", async ({
  page,
}) => {
  await signIn(page);
  await navigate(page, '/deployment-health');
  await expect(
    page.getByRole('heading', { name: 'Team deployments' }),
  ).toBeVisible();
  const picker = page.getByRole('textbox', { name: 'Team', exact: true });
  await expect(picker).toHaveValue(/Payments|team-payments/);
  const table = page.getByRole('table', {
    name: 'Service health by environment',
  });
  await expect(table).toBeVisible({ timeout: 60_000 });

  // The whole engineering department, sub-teams included.
  await picker.click();
  await page.getByRole('option', { name: /engineering/i }).click();
  await expect(
    page.getByRole('heading', { name: 'Deployments of engineering' }),
  ).toBeVisible();
  await expect
    .poll(() => table.getByTestId('service-row').count(), { timeout: 60_000 })
    .toBeGreaterThanOrEqual(7);
  // What the README's screenshot shows: the seeded states, not just rows
  await expect(page.getByTestId('cluster-error')).toHaveCount(0);
  await expect
    .poll(() => rowStatuses(table, 'payments-api'), { timeout: 60_000 })
    .toEqual({
      Overall: 'Healthy',
      development: 'Healthy',
      production: 'Healthy',
    });
  await expect
    .poll(() => rowStatuses(table, 'ledger-worker'), { timeout: 60_000 })
    .toMatchObject({ Overall: 'Failed', production: 'Failed' });
  // Below the team: every configured cluster, watched and confirmed current
  const clusters = page.getByRole('table', { name: 'Clusters' });
  for (const name of [/^(dev|Development)\b/, /^(prod|Production)\b/]) {
    const row = clusters.getByRole('row', { name });
    await expect(row).toContainText('Watching');
    await expect(row).toContainText(/Last synced/);
  }
  await page.screenshot({
    path: `${shots}/deployment-health-page.png`,
    fullPage: true,
  });
});
