/*
 * Shipyard dropped into a fresh Backstage app, as a platform engineer does it:
 * build and pack our packages, publish them to a real npm registry (Verdaccio),
 * create an app with @backstage/create-app at the release we test, follow the
 * package READMEs' install steps literally (the marked snippets, see
 * readmeSteps.ts), then start the app's backend, build its frontends and look at
 * them in Chromium. One `it` per step, named after it, so a README step that does
 * not work in a fresh app fails with its name.
 *
 * Run by `scripts/test` as its own stage (SHIPYARD_DROP_IN=1); see README.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, Browser } from 'playwright-core';
import { waitFor } from '@shipyard-platform/deployment-health-test-utils';
import { startTestCluster } from '@shipyard-platform/test-cluster';
import { applyStep } from './applyStep';
import {
  bumpToTestedBackstage,
  createFreshApp,
  duplicateBackstagePackages,
  REPO_ROOT,
  run,
  RunningBackend,
  startBackend,
} from './freshApp';
import { publishTarball, Registry, SCOPE, startRegistry } from './registry';
import { readmeSteps, ReadmeStep } from './readmeSteps';

/** The published packages, in the order the install guide (docs/install.md) takes them. */
const PACKAGES = [
  'plugins/deployment-health-common',
  'plugins/deployment-health-node',
  'plugins/deployment-health-backend',
  'plugins/permission-backend-module-shipyard',
  'plugins/scaffolder-backend-module-shipyard',
  'templates/golden-path',
  'plugins/deployment-health',
];
const README_ORDER = [
  'plugins/deployment-health-backend',
  'plugins/permission-backend-module-shipyard',
  'plugins/scaffolder-backend-module-shipyard',
  'templates/golden-path',
  'plugins/deployment-health',
];
const TEMPLATES = ['node-service', 'python-service', 'fullstack-service'];
const REGISTRY_PORT = 24873;
const BACKEND_PORT = 7107;
const LEGACY_APP = 'packages/app-legacy';
/** The example component of the frontend README's "Verify it works". */
const SERVICE = 'my-service';
/** Its owner team's namespace: the group's name (`guests`), as Shipyard reads it. */
const SERVICE_NAMESPACE = 'guests';

const enabled = process.env.SHIPYARD_DROP_IN === '1';
const describeDropIn = enabled ? describe : describe.skip;

jest.setTimeout(20 * 60_000);

let workDir = '';
let appDir = '';
let tarballs = '';
// The fresh app is a developer's first install, not a CI check of a lockfile:
// yarn must write it (CI=true would make installs immutable).
// jest's NODE_ENV=test would also reach the app's build, where it selects no
// browserslist environment (and rspack then fails on the query).
const env: NodeJS.ProcessEnv = {
  ...process.env,
  YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
};
for (const name of Object.keys(env)) {
  if (/^(CI|NODE_ENV|JEST_.*|YARN_NPM_.*|npm_config_registry)$/.test(name))
    delete env[name];
}
let registry: Registry | undefined;
let backend: RunningBackend | undefined;
let browser: Browser | undefined;

// A step that cannot run because an earlier one failed says so, instead of
// failing with a confusing error of its own.
let brokenAt: string | undefined;
let stockDuplicates: string[] = [];
function step(name: string, fn: () => Promise<void> | void) {
  // eslint-disable-next-line jest/expect-expect -- the assertions are in fn
  it(name, async () => {
    if (brokenAt) throw new Error(`not run: "${brokenAt}" failed`);
    try {
      await fn();
    } catch (error) {
      brokenAt = name;
      throw error;
    }
  });
}

/** Each README's marked steps, applied to the app(s) they concern. */
function readmeStepsInOrder(): ReadmeStep[] {
  return README_ORDER.flatMap(dir =>
    readmeSteps(
      fs.readFileSync(path.join(REPO_ROOT, dir, 'README.md'), 'utf8'),
      `${path.basename(dir)} README`,
    ),
  );
}

const toLegacy = (text: string) =>
  text.replace(/packages\/app(?=[/\s]|$)/g, LEGACY_APP);
