import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { parseAllDocuments, parse } from 'yaml';
import {
  describeIntegration,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import { readRepoFile } from './lib/repo';
import { ClusterEnv, clusterUp, kubectl } from './lib/cluster';
import {
  Backend,
  freePort,
  psql,
  redisCli,
  servicesUp,
  ServicesEnv,
  startBackend,
  waitReady,
} from './lib/backend';

/**
 * The real backend (packages/backend with every plugin) on the production
 * configuration, against real PostgreSQL and Redis started by scripts/services,
 * twice: instances A and B share the databases and the cache. Needs
 * SHIPYARD_INTEGRATION=1; logs go to artifacts/production-tests/backend-{a,b}.log.
 */
jest.setTimeout(900_000);

const RUN_ID = `${Date.now().toString(36)}${process.pid}`;
const DB_PREFIX = `prodtest_${RUN_ID}_`;
const REDIS_NS = `shipyard-prodtest-${RUN_ID}`;
const TOKEN = crypto.randomBytes(24).toString('hex');
const K8S_NS = `prodtest-watch-${RUN_ID}`;
const K8S_ID = `prodtest-${RUN_ID}`;

/** Entities the example locations of app-config.yaml should produce. */
function expectedEntityRefs(): string[] {
  const refs: string[] = [];
  const add = (file: string, kinds: string[]) => {
    for (const doc of parseAllDocuments(readRepoFile(file))) {
      const e = doc.toJS();
      if (e?.kind && kinds.includes(e.kind)) {
        refs.push(
          `${e.kind.toLowerCase()}:${e.metadata.namespace ?? 'default'}/${
            e.metadata.name
          }`,
        );
      }
    }
  };
  add('examples/org.yaml', ['User', 'Group']);
  add('examples/services.yaml', ['Component', 'System', 'API', 'Resource']);
  add('catalog-info.yaml', ['Component']);
  return refs;
}

function dryRunBody(name: string) {
  return {
    template: {
      apiVersion: 'scaffolder.backstage.io/v1beta3',
      kind: 'Template',
      metadata: { name: 'production-dry-run' },
      spec: {
        owner: 'team-platform',
        type: 'service',
        parameters: [
          {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string' } },
          },
        ],
        steps: [
          {
            id: 'fetch',
            name: 'Fetch',
            action: 'fetch:template',
            input: {
              url: './skeleton',
              values: { name: '${{ parameters.name }}' },
            },
          },
          {
            id: 'log',
            name: 'Log',
            action: 'debug:log',
            input: { message: 'created ${{ parameters.name }}' },
          },
        ],
        output: {
          text: [{ title: 'name', content: '${{ parameters.name }}' }],
        },
      },
    },
    values: { name },
    secrets: {},
    directoryContents: [
      {
        path: 'skeleton/catalog-info.yaml',
        base64Content: Buffer.from(
          'metadata:\n  name: ${{ values.name }}\n',
        ).toString('base64'),
      },
    ],
  };
}

describeIntegration(
  'the production backend on PostgreSQL + Redis, two instances',
  () => {
    let services: ServicesEnv;
    let cluster: ClusterEnv;
    let a: Backend;
    let b: Backend;
    const timings: Record<string, number> = {};
    let techdocsSite = '';
    /** The keys this run's instances wrote to the shared Redis. */
    const redisKeys = async () =>
      (
        await redisCli(services.REDIS_URL, [
          '--scan',
          '--pattern',
          `${REDIS_NS}*`,
        ])
      )
        .split('\n')
        .filter(Boolean);

    beforeAll(async () => {
      let t = Date.now();
      services = await servicesUp();
      timings.servicesUpMs = Date.now() - t;
      t = Date.now();
      cluster = await clusterUp('dev');
      timings.clusterUpMs = Date.now() - t;
      // published TechDocs for component:default/shipyard (builder: external)
      const techdocsDir = fs.mkdtempSync(
        path.join(os.tmpdir(), 'shipyard-techdocs-'),
      );
      const site = path.join(techdocsDir, 'default', 'component', 'shipyard');
      fs.mkdirSync(site, { recursive: true });
      techdocsSite = site;
      fs.writeFileSync(
        path.join(site, 'index.html'),
        '<html><body>Shipyard docs v1</body></html>',
      );
      fs.writeFileSync(
        path.join(site, 'techdocs_metadata.json'),
        JSON.stringify({ site_name: 'shipyard', site_description: '' }),
      );

      const common = {
        services,
        dbPrefix: DB_PREFIX,
        redisNamespace: REDIS_NS,
        token: TOKEN,
        cluster,
        techdocsDir,
      };
      const [pa, pb] = [await freePort(), await freePort()];
      t = Date.now();
      // One after the other, as the chart's Deployment starts replicas (maxSurge 1;
      // the HPA adds replicas later): two instances starting at the same moment on
      // an empty database race for knex's migration lock, and the loser's
      // scaffolder plugin fails with MigrationLocked (see deploy/README.md).
      a = await startBackend({ ...common, name: 'backend-a', port: pa });
      timings.readyAMs = await waitReady(a);
      b = await startBackend({ ...common, name: 'backend-b', port: pb });
      timings.readyBMs = await waitReady(b);
      timings.bothReadyMs = Date.now() - t;
    });

    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await kubectl('dev', [
        'delete',
        'namespace',
        K8S_NS,
        '--wait=false',
        '--ignore-not-found',
      ]);
      if (services) {
        const dbs = await psql(
          'postgres',
          `select datname from pg_database where datname like '${DB_PREFIX}%'`,
        );
        for (const [db] of dbs)
          await psql('postgres', `drop database "${db}" with (force)`);
        const keys = await redisKeys();
        if (keys.length) await redisCli(services.REDIS_URL, ['del', ...keys]);
      }
      // eslint-disable-next-line no-console
      console.log(
        `timings: ${JSON.stringify(timings)}; logs: ${a?.logFile}, ${
          b?.logFile
        }`,
      );
    });

    it('both instances serve: liveness and readiness on two ports', async () => {
      expect(a.url).not.toBe(b.url);
      for (const x of [a, b]) {
        for (const p of [
          '/.backstage/health/v1/liveness',
          '/.backstage/health/v1/readiness',
        ]) {
          const r = await fetch(`${x.url}${p}`);
          expect({ x: x.name, p, status: r.status }).toEqual({
            x: x.name,
            p,
            status: 200,
          });
        }
        // the only error: the frontend bundle is not built for this test (the image builds it)
        const errors = x
          .events()
          .filter(e => e.level === 'error')
          .map(e => e.message);
        expect(
          errors.filter(m => !/Can't serve static app content/.test(m)),
        ).toEqual([]);
      }
    });

    it('ran the migrations in PostgreSQL: one database per plugin, migrations recorded, locks released', async () => {
      const dbs = (
        await psql(
          'postgres',
          `select datname from pg_database where datname like '${DB_PREFIX}%' order by 1`,
        )
      ).map(r => r[0].slice(DB_PREFIX.length));
      expect(dbs).toEqual(
        expect.arrayContaining([
          'auth',
          'catalog',
          'scaffolder',
          'search',
          'permission',
          'app',
        ]),
      );
      for (const plugin of ['catalog', 'scaffolder', 'auth']) {
        const [[count]] = await psql(
          `${DB_PREFIX}${plugin}`,
          'select count(*) from knex_migrations',
        );
        expect(Number(count)).toBeGreaterThan(0);
        const [[locked]] = await psql(
          `${DB_PREFIX}${plugin}`,
          'select max(is_locked) from knex_migrations_lock',
        );
        expect(locked).toBe('0');
      }
      // the search index uses PostgreSQL too (search-backend-module-pg)
      const tables = (
        await psql(
          `${DB_PREFIX}search`,
          "select tablename from pg_tables where schemaname = 'public'",
        )
      ).map(r => r[0]);
      expect(tables).toContain('documents');
    });

    it('ingests the example catalog; both instances read the same entities', async () => {
      const expected = expectedEntityRefs();
      expect(expected.length).toBeGreaterThan(5);
      const started = Date.now();
      for (const x of [a, b]) {
        await waitFor(
          async () => {
            const r = await x.fetch(
              '/api/catalog/entities/by-query?limit=1000&fields=kind,metadata.name,metadata.namespace',
            );
            if (!r.ok) return false;
            const items: any[] = (await r.json()).items;
            const have = new Set(
              items.map(
                e =>
                  `${e.kind.toLowerCase()}:${
                    e.metadata.namespace ?? 'default'
                  }/${e.metadata.name}`,
              ),
            );
            const missing = expected.filter(e => !have.has(e));
            return (
              missing.length === 0 && items.some(e => e.kind === 'Template')
            );
          },
          {
            what: `${x.name}: every example entity`,
            timeoutMs: 300_000,
            intervalMs: 2000,
          },
        );
      }
      timings.catalogIngestedMs = Date.now() - started;
      const [[count]] = await psql(
        `${DB_PREFIX}catalog`,
        'select count(*) from final_entities',
      );
      expect(Number(count)).toBeGreaterThanOrEqual(expected.length);
      const r = await b.fetch(
        '/api/catalog/entities/by-name/component/default/shipyard',
      );
      expect(r.status).toBe(200);
    });

    it('runs a scaffolder dry run on either instance', async () => {
      for (const x of [a, b]) {
        const r = await x.fetch('/api/scaffolder/v2/dry-run', {
          method: 'POST',
          body: JSON.stringify(dryRunBody(`svc-${x.name}`)),
        });
        const body = await r.json();
        expect({ x: x.name, status: r.status }).toEqual({
          x: x.name,
          status: 200,
        });
        expect(body.output).toEqual({
          text: [{ title: 'name', content: `svc-${x.name}` }],
        });
        const file = body.directoryContents.find(
          (f: any) => f.path === 'catalog-info.yaml',
        );
        expect(
          parse(Buffer.from(file.base64Content, 'base64').toString()),
        ).toEqual({ metadata: { name: `svc-${x.name}` } });
        expect(body.log.map((l: any) => l.body.message).join('\n')).toContain(
          `created svc-${x.name}`,
        );
      }
    });

    it('Redis is the shared cache: a TechDocs page cached by A is served from Redis by B', async () => {
      const page =
        '/api/techdocs/static/docs/default/component/shipyard/index.html';
      const first = await a.fetch(page);
      expect(first.status).toBe(200);
      expect(await first.text()).toContain('Shipyard docs v1');
      const keys = await waitFor(
        async () => {
          const k = await redisKeys();
          const pageKey = `${REDIS_NS}:techdocs:${Buffer.from(
            'default/component/shipyard/index.html',
          ).toString('base64')}`;
          return k.includes(pageKey) && k;
        },
        { what: 'the page in Redis', timeoutMs: 15_000, intervalMs: 500 },
      );
      // eslint-disable-next-line no-console
      console.log(`Redis keys after A served the page: ${keys.join(', ')}`);
      // the published file changes on disk; B has never served it, yet answers with
      // the copy A put into Redis
      fs.writeFileSync(
        path.join(techdocsSite, 'index.html'),
        '<html><body>Shipyard docs v2</body></html>',
      );
      const second = await b.fetch(page);
      expect(second.status).toBe(200);
      expect(await second.text()).toContain('Shipyard docs v1');
      // a page nobody cached yet comes from disk
      fs.writeFileSync(
        path.join(techdocsSite, 'other.html'),
        '<html><body>fresh</body></html>',
      );
      const other = await b.fetch(
        '/api/techdocs/static/docs/default/component/shipyard/other.html',
      );
      expect(await other.text()).toContain('fresh');
    });

    it('scheduled catalog work is coordinated through PostgreSQL: one task row, one run per trigger', async () => {
      // one row per task in the shared scheduler table, whatever the number of instances
      const rows = await psql(
        `${DB_PREFIX}catalog`,
        'select id, count(*) from backstage_backend_tasks__tasks group by id',
      );
      expect(rows).toContainEqual(['catalog_orphan_cleanup', '1']);
      // both instances report the same global task state (read from the database)
      await waitFor(
        async () => {
          const [sa, sb] = await Promise.all(
            [a, b].map(
              async x =>
                (
                  await (
                    await x.fetch('/api/catalog/.backstage/scheduler/v1/tasks')
                  ).json()
                ).tasks,
            ),
          );
          const pick = (t: any[]) =>
            JSON.stringify(
              t.find(x => x.taskId === 'catalog_orphan_cleanup')?.taskState,
            );
          return (
            sa.length > 0 && pick(sa) === pick(sb) && pick(sa) !== undefined
          );
        },
        {
          what: 'same catalog task state on A and B',
          timeoutMs: 60_000,
          intervalMs: 1000,
        },
      );

      // The catalog search collator (a global task, PT10M) logs each run. Started
      // together, A and B ran its first run once between them...
      const collations = (x: Backend) =>
        x
          .events()
          .filter(e =>
            /^Collating documents for software-catalog via/.test(
              e.message ?? '',
            ),
          ).length;
      const totalRuns = () => collations(a) + collations(b);
      await waitFor(async () => collations(a) + collations(b) >= 1, {
        what: 'the first collation',
        timeoutMs: 60_000,
        intervalMs: 1000,
      });
      await new Promise(r => setTimeout(r, 8000));
      const perInstance: Record<string, number[]> = {
        initial: [collations(a), collations(b)],
      };
      expect(collations(a) + collations(b)).toBe(1);
      // ...and each manual trigger (sent to either instance) runs exactly once.
      for (const [i, x] of [a, b, a].entries()) {
        const before = collations(a) + collations(b);
        const r = await x.fetch(
          '/api/search/.backstage/scheduler/v1/tasks/search_index_software_catalog/trigger',
          { method: 'POST' },
        );
        expect(r.status).toBe(200);
        await waitFor(async () => totalRuns() > before, {
          what: `run ${i + 1}`,
          timeoutMs: 60_000,
          intervalMs: 500,
        });
        await new Promise(res => setTimeout(res, 7000)); // longer than the workers' 5 s poll: a double run would show
        expect(collations(a) + collations(b)).toBe(before + 1);
        perInstance[`trigger${i + 1}`] = [collations(a), collations(b)];
      }
      // eslint-disable-next-line no-console
      console.log(
        `catalog collator runs [A, B] after each step: ${JSON.stringify(
          perInstance,
        )}`,
      );
    });

    it('health API: each instance keeps its own cluster watch cache', async () => {
      const clusters = async (x: Backend) => {
        const r = await x.fetch('/api/deployment-health/clusters');
        expect(r.status).toBe(200);
        return (await r.json()).clusters as any[];
      };
      const dev = async (x: Backend) =>
        (await clusters(x)).find(c => c.name === cluster.name);
      for (const x of [a, b]) {
        const c = await waitFor(
          async () => {
            const d = await dev(x);
            return d?.state === 'ok' && d;
          },
          {
            what: `${x.name}: cluster ${cluster.name} synced`,
            timeoutMs: 120_000,
            intervalMs: 1000,
          },
        );
        expect(c.environment).toBe(cluster.environment);
        expect(c.objectCounts).toBeDefined();
      }
      const deployments = async (x: Backend) =>
        (await dev(x))?.objectCounts?.Deployment ?? 0;
      const before = { a: await deployments(a), b: await deployments(b) };
      const manifest = (replicas: number) =>
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: [
            { apiVersion: 'v1', kind: 'Namespace', metadata: { name: K8S_NS } },
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              metadata: {
                name: 'watched',
                namespace: K8S_NS,
                labels: { 'backstage.io/kubernetes-id': K8S_ID },
              },
              spec: {
                replicas,
                selector: { matchLabels: { app: 'watched' } },
                template: {
                  metadata: {
                    labels: {
                      app: 'watched',
                      'backstage.io/kubernetes-id': K8S_ID,
                    },
                  },
                  spec: {
                    containers: [
                      { name: 'app', image: 'registry.example/watched:1.0.0' },
                    ],
                  },
                },
              },
            },
          ],
        });
      const applied = await kubectl('dev', ['apply', '-f', '-'], manifest(1));
      expect(applied.code).toBe(0);
      // both caches see the new Deployment: each instance has its own watch
      await waitFor(
        async () =>
          (await deployments(a)) >= before.a + 1 &&
          (await deployments(b)) >= before.b + 1,
        {
          what: 'A and B see the new Deployment',
          timeoutMs: 60_000,
          intervalMs: 1000,
        },
      );
      // A goes away; B's cache still follows the cluster on its own
      await a.stop();
      const seen = await deployments(b);
      const deleted = await kubectl('dev', [
        '-n',
        K8S_NS,
        'delete',
        'deployment',
        'watched',
        '--wait=false',
      ]);
      expect(deleted.code).toBe(0);
      await waitFor(async () => (await deployments(b)) <= seen - 1, {
        what: 'B sees the deletion without A',
        timeoutMs: 60_000,
        intervalMs: 1000,
      });
      expect((await dev(b)).state).toBe('ok');
      // B still serves everything else with A gone
      expect(
        (
          await b.fetch(
            '/api/catalog/entities/by-name/component/default/shipyard',
          )
        ).status,
      ).toBe(200);
    });
  },
);
