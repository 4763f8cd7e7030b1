/*
 * A real npm registry on loopback: Verdaccio, with our scope served only from
 * what we publish to it (never looked up upstream) and everything else proxied to
 * the registry this machine's npm is set up with.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';

export const SCOPE = '@shipyard-platform';

export type Registry = {
  url: string;
  token: string;
  stop(): Promise<void>;
};

/** The registry that the machine's own npm uses, for Verdaccio's uplink. */
function upstreamRegistry(): string {
  // Outside any workspace: npm refuses `config get` inside one.
  return execFileSync('npm', ['config', 'get', 'registry'], {
    encoding: 'utf8',
    cwd: os.tmpdir(),
  }).trim();
}

/** Fails at once when something (a run that did not end) already listens on `port`. */
export async function assertPortFree(port: number) {
  const answered = await fetch(`http://127.0.0.1:${port}/`).then(
    () => true,
    () => false,
  );
  if (answered) {
    throw new Error(
      `port ${port} is in use (a drop-in run that did not end?); stop that process first`,
    );
  }
}

export async function startRegistry(
  workDir: string,
  port: number,
): Promise<Registry> {
  await assertPortFree(port);
  const storage = path.join(workDir, 'storage');
  fs.mkdirSync(storage, { recursive: true });
  const configFile = path.join(workDir, 'verdaccio.yaml');
  fs.writeFileSync(
    configFile,
    YAML.stringify({
      storage,
      auth: { htpasswd: { file: path.join(workDir, 'htpasswd') } },
      uplinks: {
        upstream: { url: upstreamRegistry(), timeout: '60s', maxage: '30m' },
      },
      packages: {
        [`${SCOPE}/*`]: { access: '$all', publish: '$authenticated' },
        '**': { access: '$all', proxy: 'upstream' },
      },
      server: { keepAliveTimeout: 60 },
      log: {
        type: 'file',
        path: path.join(workDir, 'verdaccio.log'),
        level: 'warn',
      },
      publish: { allow_offline: true },
    }),
  );
  const bin = packageBin('verdaccio');
  const child: ChildProcess = spawn(
    process.execPath,
    [bin, '--config', configFile, '--listen', `127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', d => (output += d));
  child.stderr!.on('data', d => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`Verdaccio exited:\n${output}`);
    try {
      if ((await fetch(`${url}/-/ping`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`Verdaccio did not answer within 60 s:\n${output}`);
    await new Promise(r => setTimeout(r, 250));
  }
  // A publisher account (Verdaccio's htpasswd sign-up, as `npm adduser` does).
  const res = await fetch(`${url}/-/user/org.couchdb.user:shipyard`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'shipyard', password: 'drop-in-test' }),
  });
  if (!res.ok)
    throw new Error(
      `Verdaccio sign-up failed: ${res.status} ${await res.text()}`,
    );
  const { token } = (await res.json()) as { token: string };
  return {
    url,
    token,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise(r => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Publishes a packed tarball with npm, as a release job would, with a config of
 * its own: a user's ~/.npmrc (a scope registry, a real token) never takes part.
 */
export function publishTarball(registry: Registry, tarball: string) {
  const dir = path.dirname(tarball);
  const npmrc = path.join(dir, '.npmrc-drop-in');
  const host = registry.url.replace(/^http:/, '');
  fs.writeFileSync(
    npmrc,
    [
      `registry=${registry.url}/`,
      `${SCOPE}:registry=${registry.url}/`,
      `${host}/:_authToken=${registry.token}`,
      '',
    ].join('\n'),
  );
  execFileSync('npm', ['publish', tarball, '--access', 'public'], {
    stdio: 'pipe',
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, NPM_CONFIG_USERCONFIG: npmrc },
  });
}

/** The executable a package declares in its `bin` (its `exports` hide the path). */
export function packageBin(name: string): string {
  const manifest = require.resolve(`${name}/package.json`);
  const { bin } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  const file =
    typeof bin === 'string'
      ? bin
      : Object.values(bin as Record<string, string>)[0];
  return path.join(path.dirname(manifest), file);
}
