import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ARTIFACTS_DIR, REPO_ROOT, run, runOk } from './repo';
import { ClusterEnv } from './cluster';

const SERVICES = path.join(REPO_ROOT, 'scripts', 'services');

export interface ServicesEnv {
  POSTGRES_HOST: string;
  POSTGRES_PORT: string;
  POSTGRES_USER: string;
  POSTGRES_PASSWORD: string;
  REDIS_URL: string;
}

/** Installs (if needed) and starts PostgreSQL + Redis with scripts/services. */
export async function servicesUp(): Promise<ServicesEnv> {
  await runOk(SERVICES, ['up'], { timeout: 600_000 });
  return JSON.parse((await runOk(SERVICES, ['env', '--json'])).stdout);
}

/** SQL as the PostgreSQL admin (unix socket); rows as arrays of strings. */
export async function psql(database: string, sql: string): Promise<string[][]> {
  const r = await runOk(SERVICES, [
    'psql',
    '-d',
    database,
    '-v',
    'ON_ERROR_STOP=1',
    '-At',
    '-F',
    '\t',
    '-c',
    sql,
  ]);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map(l => l.split('\t'));
}

export async function redisCli(url: string, args: string[]): Promise<string> {
  const u = new URL(url);
  return (await runOk('redis-cli', ['-h', u.hostname, '-p', u.port, ...args]))
    .stdout;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface BackendOptions {
  name: string;
  port: number;
  services: ServicesEnv;
  dbPrefix: string;
  redisNamespace: string;
  token: string;
  cluster?: ClusterEnv;
  techdocsDir?: string;
}

export interface Backend {
  name: string;
  url: string;
  logFile: string;
  child: ChildProcess;
  log(): string;
  /** Parsed JSON log lines (NODE_ENV=production logs JSON). */
  events(): any[];
  fetch(p: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * Runs the real backend (packages/backend/src/index.ts, every plugin the
 * project wires) the way `backstage-cli package start` does, without its file
 * watcher (other engineers edit the tree while tests run): node with
 * Backstage's TypeScript transform, NODE_ENV=production, the repository's
 * app-config.yaml + app-config.production.yaml and a per-instance file.
 */
export async function startBackend(o: BackendOptions): Promise<Backend> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `shipyard-${o.name}-`));
  const url = `http://127.0.0.1:${o.port}`;
  const extra: string[] = [
    'app:',
    `  baseUrl: ${url}`,
    'backend:',
    `  baseUrl: ${url}`,
    '  listen:',
    `    port: ${o.port}`,
    '    host: 127.0.0.1',
    '  cors:',
    `    origin: ${url}`,
    '  auth:',
    '    externalAccess:',
    '      - type: static',
    '        options:',
    `          token: ${o.token}`,
    '          subject: production-test',
  ];
  if (o.techdocsDir) {
    extra.push(
      'techdocs:',
      '  publisher:',
      '    type: local',
      '    local:',
      `      publishDirectory: ${o.techdocsDir}`,
    );
  }
  if (o.cluster) {
    extra.push(
      'kubernetes:',
      '  serviceLocatorMethod:',
      '    type: multiTenant',
      '  clusterLocatorMethods:',
      '    - type: config',
      '      clusters:',
      `        - name: ${o.cluster.name}`,
      `          url: ${o.cluster.server}`,
      `          environment: ${o.cluster.environment}`,
      '          authProvider: serviceAccount',
      `          serviceAccountTokenFile: ${o.cluster.tokenFile}`,
      `          caFile: ${o.cluster.caFile}`,
    );
  }
  const configFile = path.join(dir, 'app-config.test.yaml');
  fs.writeFileSync(configFile, `${extra.join('\n')}\n`);
  const logFile = path.join(ARTIFACTS_DIR, `${o.name}.log`);
  const out = fs.openSync(logFile, 'w');
  const child = spawn(
    process.execPath,
    [
      '--enable-source-maps',
      '--no-node-snapshot',
      '--require',
      path.join(
        REPO_ROOT,
        'node_modules/@backstage/cli-node/config/nodeTransform.cjs',
      ),
      'src/index.ts',
      '--config',
      '../../app-config.yaml',
      '--config',
      '../../app-config.production.yaml',
      '--config',
      configFile,
    ],
    {
      cwd: path.join(REPO_ROOT, 'packages/backend'),
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        ...o.services,
        POSTGRES_DB_PREFIX: o.dbPrefix,
        REDIS_NAMESPACE: o.redisNamespace,
        ESBK_TSCONFIG_PATH: path.join(REPO_ROOT, 'tsconfig.json'),
      },
      stdio: ['ignore', out, out],
    },
  );
  fs.closeSync(out);
  const log = () => fs.readFileSync(logFile, 'utf8');
  const backend: Backend = {
    name: o.name,
    url,
    logFile,
    child,
    log,
    events: () =>
      log()
        .split('\n')
        .filter(l => l.startsWith('{'))
        .map(l => {
          try {
            return JSON.parse(l);
          } catch {
            return undefined;
          }
        })
        .filter(Boolean),
    fetch: (p, init = {}) =>
      fetch(`${url}${p}`, {
        ...init,
        headers: {
          Authorization: `Bearer ${o.token}`,
          'Content-Type': 'application/json',
          ...(init.headers ?? {}),
        },
      }),
    stop: () =>
      new Promise<void>(resolve => {
        if (child.exitCode !== null || child.signalCode) {
          resolve();
          return;
        }
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
  return backend;
}

/** Waits for Backstage's readiness endpoint; fails early when the process exits. */
export async function waitReady(
  b: Backend,
  timeoutMs = 240_000,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (/Backend startup failed/.test(b.log())) {
      throw new Error(
        `${b.name} failed to start; log ${b.logFile}:\n${b
          .log()
          .split('\n')
          .filter(l => /"level":"error"/.test(l))
          .join('\n')
          .slice(-4000)}`,
      );
    }
    if (b.child.exitCode !== null) {
      throw new Error(
        `${b.name} exited with ${b.child.exitCode}; log ${b.logFile}:\n${b
          .log()
          .slice(-4000)}`,
      );
    }
    try {
      const r = await fetch(`${b.url}/.backstage/health/v1/readiness`);
      if (r.ok) return Date.now() - started;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `${b.name} not ready after ${timeoutMs} ms; log ${b.logFile}:\n${b
          .log()
          .slice(-4000)}`,
      );
    }
    await new Promise(r => setTimeout(r, 500));
  }
}

export { run };
