import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { apiAs, openTab, openTemplate, proxyHeaders } from './support';

/*
 * Tenant isolation as two users of different teams see it, through the real
 * portal (scripts/start with the local clusters and the test-only
 * app-config.two-users.yaml): grace (team-storefront) may not act for
 * team-payments, nor read the details of its services; ada (team-payments)
 * may. A refusal names the user, the team and the rule, and leaves nothing
 * behind: no namespace, release, repository or catalog entity.
 */

const cluster = path.resolve(__dirname, '../../../scripts/cluster');
const reposDir = path.join(
  process.env.SHIPYARD_CACHE ?? path.join(os.homedir(), '.cache', 'shipyard'),
  'repos',
);

function kubectl(clusterName: string, ...args: string[]): string {
  return execFileSync(cluster, ['kubectl', clusterName, ...args], {
    encoding: 'utf8',
  });
}

/** A namespace's resourceVersion on each cluster, '' where it does not exist. */
function namespaceState(name: string) {
  return ['dev', 'prod'].map(c =>
    kubectl(
      c,
      'get',
      'namespace',
      name,
      '--ignore-not-found',
      '-o',
      'jsonpath={.metadata.resourceVersion}',
    ),
  );
}

/** What only details may reveal of a service: its pods' names, images and messages, read from both clusters. */
function podDetails(id: string) {
  const details = {
    names: [] as string[],
    images: [] as string[],
    messages: [] as string[],
  };
  for (const c of ['dev', 'prod']) {
    const pods = JSON.parse(
      kubectl(
        c,
        'get',
        'pods',
        '-A',
        '-l',
        `backstage.io/kubernetes-id=${id}`,
        '-o',
        'json',
      ),
    ).items;
    for (const pod of pods) {
      details.names.push(pod.metadata.name);
      for (const container of pod.spec.containers)
        details.images.push(container.image);
      for (const status of pod.status.containerStatuses ?? []) {
        for (const state of [status.state, status.lastState]) {
          const message = state?.waiting?.message ?? state?.terminated?.message;
          if (message) details.messages.push(message);
        }
      }
    }
  }
  return details;
}

