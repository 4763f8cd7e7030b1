/*
 * Runs once the portal answers (Playwright starts its webServer first).
 * scripts/start does not wait for the local clusters: it prepares them beside
 * the portal and the running backend starts watching them when their config
 * appears. The tests need them watched, so wait for that here: this is also
 * the check that the portal picks the clusters up without a restart.
 */
const backend = 'http://localhost:7007';
const wanted = ['dev', 'prod'];
const timeoutMs = 10 * 60_000;

async function guestToken(): Promise<string> {
  const res = await fetch(`${backend}/api/auth/guest/refresh`);
  if (!res.ok) throw new Error(`guest sign-in: HTTP ${res.status}`);
  return (await res.json()).backstageIdentity.token;
}

type Clusters = {
  clusters: Array<{ name: string; state: string }>;
  preparing?: { message: string; step?: number; steps?: number };
};

export default async function waitForWatchedClusters() {
  const started = Date.now();
  let last = 'no answer yet';
  while (Date.now() - started < timeoutMs) {
    try {
      const res = await fetch(`${backend}/api/deployment-health/clusters`, {
        headers: { Authorization: `Bearer ${await guestToken()}` },
      });
      const body: Clusters = await res.json();
      const ok = body.clusters.filter(c => c.state === 'ok').map(c => c.name);
      if (wanted.every(name => ok.includes(name))) {
        // eslint-disable-next-line no-console -- the run's log says how long the wait took
        console.log(
          `clusters ${wanted.join(', ')} watched after ${Math.round(
            (Date.now() - started) / 1000,
          )}s`,
        );
        return;
      }
      last = JSON.stringify(body.preparing ?? body.clusters);
    } catch (e) {
      last = String(e);
    }
    await new Promise(r => setTimeout(r, 2000));
  }
  throw new Error(
    `the portal did not watch the clusters ${wanted.join(', ')} within ${
      timeoutMs / 60_000
    } min (last: ${last}); see artifacts/portal.log`,
  );
}
