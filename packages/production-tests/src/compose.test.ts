import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  checkCompose,
  formatFindings,
} from '@shipyard-platform/backstage-plugin-scaffolder-backend-module-shipyard';
import { DEPLOY_DIR, readRepoFile, REPO_ROOT } from './lib/repo';

const FILE = 'deploy/compose.yaml';
const content = readRepoFile(FILE);
const compose = parse(content);
const services: Record<string, any> = compose.services;

describe('deploy/compose.yaml', () => {
  it('validates against the Compose spec schema and the Shipyard compose policy', () => {
    const findings = checkCompose(content, FILE, {
      hasEnvExample: fs.existsSync(path.join(DEPLOY_DIR, '.env.example')),
      hasDotEnv: false,
      dockerfileHasHealthcheck: true,
    });
    expect(findings.filter(f => f.rule === 'compose.schema')).toEqual([]);
    expect(formatFindings(findings.filter(f => f.severity === 'error'))).toBe(
      '',
    );
    // the only accepted warnings: the source bind mounts that make hot reload work
    for (const w of findings.filter(f => f.severity !== 'error')) {
      expect(w.rule).toBe('compose.named-volumes');
      expect(w.message).toMatch(/bind-mounts "\.\."/);
    }
  });

  it('has backend, frontend, PostgreSQL and Redis, each with a healthcheck', () => {
    expect(Object.keys(services).sort()).toEqual([
      'backend',
      'frontend',
      'install',
      'portal',
      'postgres',
      'redis',
    ]);
    for (const [name, svc] of Object.entries(services)) {
      expect({ name, test: svc.healthcheck?.test?.length > 0 }).toEqual({
        name,
        test: true,
      });
    }
    expect(services.postgres.image).toMatch(/^postgres:\d+\.\d+/);
    expect(services.redis.image).toMatch(/^redis:\d+\.\d+\.\d+/);
    expect(services.postgres.healthcheck.test.join(' ')).toContain(
      'pg_isready',
    );
    expect(services.redis.healthcheck.test).toEqual([
      'CMD',
      'redis-cli',
      'ping',
    ]);
    expect(services.backend.healthcheck.test.join(' ')).toContain(
      '/.backstage/health/v1/readiness',
    );
  });

  it('starts the portal only when its databases are healthy (depends_on service_healthy)', () => {
    expect(services.backend.depends_on).toEqual({
      install: { condition: 'service_completed_successfully' },
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    expect(services.frontend.depends_on.backend).toEqual({
      condition: 'service_healthy',
    });
    expect(services.portal.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
  });

  it('hot reload: backend and frontend run the workspace start scripts on the bind-mounted repository', () => {
    for (const name of ['backend', 'frontend']) {
      const svc = services[name];
      expect(svc.command.slice(0, 5)).toEqual([
        'node',
        '/app/.yarn/releases/yarn-4.13.0.cjs',
        'workspace',
        name === 'backend' ? 'backend' : 'app',
        'start',
      ]);
      const bind = svc.volumes.find((v: any) => v.type === 'bind');
      expect(bind).toEqual({ type: 'bind', source: '..', target: '/app' });
      // dependencies live in a named volume, not the host's node_modules
      expect(svc.volumes).toContainEqual({
        type: 'volume',
        source: 'node_modules',
        target: '/app/node_modules',
      });
      expect(svc.image).toMatch(/^node:22\.\d+\.\d+/);
    }
    expect(services.backend.command).toEqual(
      expect.arrayContaining([
        '../../app-config.production.yaml',
        '../../deploy/app-config.compose.yaml',
      ]),
    );
    expect(
      fs.existsSync(path.join(DEPLOY_DIR, 'app-config.compose.yaml')),
    ).toBe(true);
    // the yarn release the containers run is the repository's
    expect(
      fs.existsSync(path.join(REPO_ROOT, '.yarn/releases/yarn-4.13.0.cjs')),
    ).toBe(true);
  });

  it('Redis is the Backstage cache and PostgreSQL the database, configured through the production config variables', () => {
    const env = services.backend.environment;
    expect(env.POSTGRES_HOST).toBe('postgres');
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    const prod = parse(readRepoFile('app-config.production.yaml'));
    expect(prod.backend.database.client).toBe('pg');
    expect(prod.backend.cache.store).toBe('redis');
    // every variable the production config needs without a default is set for the backend and the image
    const required = [
      ...readRepoFile('app-config.production.yaml').matchAll(
        /\$\{([A-Z_]+)\}/g,
      ),
    ].map(m => m[1]);
    expect(new Set(required)).toEqual(
      new Set([
        'POSTGRES_HOST',
        'POSTGRES_USER',
        'POSTGRES_PASSWORD',
        'REDIS_URL',
      ]),
    );
    for (const name of ['backend', 'portal']) {
      for (const v of required)
        expect({ name, v, set: v in services[name].environment }).toEqual({
          name,
          v,
          set: true,
        });
    }
  });

  it('uses named volumes for data, declares them, and commits no secrets (only .env.example)', () => {
    expect(Object.keys(compose.volumes).sort()).toEqual([
      'node_modules',
      'postgres_data',
      'redis_data',
      'yarn_cache',
    ]);
    expect(services.postgres.volumes).toEqual([
      {
        type: 'volume',
        source: 'postgres_data',
        target: '/var/lib/postgresql/data',
      },
    ]);
    expect(services.redis.volumes).toEqual([
      { type: 'volume', source: 'redis_data', target: '/data' },
    ]);
    expect(services.postgres.environment.POSTGRES_PASSWORD).toMatch(
      /^\$\{POSTGRES_PASSWORD:\?/,
    );
    expect(fs.existsSync(path.join(DEPLOY_DIR, '.env'))).toBe(false);
    // every variable compose interpolates is documented in .env.example
    const example = readRepoFile('deploy/.env.example');
    const documented = new Set(
      [...example.matchAll(/^([A-Z_]+)=/gm)].map(m => m[1]),
    );
    const used = new Set(
      [...content.matchAll(/\$\{([A-Z_]+)[:}?-]/g)].map(m => m[1]),
    );
    for (const v of used)
      expect({ v, documented: documented.has(v) }).toEqual({
        v,
        documented: true,
      });
    // published ports only on loopback
    for (const [name, svc] of Object.entries(services)) {
      for (const p of svc.ports ?? [])
        expect({ name, p: String(p).startsWith('127.0.0.1:') }).toEqual({
          name,
          p: true,
        });
    }
  });

  it('the image service builds deploy/Dockerfile from the repository root and runs it hardened', () => {
    const p = services.portal;
    expect(p.build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile' });
    expect(p.read_only).toBe(true);
    expect(p.cap_drop).toEqual(['ALL']);
    expect(p.profiles).toEqual(['image']);
  });

  it('deploy/dev brings the stack up in one command', () => {
    const script = readRepoFile('deploy/dev');
    expect(script).toContain('up --detach --wait');
    expect(fs.statSync(path.join(DEPLOY_DIR, 'dev')).mode & 0o111).not.toBe(0);
  });
});
