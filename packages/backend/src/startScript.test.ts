/*
 * scripts/start, which starts this backend for a newcomer: a second start
 * while one runs says so and leaves the running one alone (its lock, held by
 * the first start for as long as it runs, is in $SHIPYARD_CACHE). The whole
 * start (preparation, pick-up, Ctrl-C) runs in the browser tests, whose
 * portal scripts/start starts and stops.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './__testUtils__/portalConfig';

describe('scripts/start', () => {
  let cache: string;
  beforeEach(() => {
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-start-'));
  });
  afterEach(() => fs.rmSync(cache, { recursive: true, force: true }));

  it('refuses a second start while one runs, naming it, and changes nothing', async () => {
    // A running start, as far as the lock goes: flock holds it until killed.
    fs.writeFileSync(
      path.join(cache, 'start.owner'),
      'pid 4242, in /home/me/shipyard',
    );
    const holder = spawn('flock', [
      path.join(cache, 'start.lock'),
      'sleep',
      '60',
    ]);
    try {
      const deadline = Date.now() + 10_000;
      while (
        spawnSync('flock', ['-n', path.join(cache, 'start.lock'), 'true'])
          .status === 0
      ) {
        if (Date.now() > deadline) throw new Error('flock never took the lock');
        await new Promise(r => setTimeout(r, 50));
      }
      const clustersConfig = path.join(
        repoRoot,
        '.shipyard/app-config.clusters.yaml',
      );
      const before = fs.existsSync(clustersConfig)
        ? fs.statSync(clustersConfig).mtimeMs
        : 0;

      const second = spawnSync(path.join(repoRoot, 'scripts/start'), [], {
        env: { ...process.env, SHIPYARD_CACHE: cache },
        encoding: 'utf8',
        timeout: 30_000,
      });

      expect(second.status).toBe(1);
      expect(second.stderr).toContain(
        'scripts/start is already running (pid 4242, in /home/me/shipyard)',
      );
      expect(second.stderr).toContain(
        'stop it with Ctrl-C in its terminal first',
      );
      // Nothing of the running start's was touched: no preparation began.
      expect(second.stderr).not.toContain('preparing the local clusters');
      const after = fs.existsSync(clustersConfig)
        ? fs.statSync(clustersConfig).mtimeMs
        : 0;
      expect(after).toBe(before);
    } finally {
      holder.kill();
    }
  });
});
