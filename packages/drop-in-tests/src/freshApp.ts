/*
 * A fresh Backstage app made by @backstage/create-app (the release of
 * backstage.json), with its new-frontend-system app in
 * packages/app and the legacy template's app beside it in packages/app-legacy:
 * one install and one backend serve both.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tail } from './applyStep';
import { assertPortFree, packageBin } from './registry';

// Tests run from source, so __dirname is this directory.
// eslint-disable-next-line no-restricted-syntax
export const REPO_ROOT = path.resolve(__dirname, '../../..');

export function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
) {
  try {
    return execFileSync(cmd, args, {
      cwd,
      env,
      encoding: 'utf8',
      stdio: 'pipe',
      maxBuffer: 256 * 1024 * 1024,
    });
  } catch (error: any) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed in ${cwd} (${
        error.status ?? error.signal
      }):\n${tail(`${error.stdout ?? ''}${error.stderr ?? ''}`, 60)}`,
    );
  }
}

function createApp(dir: string, legacy: boolean, env: NodeJS.ProcessEnv) {
  const bin = packageBin('@backstage/create-app');
  fs.mkdirSync(dir, { recursive: true });
  run(
    process.execPath,
    [bin, '--path', dir, '--skip-install', ...(legacy ? ['--legacy'] : [])],
    path.dirname(dir),
    { ...env, BACKSTAGE_APP_NAME: 'drop-in' },
  );
}

/** Creates the app in `dir`; returns the Backstage release it was made for. */
export function createFreshApp(dir: string, env: NodeJS.ProcessEnv): string {
  createApp(dir, false, env);
  const legacy = `${dir}-legacy`;
  createApp(legacy, true, env);
  const pkgFile = path.join(legacy, 'packages/app/package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  pkg.name = 'app-legacy';
  fs.writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
  fs.renameSync(
    path.join(legacy, 'packages/app'),
    path.join(dir, 'packages/app-legacy'),
  );
  fs.rmSync(legacy, { recursive: true, force: true });
  return JSON.parse(fs.readFileSync(path.join(dir, 'backstage.json'), 'utf8'))
    .version;
}

/**
 * Moves the app's @backstage ranges to the versions this repository is tested
 * with, as `backstage-cli versions:bump` moves an app to a newer release (that
 * command needs the release manifests of versions.backstage.io, out of reach
 * here). Returns how many ranges changed.
 */
export function bumpToTestedBackstage(dir: string): number {
  let changed = 0;
  const manifests = [
    'package.json',
    ...fs
      .readdirSync(path.join(dir, 'packages'))
      .map(p => `packages/${p}/package.json`),
  ];
  for (const rel of manifests) {
    const file = path.join(dir, rel);
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const field of ['dependencies', 'devDependencies']) {
      for (const name of Object.keys(pkg[field] ?? {})) {
        const tested = path.join(
          REPO_ROOT,
          'node_modules',
          name,
          'package.json',
        );
        if (!name.startsWith('@backstage/') || !fs.existsSync(tested)) continue;
        const range = `^${JSON.parse(fs.readFileSync(tested, 'utf8')).version}`;
        if (pkg[field][name] !== range) {
          pkg[field][name] = range;
          changed += 1;
        }
      }
    }
    fs.writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  }
  return changed;
}

/** Every @backstage package that the app's lockfile resolves to more than one version. */
export function duplicateBackstagePackages(dir: string): string[] {
  const lock = fs.readFileSync(path.join(dir, 'yarn.lock'), 'utf8');
  const versions = new Map<string, Set<string>>();
  const entry =
    /^"(@backstage\/[^@"]+)@[^\n]*:\n(?: {2}[^\n]*\n)*? {2}version: ([^\n]+)/gm;
  for (const m of lock.matchAll(entry)) {
    if (!versions.has(m[1])) versions.set(m[1], new Set());
    versions.get(m[1])!.add(m[2]);
  }
  return [...versions]
    .filter(([, v]) => v.size > 1)
    .map(([name, v]) => `${name} (${[...v].join(', ')})`);
}

export type RunningBackend = {
  url: string;
  logs(): string;
  stop(): Promise<void>;
};

/** `yarn start` of the app's backend, as a developer runs it, until it is ready. */
export async function startBackend(
  dir: string,
  env: NodeJS.ProcessEnv,
  port: number,
): Promise<RunningBackend> {
  await assertPortFree(port);
  const url = `http://localhost:${port}`;
  const child: ChildProcess = spawn('yarn', ['workspace', 'backend', 'start'], {
    cwd: dir,
    env: {
      ...env,
      APP_CONFIG_backend_baseUrl: url,
      APP_CONFIG_backend_listen_port: String(port),
      APP_CONFIG_app_baseUrl: url,
      APP_CONFIG_backend_cors_origin: url,
      FORCE_COLOR: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', d => (output += d));
  child.stderr!.on('data', d => (output += d));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise(r => child.once('exit', r));
    process.kill(-child.pid!, 'SIGTERM');
    await Promise.race([exited, new Promise(r => setTimeout(r, 15_000))]);
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // the group is gone already
      }
    }
    // The backend is a grandchild of yarn: wait until the port is free again.
    for (let i = 0; i < 60; i++) {
      const listening = await fetch(url).then(
        () => true,
        () => false,
      );
      if (!listening) return;
      await new Promise(r => setTimeout(r, 500));
    }
  };
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `the backend exited (${child.exitCode}):\n${tail(output, 80)}`,
      );
    }
    try {
      if ((await fetch(`${url}/.backstage/health/v1/readiness`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `the backend was not ready within 300 s:\n${tail(output, 80)}`,
      );
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  return { url, logs: () => output, stop };
}
