import { expect, Page } from '@playwright/test';

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
