// The measured phases of the benchmark, each returning its figures (see README.md).
import {
  CLIENTS,
  CLUSTERS,
  countRequests,
  kubectl,
  LOAD_SECONDS,
  log,
  NS,
  ours,
  pct,
  round,
  SERVICES,
  sleep,
  upstream,
  upstreamTeamView,
  waitFor,
} from './lib.mjs';

/** p50, p95 and the number of samples. */
const summary = ms => ({
  p50: round(pct(ms, 50)),
  p95: round(pct(ms, 95)),
  n: ms.length,
});

/** Kubernetes API requests per view, counted at the API servers. */
export async function requestsPerView() {
  const idle = await countRequests(() => sleep(10_000));
  const oursEntity = await countRequests(async () => {
    for (let i = 0; i < 20; i++) await ours.entity(i % SERVICES);
  });
  const oursTeam = await countRequests(async () => {
    for (let i = 0; i < 10; i++) await ours.team();
  });
  const upEntity = await countRequests(async () => {
    for (let i = 0; i < 20; i++) await upstream.entity(i % SERVICES);
  });
  const upTeam = await countRequests(async () => {
    await upstreamTeamView();
  });
  return {
    countedVerbs:
      'LIST+GET on workload/pod/event/config resources, all clusters',
    idleBaselinePer10s: idle,
    shipyardPerEntityView: round(oursEntity / 20),
    shipyardPerTeamView: round(oursTeam / 10),
    upstreamPerEntityView: round(upEntity / 20),
    upstreamPerTeamView: upTeam,
  };
}

/** Latency of team and entity views, Shipyard and upstream. */
export async function latency() {
  for (let i = 0; i < 10; i++) await ours.team();
  const teamMs = [];
  for (let i = 0; i < 100; i++) teamMs.push((await ours.team()).ms);
  const entityMs = [];
  for (let i = 0; i < 200; i++)
    entityMs.push((await ours.entity(i % SERVICES)).ms);
  const upTeamMs = [];
  for (let i = 0; i < 5; i++) upTeamMs.push(await upstreamTeamView());
  const upEntityMs = [];
  for (let i = 0; i < 50; i++)
    upEntityMs.push((await upstream.entity(i % SERVICES)).ms);
  const latency = {
    shipyardTeamView: summary(teamMs),
    shipyardEntityView: summary(entityMs),
    upstreamTeamViewPerServiceFanout: summary(upTeamMs),
    upstreamEntityView: summary(upEntityMs),
  };
  latency.teamViewSpeedup = round(pct(upTeamMs, 50) / pct(teamMs, 50));
  return latency;
}

/** From a pod deleted with kubectl to an entity view without it. */
export async function changeToReport() {
  const changeMs = [];
  for (let i = 0; i < 5; i++) {
    const id = (10 + i) % SERVICES;
    const c0 = (await ours.entity(id)).json.clusters.find(
      c => c.cluster === CLUSTERS[0],
    );
    const victim = c0.workloads[0].pods[0].name;
    const t0 = performance.now();
    kubectl(CLUSTERS[0], ['-n', NS, 'delete', 'pod', victim, '--wait=false']);
    await waitFor(
      'pod deletion visible',
      async () => {
        const c = (await ours.entity(id)).json.clusters.find(
          x => x.cluster === CLUSTERS[0],
        );
        return !c.workloads[0].pods.some(p => p.name === victim);
      },
      30_000,
      10,
    );
    changeMs.push(performance.now() - t0);
  }
  return {
    p50: round(pct(changeMs, 50)),
    max: round(Math.max(...changeMs)),
    samples: changeMs.map(round),
    note: 'includes the kubectl process start (~100-200 ms)',
  };
}

/** Concurrent clients on the health endpoints. */
export async function load() {
  log(`${CLIENTS} concurrent clients for ${LOAD_SECONDS}s`);
  const loadMs = [];
  let errors = 0;
  const firstErrors = [];
  const end = Date.now() + LOAD_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, k) => {
      let j = k;
      while (Date.now() < end) {
        j++;
        try {
          const r =
            j % 10 === 0 ? await ours.team() : await ours.entity(j % SERVICES);
          loadMs.push(r.ms);
        } catch (e) {
          errors++;
          if (firstErrors.length < 5) firstErrors.push(e.message);
        }
      }
    }),
  );
  return {
    clients: CLIENTS,
    seconds: LOAD_SECONDS,
    requests: loadMs.length + errors,
    errors,
    firstErrors,
    rps: round(loadMs.length / LOAD_SECONDS),
    p50: round(pct(loadMs, 50)),
    p99: round(pct(loadMs, 99)),
    mix: '90% entity view, 10% team view (100 services)',
  };
}
