import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { readRepoFile, REPO_ROOT, run } from './lib/repo';
import { helmTemplate, one, parseObjects } from './lib/helm';

jest.setTimeout(180_000);

const CLI = path.join(
  REPO_ROOT,
  'node_modules/@backstage/cli/bin/backstage-cli',
);
const ENV = {
  POSTGRES_HOST: 'postgres.example.internal',
  POSTGRES_USER: 'backstage',
  POSTGRES_PASSWORD: 'not-a-secret',
  REDIS_URL: 'redis://redis.example.internal:6379',
};

/**
 * `backstage-cli config:check` (the config schema of every package in the repo)
 * of app-config.yaml + app-config.production.yaml + extra: its exit code, and
 * its stderr when it failed.
 */
async function configCheck(extra: string[]) {
  const files = ['app-config.yaml', 'app-config.production.yaml', ...extra];
  const args = [CLI, 'config:check', ...files.flatMap(f => ['--config', f])];
  const r = await run(process.execPath, args, {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...ENV },
  });
  return { code: r.code, err: r.code ? r.stderr : '' };
}
const PASSED = { code: 0, err: '' };

describe('app-config.production.yaml', () => {
  const prod = parse(readRepoFile('app-config.production.yaml'));

  it('uses PostgreSQL and Redis, with connections from the environment', () => {
    expect(prod.backend.database.client).toBe('pg');
    expect(prod.backend.database.connection).toEqual({
      host: '${POSTGRES_HOST}',
      port: '${POSTGRES_PORT:-5432}',
      user: '${POSTGRES_USER}',
      password: '${POSTGRES_PASSWORD}',
    });
    expect(prod.backend.cache).toMatchObject({
      store: 'redis',
      connection: '${REDIS_URL}',
    });
    // @keyv/redis is what backend-defaults' cache manager loads for store: redis
    const pkg = JSON.parse(
      readRepoFile('node_modules/@backstage/backend-defaults/package.json'),
    );
    expect(pkg.dependencies['@keyv/redis']).toBeDefined();
    expect(
      fs.existsSync(
        path.join(REPO_ROOT, 'node_modules/@keyv/redis/package.json'),
      ),
    ).toBe(true);
    expect(
      JSON.parse(readRepoFile('packages/backend/package.json')).dependencies.pg,
    ).toBeDefined();
  });

  it('passes `backstage-cli config:check` with app-config.yaml', async () => {
    expect(await configCheck([])).toEqual(PASSED);
  });

  it('passes config:check with the compose overrides (deploy/app-config.compose.yaml)', async () => {
    expect(await configCheck(['deploy/app-config.compose.yaml'])).toEqual(
      PASSED,
    );
  });

  it("passes config:check with the Helm chart's ConfigMap (in-cluster cluster, extra appConfig)", async () => {
    const rendered = await helmTemplate('values-prod.yaml', [
      '--set-json',
      'appConfig={"catalog":{"locations":[{"type":"url","target":"https://github.com/acme/catalog/blob/main/all.yaml"}]}}',
    ]);
    expect(rendered.code).toBe(0);
    const cm = one(parseObjects(rendered.stdout), 'ConfigMap');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-cm-'));
    const files = Object.entries<string>(cm.data).map(([name, content]) => {
      fs.writeFileSync(path.join(dir, name), content);
      return path.join(dir, name);
    });
    expect(files.map(f => path.basename(f)).sort()).toEqual([
      'app-config.extra.yaml',
      'app-config.kubernetes.yaml',
    ]);
    expect(await configCheck(files)).toEqual(PASSED);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