test.describe('tenant isolation (ada: team-payments, grace: team-storefront)', () => {
  test('grace cannot run the golden path for team-payments: refused at the first step (team check), nothing created, even without a deploy', async ({
    playwright,
  }) => {
    const grace = await apiAs(playwright, 'grace');
    const name = `tn-${Date.now().toString(36)}`;
    const namespacesBefore = namespaceState('team-payments');

    const created = await grace.post('/api/scaffolder/v2/tasks', {
      data: {
        templateRef: 'template:default/node-service',
        values: {
          name,
          description: 'A service grace may not create for another team',
          owner: 'group:default/team-payments',
          environments: ['dev', 'prod'],
          port: 8080,
          postgres: false,
          redis: false,
          ingressHost: '',
          minReplicas: 2,
          maxReplicas: 6,
          size: 'small',
          publishTo: 'local',
          // without a deploy no namespace step runs: the team check alone stops it
          deploy: false,
        },
      },
    });
    expect(created.status(), await created.text()).toBe(201);
    const { id } = await created.json();

    let status = 'open';
    await expect
      .poll(
        async () =>
          (status = (
            await (await grace.get(`/api/scaffolder/v2/tasks/${id}`)).json()
          ).status),
        { timeout: 90_000, intervals: [1_000] },
      )
      .toMatch(/^(failed|completed|cancelled)$/);
    expect(status).toBe('failed');

    const events: any[] = await (
      await grace.get(`/api/scaffolder/v2/tasks/${id}/events`)
    ).json();
    const refusal =
      'User user:default/grace may not act for team group:default/team-payments: not a member of it or of a platform group (shipyard.tenancy.platformGroups)';
    const completion = events.find(e => e.type === 'completion');
    expect(completion.body.error.message).toContain(refusal);
    expect(
      events.some(e => e.body.stepId === 'team' && e.body.status === 'failed'),
    ).toBe(true);
    // No step after it began (the engine logs them as skipped).
    const began = events
      .filter(e => e.body.status === 'processing')
      .map(e => e.body.stepId);
    expect(began).toContain('team');
    for (const step of [
      'fetch-base',
      'namespace',
      'publish-local',
      'register-local',
      'deploy',
    ]) {
      expect(began).not.toContain(step);
    }

    // Another user (ada) may not read grace's task, nor its log: a task's
    // output carries what its steps read (the policy's isTaskOwner rule).
    const ada = await apiAs(playwright, 'ada');
    expect((await ada.get(`/api/scaffolder/v2/tasks/${id}`)).ok()).toBe(false);
    expect((await ada.get(`/api/scaffolder/v2/tasks/${id}/events`)).ok()).toBe(
      false,
    );

    // Nothing behind: namespaces as they were, no release, repository or entity.
    expect(namespaceState('team-payments')).toEqual(namespacesBefore);
    for (const c of ['dev', 'prod']) {
      const releases = JSON.parse(
        execFileSync(cluster, ['helm', c, 'list', '-A', '-o', 'json'], {
          encoding: 'utf8',
        }),
      );
      expect(releases.map((r: any) => r.name)).not.toContain(name);
    }
    expect(fs.existsSync(path.join(reposDir, name))).toBe(false);
    expect(
      (
        await grace.get(
          `/api/catalog/entities/by-name/component/default/${name}`,
        )
      ).status(),
    ).toBe(404);
    const locations = await (await grace.get('/api/catalog/locations')).text();
    expect(locations).not.toContain(name);
  });

  test("deployment health: grace reads only a summary of team-payments' ledger-worker, ada its pods", async ({
    playwright,
  }) => {
    const url = '/api/deployment-health/entity/default/component/ledger-worker';
    const pods = podDetails('ledger-worker');
    expect(pods.names.length).toBeGreaterThan(0);

    // The owner's team gets the details (so the check below can fail).
    const ada = await (await apiAs(playwright, 'ada')).get(url);
    expect(ada.status()).toBe(200);
    const adaText = await ada.text();
    expect(pods.names.some(n => adaText.includes(n))).toBe(true);
    expect(pods.images.some(i => adaText.includes(i))).toBe(true);

    const grace = await (await apiAs(playwright, 'grace')).get(url);
    expect(grace.status()).toBe(200);
    const summary = await grace.json();
    expect(summary.entityRef).toBe('component:default/ledger-worker');
    expect(summary.status).toMatch(
      /^(Healthy|Progressing|Degraded|Failed|Unknown)$/,
    );
    const graceText = JSON.stringify(summary);
    for (const secret of [...pods.names, ...pods.images, ...pods.messages]) {
      expect(graceText).not.toContain(secret);
    }
  });

  test.describe('in the browser, signed in as grace', () => {
    test.use({ extraHTTPHeaders: proxyHeaders('grace') });

    test('the owner field offers only her team; a team-payments service shows no pods', async ({
      page,
    }) => {
      await openTemplate(page, 'Node.js service (TypeScript)');
      // MyGroupsPicker lists the user's groups; with one, it picks and locks it.
      const owner = page.getByRole('textbox', { name: 'Owner' });
      await expect(owner).toHaveValue(/Storefront/);
      await expect(owner).toBeDisabled();

      await openTab(page, '/catalog/default/component/payments-api');
      const sections = page.getByTestId('cluster-section');
      await expect(sections.first()).toBeVisible({ timeout: 60_000 });
      await expect(
        sections.first().locator('[data-status]').first(),
      ).toBeVisible();
      await expect(page.getByRole('table', { name: /^Pods of/ })).toHaveCount(
        0,
      );
      for (const pod of podDetails('payments-api').names) {
        await expect(page.getByText(pod)).toHaveCount(0);
      }
    });
  });
});
