import {
  APIRequestContext,
  expect,
  Locator,
  Page,
  Playwright,
} from '@playwright/test';

/** Signs in as the guest user from the portal's front page. */
export async function signIn(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(page.getByRole('button', { name: 'Enter' })).toBeHidden();
  await expect(
    page.getByRole('link', { name: 'Catalog', exact: true }).first(),
  ).toBeVisible();
}

/** Loads a page; the guest session is restored (or re-entered). */
export async function navigate(page: Page, path: string) {
  await page.goto(path);
  const enter = page.getByRole('button', { name: 'Enter' });
  const nav = page.getByRole('link', { name: 'Catalog', exact: true });
  await expect(enter.or(nav).first()).toBeVisible();
  if (await enter.isVisible()) await enter.click();
}

/**
 * The status (data-status of the first chip) in each column of a service's
 * row of the team table "Service health by environment": `Overall` and one
 * entry per environment column, '-' where the cell has no chip (Not deployed).
 */
export async function rowStatuses(
  table: Locator,
  service: string,
): Promise<Record<string, string>> {
  const headers = (await table.locator('thead th').allTextContents()).map(h =>
    h.trim(),
  );
  const row = table.getByTestId('service-row').filter({ hasText: service });
  await expect(row).toHaveCount(1);
  const cells = row.locator(':scope > th, :scope > td');
  const statuses: Record<string, string> = {};
  for (let i = 1; i < headers.length; i++) {
    const chip = cells.nth(i).locator('[data-status]').first();
    statuses[headers[i]] =
      (await chip.count()) > 0
        ? (await chip.getAttribute('data-status')) ?? '?'
        : '-';
  }
  return statuses;
}

/** Opens an entity page's Deployments tab. */
export async function openTab(page: Page, entityPath: string) {
  await navigate(page, entityPath);
  // The entity page's tab (not the sidebar's "Deployments" page link). On
  // service pages it sits in the "Deployment" tab group, beside Kubernetes.
  const nav = page.getByRole('navigation', { name: 'Content navigation' });
  const group = nav.getByRole('button', { name: 'Deployment', exact: true });
  const tab = nav.getByRole('link', { name: 'Deployments', exact: true });
  await expect(group.or(tab).first()).toBeVisible();
  if (await group.isVisible()) {
    await group.click();
    await page
      .getByRole('menuitemradio', { name: 'Deployments', exact: true })
      .click();
  } else {
    await tab.click();
  }
  await expect(page).toHaveURL(/\/deployments$/);
}

export const backend = 'http://localhost:7007';

/**
 * What the authenticating proxy of app-config.two-users.yaml forwards for a
 * user of the example org (examples/org.yaml), e.g. ada (team-payments) or
 * grace (team-storefront). A browser context with these headers is signed in
 * as that user; one without them gets the guest sign-in.
 */
export function proxyHeaders(user: string) {
  return { 'x-forwarded-user': user };
}

/**
 * A client of the portal's backend signed in as `user`: the Backstage token
 * comes from the oauth2Proxy provider, which only the test-only
 * app-config.two-users.yaml turns on (playwright.config.ts starts the portal
 * with it).
 */
export async function apiAs(
  playwright: Playwright,
  user: string,
): Promise<APIRequestContext> {
  const anonymous = await playwright.request.newContext();
  try {
    const res = await anonymous.get(`${backend}/api/auth/oauth2Proxy/refresh`, {
      headers: proxyHeaders(user),
    });
    if (!res.ok()) {
      throw new Error(
        `sign-in as ${user} failed (HTTP ${res.status()}: ${await res.text()}); is the portal running with app-config.two-users.yaml?`,
      );
    }
    const { token } = (await res.json()).backstageIdentity;
    return await playwright.request.newContext({
      baseURL: backend,
      extraHTTPHeaders: { Authorization: `Bearer ${token}` },
    });
  } finally {
    await anonymous.dispose();
  }
}

/** Opens a software template's form from the Create page. */
export async function openTemplate(page: Page, title: string) {
  await navigate(page, '/create');
  // The innermost element holding both the template's title and a Choose
  // button is its card.
  const card = page
    .locator('div')
    .filter({ has: page.getByRole('heading', { name: title }) })
    .filter({ has: page.getByRole('button', { name: 'Choose' }) })
    .last();
  await card.getByRole('button', { name: 'Choose' }).click();
  await expect(page.getByRole('heading', { name: title })).toBeVisible();
}
