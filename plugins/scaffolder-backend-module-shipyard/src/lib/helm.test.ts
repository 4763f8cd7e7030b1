import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HelmNotFoundError, resolveHelmBinary } from './helm';
import { runProgram } from './run';

describe('resolveHelmBinary', () => {
  let dir: string;
  const saved = { ...process.env };
  const fakeHelm = async (p: string) => {
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, '#!/bin/sh\n', { mode: 0o755 });
    return p;
  };

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'helm-resolve-'));
    process.env.PATH = path.join(dir, 'empty-path');
    process.env.SHIPYARD_CACHE = path.join(dir, 'cache');
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    process.env = { ...saved };
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('takes the configured path, which must be executable', async () => {
    const helm = await fakeHelm(path.join(dir, 'opt', 'helm'));
    await expect(resolveHelmBinary(helm)).resolves.toBe(helm);
    await expect(resolveHelmBinary(path.join(dir, 'missing'))).rejects.toThrow(
      HelmNotFoundError,
    );
  });

  it('prefers helm on PATH to the build cache', async () => {
    await fakeHelm(path.join(dir, 'cache', 'go-tools', 'helm-v3.16.2', 'helm'));
    const onPath = await fakeHelm(path.join(dir, 'bin', 'helm'));
    process.env.PATH = [path.join(dir, 'nothing'), path.join(dir, 'bin')].join(
      path.delimiter,
    );
    await expect(resolveHelmBinary()).resolves.toBe(onPath);
  });

  it('takes the newest helm of the build cache', async () => {
    const tools = path.join(dir, 'cache', 'go-tools');
    await fakeHelm(path.join(tools, 'helm-v3.9.4', 'helm'));
    const newest = await fakeHelm(path.join(tools, 'helm-v3.16.2', 'helm'));
    await fs.mkdir(path.join(tools, 'helm-v3.17.0')); // not built
    await expect(resolveHelmBinary()).resolves.toBe(newest);
  });

  it('finds the cache under ~/.cache/shipyard when SHIPYARD_CACHE is unset', async () => {
    delete process.env.SHIPYARD_CACHE;
    jest.spyOn(os, 'homedir').mockReturnValue(path.join(dir, 'home'));
    const helm = await fakeHelm(
      path.join(
        dir,
        'home',
        '.cache',
        'shipyard',
        'go-tools',
        'helm-v3.16.2',
        'helm',
      ),
    );
    await expect(resolveHelmBinary()).resolves.toBe(helm);
  });

  it('says how to get helm when there is none', async () => {
    await expect(resolveHelmBinary()).rejects.toThrow(
      /shipyard\.helm\.path.*PATH.*scripts\/cluster build/,
    );
  });
});

describe('runProgram', () => {
  it('returns the exit code and output, and feeds stdin', async () => {
    await expect(
      runProgram('sh', ['-c', 'cat; echo err >&2; exit 3'], { input: 'in' }),
    ).resolves.toEqual({ code: 3, stdout: 'in', stderr: 'err\n' });
  });

  it('reports a program that cannot start', async () => {
    const r = await runProgram('/nonexistent/program', []);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ENOENT/);
  });
});
