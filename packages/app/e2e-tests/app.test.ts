import { test, expect } from '@playwright/test';

const exampleServices = [
  'payments-api',
  'ledger-worker',
  'storefront-web',
  'catalog-api',
  'checkout-api',
  'auth-gateway',
  'notifications',
];

test('a guest sees the example services and opens one', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  // the landing page is the catalog, at /catalog like the sidebar's link
  await expect(page).toHaveURL(/\/catalog(\?.*)?$/);

  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await nav.getByRole('link', { name: 'Catalog', exact: true }).click();
  await expect(page).toHaveURL(/\/catalog(\?.*)?$/);
  // The guest belongs to team-payments, so the catalog opens on "Owned".
  await page.getByRole('menuitem', { name: /^All \d+$/ }).click();

  for (const service of exampleServices) {
    await expect(
      page.getByRole('link', { name: service, exact: true }),
    ).toBeVisible();
  }

  await page.getByRole('link', { name: 'payments-api', exact: true }).click();
  await expect(
    page.getByRole('heading', { name: 'payments-api' }),
  ).toBeVisible();
  await expect(
    page.getByText('Card payments and refunds API').first(),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: /team-payments/ }).first(),
  ).toBeVisible();

  await page.screenshot({
    path: 'artifacts/screenshots/foundation-entity-page.png',
    fullPage: true,
  });
});
