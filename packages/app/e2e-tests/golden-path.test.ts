import { test, expect, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { navigate, openTab, rowStatuses, signIn } from './support';

/*
 * The golden path as a user walks it: create a service from the Node template,
 * watch the task validate, prepare the namespace, publish, register and deploy
 * it, find it in the catalog with its deployment healthy in the dev cluster, and
 * see it in the owning team's view. Needs the portal started by scripts/start
 * with the local clusters (scripts/test does both).
 */

const backend = 'http://localhost:7007';
const shots = 'artifacts/screenshots';
const reposDir = path.join(
  process.env.SHIPYARD_CACHE ?? path.join(os.homedir(), '.cache', 'shipyard'),
  'repos',
);

// Unique per run so a re-run never meets the previous run's repository.
const name = `gp-${Date.now().toString(36)}`;
// Quotes, a colon and a '#' must survive the form, the templates and YAML.
const description = 'Greets "everyone": the #1 hello service';
// The guest's own team: the owner picker offers only the user's groups.
const team = 'team-payments';

/** Backstage API call as the signed-in guest (token from the session cookie). */
async function api(page: Page, pathname: string) {
  const refresh = await page.request.get(`${backend}/api/auth/guest/refresh`);
  const { token } = (await refresh.json()).backstageIdentity;
  return page.request.get(`${backend}${pathname}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
}

async function fillServiceStep(page: Page, serviceName: string) {
  await page.getByRole('textbox', { name: 'Name' }).fill(serviceName);
  await page.getByRole('textbox', { name: 'Description' }).fill(description);
  // MyGroupsPicker offers the guest's groups only; with one group (Payments)
  // it is chosen already.
  await expect(page.getByRole('textbox', { name: 'Owner' })).toHaveValue(
    /Payments|team-payments/,
  );
}

async function openNodeTemplate(page: Page) {
  await navigate(page, '/create');
  // The innermost element holding both the template's title and a Choose
  // button is its card.
  const card = page
    .locator('div')
    .filter({
      has: page.getByRole('heading', { name: 'Node.js service (TypeScript)' }),
    })
    .filter({ has: page.getByRole('button', { name: 'Choose' }) })
    .last();
  await card.getByRole('button', { name: 'Choose' }).click();
  await expect(
    page.getByRole('heading', { name: 'Node.js service (TypeScript)' }),
  ).toBeVisible();
}

test.describe.configure({ mode: 'serial' });

// Leave the shared dev cluster and the repository folder as they were.
test.afterAll(() => {
  const cluster = path.resolve(__dirname, '../../../scripts/cluster');
  execFileSync(cluster, [
    'helm',
    'dev',
    'uninstall',
    name,
    '-n',
    team,
    '--ignore-not-found',
  ]);
  fs.rmSync(path.join(reposDir, name), { recursive: true, force: true });
});

test('create a Node service, find it in the catalog, see it healthy', async ({
  page,
}) => {
  test.setTimeout(10 * 60_000);
  await signIn(page);

  // 1. Create → Node service template
  await openNodeTemplate(page);
  await page.screenshot({ path: `${shots}/golden-path-1-template.png` });

  // 2. The form: service, runtime (defaults), repository and deployment (defaults)
  await fillServiceStep(page, name);
  await page.screenshot({ path: `${shots}/golden-path-2-form.png` });
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(
    page
      .getByRole('group', { name: 'Environments' })
      .or(page.getByText('Environments'))
      .first(),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByText('Publish to').first()).toBeVisible();
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByText(description).first()).toBeVisible();
  await page.getByRole('button', { name: 'Create' }).click();

  // 3. The task runs to the end
  await expect(page).toHaveURL(/\/create\/tasks\/[^/]+$/);
  const taskId = page.url().split('/').pop()!;
  await expect(page.getByRole('link', { name: 'Open in catalog' })).toBeVisible(
    {
      timeout: 6 * 60_000,
    },
  );
  await page.screenshot({
    path: `${shots}/golden-path-3-task.png`,
    fullPage: true,
  });

  // Its log tells each step's story (read through the scaffolder API).
  const events = await (
    await api(page, `/api/scaffolder/v2/tasks/${taskId}/events`)
  ).json();
  const log = (step: string) =>
    events
      .filter((e: any) => e.type === 'log' && e.body.stepId === step)
      .map((e: any) => e.body.message)
      .join('\n');
  expect(
    events.some(
      (e: any) =>
        e.type === 'completion' && /status: completed/.test(e.body.message),
    ),
  ).toBe(true);
  expect(log('validate')).toMatch(/Policy: 0 error\(s\)/);
  expect(log('namespace')).toContain(team);
  expect(log('publish-local')).toContain(name);
  expect(log('register-local')).toMatch(/Registering .*catalog-info\.yaml/);
  expect(log('deploy')).toMatch(/Deployed .* revision \d+/);
  expect(log('status')).toMatch(/Healthy/);

  // 4. The new component: exact description, right owner, healthy in dev
  await page.getByRole('link', { name: 'Open in catalog' }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
  await expect(
    page.getByText(description, { exact: true }).first(),
  ).toBeVisible();
  const entity = await (
    await api(page, `/api/catalog/entities/by-name/component/default/${name}`)
  ).json();
  expect(entity.metadata.description).toBe(description);
  expect(entity.spec.owner).toMatch(new RegExp(`(group:(default/)?)?${team}$`));
  await page.screenshot({
    path: `${shots}/golden-path-4-entity.png`,
    fullPage: true,
  });

  await openTab(page, `/catalog/default/component/${name}`);
  // The dev cluster's own chip (the first in its section) turns Healthy once
  // the new HPA has its first metrics; the tab refreshes itself every 10 s.
  const dev = page.getByRole('region', { name: /^development\b/i });
  await expect(dev.locator('[data-status]').first()).toHaveAttribute(
    'data-status',
    'Healthy',
    { timeout: 4 * 60_000 },
  );
  await page.screenshot({
    path: `${shots}/golden-path-5-deployments.png`,
    fullPage: true,
  });

  // 5. The owning team's view lists it with its status
  await openTab(page, `/catalog/default/group/${team}`);
  const table = page.getByRole('table', {
    name: 'Service health by environment',
  });
  const row = table.getByTestId('service-row').filter({ hasText: name });
  await expect(row).toBeVisible({ timeout: 60_000 });
  // deployed to dev only (healthy, as the tab showed); nothing in production
  await expect
    .poll(() => rowStatuses(table, name), { timeout: 60_000 })
    .toMatchObject({
      Overall: 'Healthy',
      development: 'Healthy',
      production: '-',
    });
  await page.screenshot({
    path: `${shots}/golden-path-6-team.png`,
    fullPage: true,
  });
});

test('an invalid name is refused by the form and creates nothing', async ({
  page,
}) => {
  const invalid = 'Not_A_DNS_Name';
  await signIn(page);
  const tasksBefore = (
    await (await api(page, '/api/scaffolder/v2/tasks')).json()
  ).totalTasks;

  await openNodeTemplate(page);
  await fillServiceStep(page, invalid);
  await page.getByRole('button', { name: 'Next' }).click();

  // Still on the first step, the rule named beside the field
  await expect(
    page.getByText(/must match pattern|lowercase letters, digits and/i).first(),
  ).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Name' })).toHaveValue(
    invalid,
  );
  await page.screenshot({
    path: `${shots}/golden-path-7-invalid-name.png`,
    fullPage: true,
  });

  // Nothing was created: no task, no repository, no entity.
  expect(
    (await (await api(page, '/api/scaffolder/v2/tasks')).json()).totalTasks,
  ).toBe(tasksBefore);
  expect(fs.existsSync(path.join(reposDir, invalid))).toBe(false);
  expect(
    (
      await api(
        page,
        `/api/catalog/entities/by-name/component/default/${invalid.toLowerCase()}`,
      )
    ).status(),
  ).toBe(404);
});