const touchesApp = (s: ReadmeStep) =>
  /packages\/app(?=[/\s]|$)/.test(
    s.action.kind === 'run' ? s.body : s.action.file,
  );

function apply(s: ReadmeStep) {
  const legacy = { env, mapPath: toLegacy, mapCommand: toLegacy };
  if (s.system === 'legacy') applyStep(appDir, s, legacy);
  else applyStep(appDir, s, { env });
  if (!s.system && touchesApp(s)) applyStep(appDir, s, legacy);
}

/** A guest's Backstage token, as the sign-in page gets it. */
async function guestToken(url: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  if (!res.ok)
    throw new Error(`guest sign-in: ${res.status} ${await res.text()}`);
  return ((await res.json()) as any).backstageIdentity.token;
}

async function api(path_: string, init: RequestInit = {}) {
  const token = await guestToken(backend!.url);
  const res = await fetch(`${backend!.url}${path_}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });
  const body = await res.text();
  if (!res.ok)
    throw new Error(`${init.method ?? 'GET'} ${path_}: ${res.status} ${body}`);
  return JSON.parse(body);
}

afterAll(async () => {
  await browser?.close();
  await backend?.stop();
  await registry?.stop();
  if (workDir && !brokenAt)
    fs.rmSync(workDir, { recursive: true, force: true });
  else if (workDir)
    console.log(`drop-in work directory kept for a look: ${workDir}`);
});

describeDropIn('Shipyard in a fresh Backstage app', () => {
  step('builds and packs every published package', () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-drop-in-'));
    appDir = path.join(workDir, 'app');
    tarballs = path.join(workDir, 'tarballs');
    fs.mkdirSync(tarballs);
    run('yarn', ['tsc'], REPO_ROOT, env);
    for (const dir of PACKAGES) {
      const cwd = path.join(REPO_ROOT, dir);
      const pkg = JSON.parse(
        fs.readFileSync(path.join(cwd, 'package.json'), 'utf8'),
      );
      if (pkg.scripts?.build) run('yarn', ['build'], cwd, env);
      const out = path.join(tarballs, `${path.basename(dir)}.tgz`);
      run('yarn', ['pack', '--out', out], cwd, env);
      const files = run('tar', ['tzf', out], cwd, env).trim().split('\n');
      const unexpected = files.filter(f => !allowedInTarball(pkg, f));
      expect({ package: pkg.name, unexpected }).toEqual({
        package: pkg.name,
        unexpected: [],
      });
      if (!pkg.scripts?.build) {
        // Packing drops some dotfiles (.gitignore, .github) silently; a
        // skeleton must arrive whole.
        const missing = listFiles(cwd, pkg.files)
          .map(f => `package/${f}`)
          .filter(f => !files.includes(f));
        expect({ package: pkg.name, missing }).toEqual({
          package: pkg.name,
          missing: [],
        });
      }
      const size = fs.statSync(out).size;
      console.log(
        `${pkg.name}: ${files.length} files, ${(size / 1024).toFixed(
          1,
        )} KiB packed`,
      );
    }
  });

  step('publishes them to a local Verdaccio', async () => {
    registry = await startRegistry(
      path.join(workDir, 'registry'),
      REGISTRY_PORT,
    );
    for (const file of fs.readdirSync(tarballs)) {
      publishTarball(registry, path.join(tarballs, file));
    }
    const meta = await (
      await fetch(
        `${registry.url}/${SCOPE}%2fbackstage-plugin-deployment-health`,
      )
    ).json();
    expect(Object.keys((meta as any).versions)).toHaveLength(1);
  });

  step(
    'creates a fresh app with @backstage/create-app at the tested release',
    () => {
      const tested = JSON.parse(
        fs.readFileSync(path.join(REPO_ROOT, 'backstage.json'), 'utf8'),
      ).version;
      expect(createFreshApp(appDir, env)).toBe(tested);
      // The registry is the test's environment, not an install step: the fresh app
      // resolves every package through Verdaccio, which has our scope and proxies the rest.
      fs.appendFileSync(
        path.join(appDir, '.yarnrc.yml'),
        [
          `npmRegistryServer: "${registry!.url}"`,
          'npmScopes:',
          '  shipyard-platform:',
          `    npmRegistryServer: "${registry!.url}"`,
          'unsafeHttpWhitelist:',
          '  - "127.0.0.1"',
          '',
        ].join('\n'),
      );
      // create-app here is the newest this registry has (0.9.2, release 1.55.0);
      // a stock app of it does not start (plugin-signals-backend 0.3.x, resolved
      // to its newest, needs the httpRouter of a newer backend-defaults), so the
      // app takes the release this repository runs on, as versions:bump would.
      bumpToTestedBackstage(appDir);
      forgetCachedShipyardPackages();
      forgetMetadataOfOtherLocalRegistries();
      run('yarn', ['install'], appDir, env);
      stockDuplicates = duplicateBackstagePackages(appDir);
    },
  );

  for (const s of enabled ? readmeStepsInOrder() : []) {
    step(s.name, () => apply(s));
  }

  step('adds no second version of any @backstage package', () => {
    // A stock app of the release already resolves some @backstage packages
    // twice (1.x ranges float to the newest release, whose packages need new
    // majors of others); Shipyard must not add to that.
    const duplicates = duplicateBackstagePackages(appDir);
    const list = (d: string[]) => (d.length ? `: ${d.join('; ')}` : '');
    console.log(
      `duplicate @backstage/* versions: ${
        stockDuplicates.length
      } in the stock app${list(stockDuplicates)}\n${
        duplicates.length
      } after installing Shipyard${list(duplicates)}`,
    );
    expect(duplicates.filter(d => !stockDuplicates.includes(d))).toEqual([]);
  });

  step('builds both frontends', () => {
    run('yarn', ['workspace', 'app', 'build'], appDir, env);
    run('yarn', ['workspace', 'app-legacy', 'build'], appDir, env);
  });

  step(
    'starts a local cluster with a Deployment of the example service',
    async () => {
      // The README's cluster config reads its values from these variables, as a
      // platform engineer's deployment would.
      const cluster = await startTestCluster('dev');
      Object.assign(env, {
        K8S_DEV_URL: cluster.server,
        K8S_DEV_TOKEN: cluster.readerToken,
        K8S_DEV_DEPLOYER_TOKEN: cluster.deployerToken,
        K8S_DEV_CA_DATA: cluster.caData,
      });
      await cluster.apply(exampleDeployment());
      const rollout = await cluster.kubectl(
        '-n',
        SERVICE_NAMESPACE,
        'rollout',
        'status',
        `deployment/${SERVICE}`,
        '--timeout=120s',
      );
      expect(rollout).toContain('successfully rolled out');
    },
  );

  step(
    'starts the backend with no error or warning from Shipyard',
    async () => {
      backend = await startBackend(appDir, env, BACKEND_PORT);
      const ours = backend
        .logs()
        .split('\n')
        .filter(line => /\b(warn|error)\b/i.test(line))
        .filter(line => /deployment-health|shipyard/i.test(line));
      expect(ours).toEqual([]);
    },
  );

  step('answers GET /clusters for a signed-in guest', async () => {
    const body = await api('/api/deployment-health/clusters');
    expect(body.clusters).toEqual([
      expect.objectContaining({
        name: 'dev',
        environment: 'development',
        state: 'ok',
      }),
    ]);
  });

  step('lists every shipyard:* action in the scaffolder', async () => {
    const actions: { id: string }[] = await api('/api/scaffolder/v2/actions');
    const ours = actions
      .map(a => a.id)
      .filter(id => id.startsWith('shipyard:'));
    expect(ours.sort()).toEqual(documentedActions().sort());
  });

  for (const name of TEMPLATES) {
    step(
      `registers the ${name} template and renders it in a dry run`,
      async () => {
        const template = await waitForEntity(`template/default/${name}`);
        const result = await api('/api/scaffolder/v2/dry-run', {
          method: 'POST',
          body: JSON.stringify({
            template,
            values: dryRunValues(name),
            secrets: {},
            directoryContents: templateFiles(),
          }),
        });
        const files: string[] = result.directoryContents.map(
          (f: any) => f.path,
        );
        expect(files).toEqual(
          expect.arrayContaining([
            'Dockerfile',
            'catalog-info.yaml',
            'chart/Chart.yaml',
          ]),
        );
      },
    );
  }

  step(
    'new frontend: a service page has the Deployments tab, the page opens',
    async () => {
      await checkFrontend('Team deployments');
    },
  );

  step(
    'legacy frontend: a service page has the Deployments tab, the page opens',
    async () => {
      await backend!.stop();
      backend = await startBackend(
        appDir,
        { ...env, APP_CONFIG_app_packageName: 'app-legacy' },
        BACKEND_PORT,
      );
      // The legacy page has the header of its own (the new system's page
      // takes its title from the app's nav instead).
      await checkFrontend('Deployment health');
    },
  );
});

/**
 * What a published tarball may hold: built code and types, the config schema
 * (prepack compiles config.d.ts into config.schema.json), README, manifest.
 */
function allowedInTarball(pkg: any, file: string): boolean {
  const rel = file.replace(/^package\//, '');
  const meta = [
    'package.json',
    'README.md',
    'CHANGELOG.md',
    'config.d.ts',
    'config.schema.json',
  ];
  if (meta.includes(rel)) return true;
  if (!pkg.scripts?.build) {
    // The templates ship their skeletons as they are (a generated service's own
    // tests included), and only what `files` lists.
    return (pkg.files ?? []).some(
      (f: string) => rel === f || rel.startsWith(`${f}/`),
    );
  }
  if (/(^|\/)(__fixtures__|__testUtils__|__mocks__)\//.test(rel)) return false;
  if (/\.test\.|setupTests/.test(rel)) return false;
  // knex migrations run from the package at start-up (resolvePackagePath)
  if (/^migrations\/[^/]+\.js$/.test(rel))
    return pkg.files?.includes('migrations');
  return rel.startsWith('dist/');
}

/**
 * Every run publishes the same versions with new contents; yarn's global cache
 * would hand the app an earlier run's tarball of the same version (there is no
 * lockfile checksum yet to tell them apart), so ours leave it first.
 */
function forgetCachedShipyardPackages() {
  const cache = run(
    'yarn',
    ['config', 'get', 'cacheFolder'],
    appDir,
    env,
  ).trim();
  for (const file of fs.existsSync(cache) ? fs.readdirSync(cache) : []) {
    if (file.startsWith(`${SCOPE}-`)) fs.rmSync(path.join(cache, file));
  }
}

/**
 * Yarn keys its npm metadata cache by host, not port: metadata that an earlier
 * run fetched from a registry on another port of 127.0.0.1 (the port moved
 * once) carries that registry's tarball URLs, and yarn would download from a
 * registry that is gone. Those entries go; ours stay, so warm runs stay warm.
 */
function forgetMetadataOfOtherLocalRegistries() {
  const global = run(
    'yarn',
    ['config', 'get', 'globalFolder'],
    appDir,
    env,
  ).trim();
  const npm = path.join(global, 'metadata', 'npm');
  for (const key of fs.existsSync(npm) ? fs.readdirSync(npm) : []) {
    const dir = path.join(npm, key, '127.0.0.1');
    for (const file of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      const ports = text.matchAll(/:\/\/127\.0\.0\.1:(\d+)\//g);
      if ([...ports].some(m => Number(m[1]) !== REGISTRY_PORT))
        fs.rmSync(path.join(dir, file));
    }
  }
}

/** The files below `entries` of `dir`, relative to it. */
function listFiles(dir: string, entries: string[]): string[] {
  return entries.flatMap(entry => {
    const full = path.join(dir, entry);
    if (!fs.statSync(full).isDirectory()) return [entry];
    return fs
      .readdirSync(full, { recursive: true, withFileTypes: true })
      .filter(e => e.isFile())
      .map(e => path.relative(dir, path.join(e.parentPath, e.name)));
  });
}

/** The action ids the scaffolder module's README documents. */
function documentedActions(): string[] {
  const readme = fs.readFileSync(
    path.join(
      REPO_ROOT,
      'plugins/scaffolder-backend-module-shipyard/README.md',
    ),
    'utf8',
  );
  return [
    ...new Set(
      [...readme.matchAll(/^\| `(shipyard:[a-z:-]+)`/gm)].map(m => m[1]),
    ),
  ];
}

function waitForEntity(ref: string) {
  return waitFor(() => api(`/api/catalog/entities/by-name/${ref}`), {
    what: `the catalog entity ${ref}`,
    timeoutMs: 120_000,
    intervalMs: 2000,
  });
}

/** The installed template package's files, as the template editor sends them. */
function templateFiles() {
  const root = path.join(
    appDir,
    'node_modules',
    SCOPE,
    'backstage-golden-path-templates',
  );
  const out: { path: string; base64Content: string }[] = [];
  const walk = (rel: string) => {
    for (const ent of fs.readdirSync(path.join(root, rel), {
      withFileTypes: true,
    })) {
      const p = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) walk(p);
      else
        out.push({
          path: p,
          base64Content: fs.readFileSync(path.join(root, p)).toString('base64'),
        });
    }
  };
  walk('');
  return out;
}

function dryRunValues(name: string) {
  return {
    name: `drop-in-${name.split('-')[0]}`,
    description: 'Made by the drop-in test',
    owner: 'group:default/guests',
    environments: ['dev'],
    port: 8080,
    size: 'small',
    minReplicas: 1,
    maxReplicas: 2,
    publishTo: 'local',
    deploy: false,
  };
}

/**
 * Signs in as guest, opens the annotated example service's Deployments tab and
 * the page; `pageText` is what only this frontend system's page shows.
 */
async function checkFrontend(pageText: string) {
  browser ??= await chromium.launch({
    executablePath: process.env.SHIPYARD_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${backend!.url}/catalog/default/component/${SERVICE}`);
    // The new app shows a sign-in page; the legacy template signs a guest in itself.
    const enter = page.getByRole('button', { name: 'Enter' });
    // The entity page's tab, not the sidebar's page link: in the new frontend
    // system it sits in the "Deployment" tab group, in the legacy one it is a tab.
    const nav = page.getByRole('navigation', { name: 'Content navigation' });
    const group = nav.getByRole('button', { name: 'Deployment', exact: true });
    const tab = page
      .getByRole('tab', { name: 'Deployments', exact: true })
      .or(nav.getByRole('link', { name: 'Deployments', exact: true }));
    const entityPage = group.or(tab).first();
    await enter.or(entityPage).first().waitFor({ timeout: 60_000 });
    if (await enter.isVisible()) await enter.click();
    await entityPage.waitFor({ timeout: 60_000 });
    if (await group.isVisible()) {
      await group.click();
      await page
        .getByRole('menuitemradio', { name: 'Deployments', exact: true })
        .click();
    } else {
      await tab.first().click();
    }
    // The README's cluster, read through the installed backend: the example
    // service's Deployment, healthy in the dev environment.
    await page.getByText('Development').first().waitFor({ timeout: 60_000 });
    await page.getByText('Healthy').first().waitFor({ timeout: 60_000 });
    await page.goto(`${backend!.url}/deployment-health`);
    await page.getByText(pageText).first().waitFor({ timeout: 60_000 });
  } catch (error) {
    await page
      .screenshot({ path: path.join(workDir, `frontend-${Date.now()}.png`) })
      .catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
}

/** A Deployment that the README's example component finds by its kubernetes-id. */
function exampleDeployment() {
  const labels = { app: SERVICE, 'backstage.io/kubernetes-id': SERVICE };
  const items = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: SERVICE_NAMESPACE },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: SERVICE, namespace: SERVICE_NAMESPACE, labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: SERVICE } },
        template: {
          metadata: { labels },
          spec: {
            containers: [{ name: 'app', image: `example/${SERVICE}:1.0.0` }],
          },
        },
      },
    },
  ];
  return { apiVersion: 'v1', kind: 'List', items };
}
