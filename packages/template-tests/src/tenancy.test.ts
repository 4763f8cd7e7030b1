/*
 * The golden path's team check (its first step, shipyard:team:check) and its
 * namespace step, run by the real scaffolder engine with the real actions:
 * nothing runs for a team the user does not belong to, and the namespace
 * step acts only for the signed-in
 * user's teams, only on the cluster the task deploys to, and not at all
 * without a deploy. The catalog holds the example organisation
 * (examples/org.yaml). No cluster is configured, so an action that got past
 * its checks would stop at cluster selection: a refusal proves nothing reached
 * a cluster.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { scaffolderModule } from '@shipyard-platform/backstage-plugin-scaffolder-backend-module-shipyard';
import { CASES, TEMPLATES } from './lib/matrix';
import { loadTemplates, REPO_ROOT, Scaffolder } from './lib/scaffolder';

jest.setTimeout(120_000);

const ORG = YAML.parseAllDocuments(
  fs.readFileSync(path.join(REPO_ROOT, 'examples/org.yaml'), 'utf8'),
)
  .map(d => d.toJS())
  .filter(Boolean);

let scaffolder: Scaffolder;
beforeAll(async () => {
  scaffolder = await Scaffolder.start({
    extraFeatures: [scaffolderModule],
    entities: ORG,
  });
});
afterAll(async () => {
  await scaffolder?.dispose();
});

const onlyNamespaceStep = (a: string) => a === 'shipyard:kubernetes:namespace';
const values = (template: (typeof TEMPLATES)[number], deploy: boolean) => ({
  ...CASES[0].values(template),
  owner: 'group:default/team-payments',
  deploy,
});
/** What the dry run reports: its log lines and errors as one text. */
const report = (r: Awaited<ReturnType<Scaffolder['dryRun']>>) =>
  JSON.stringify({ log: r.log, error: r.error, errors: r.errors });

describe('golden path: the namespace step acts only for the user’s teams', () => {
  it.each(TEMPLATES)(
    '%s: the owner field offers the signed-in user’s groups; the step targets only the dev cluster, and only when deploying',
    name => {
      const { entity } = loadTemplates().get(name)!;
      const owner = entity.spec.parameters[0].properties.owner;
      expect(owner['ui:field']).toBe('MyGroupsPicker');
      const step = entity.spec.steps.find(s => s.id === 'namespace')!;
      expect(step.if).toBe(
        "${{ parameters.deploy and ('dev' in parameters.environments) }}",
      );
      expect(step.input).toMatchObject({
        team: '${{ parameters.owner }}',
        clusters: ['dev'],
      });
    },
  );

  it.each(TEMPLATES)(
    '%s: grace (team-storefront) is refused for team-payments with the team and the rule',
    async name => {
      const result = await scaffolder.dryRun(name, values(name, true), {
        keepActions: onlyNamespaceStep,
        as: 'user:default/grace',
      });
      expect(result.status).toBe(403);
      const text = report(result);
      expect(text).toContain(
        'User user:default/grace may not act for team group:default/team-payments: not a member of it or of a platform group (shipyard.tenancy.platformGroups)',
      );
      // refused before the clusters were looked at
      expect(text).not.toContain('cluster');
    },
  );

  it('ada (team-payments) passes the team check and targets the dev cluster only', async () => {
    const result = await scaffolder.dryRun(
      'node-service',
      values('node-service', true),
      { keepActions: onlyNamespaceStep, as: 'user:default/ada' },
    );
    expect(result.status).toBe(400);
    const text = report(result);
    expect(text).not.toContain('may not act for team');
    expect(text).toContain('Invalid clusters: unknown cluster \\"dev\\"');
  });

  it.each([true, false])(
    'the first step checks the team: grace is refused for team-payments before any other step (deploy %s)',
    async deploy => {
      const { entity } = loadTemplates().get('node-service')!;
      expect(entity.spec.steps[0]).toMatchObject({
        action: 'shipyard:team:check',
        input: { team: '${{ parameters.owner }}' },
      });
      // the team check and the fetch steps after it, as the given user
      const runAs = (user: string) =>
        scaffolder.dryRun('node-service', values('node-service', deploy), {
          keepActions: a =>
            a === 'shipyard:team:check' || a.startsWith('fetch:'),
          as: user,
        });
      const result = await runAs('user:default/grace');
      expect(result.status).toBe(403);
      const text = report(result);
      expect(text).toContain(
        'User user:default/grace may not act for team group:default/team-payments',
      );
      // no step after it logged anything: the fetch steps never ran
      expect(result.log ?? []).toEqual([]);

      // ada, a member, goes on through the fetch steps
      const member = await runAs('user:default/ada');
      expect(member.status).toBe(200);
      expect(member.log?.length).toBeGreaterThan(0);
    },
  );

  it('without a deploy the step does not run, so nothing is asked of any cluster', async () => {
    const result = await scaffolder.dryRun(
      'node-service',
      values('node-service', false),
      { keepActions: onlyNamespaceStep, as: 'user:default/grace' },
    );
    expect(result.status).toBe(200);
    const text = report(result);
    expect(text).toContain('Skipping step namespace');
    expect(text).not.toContain('may not act for team');
  });
});
