// The benchmark's settings and clients: environment knobs (see bench.mjs), scripts/cluster,
// the backend's HTTP API, API-server request counts and the backend's memory stats.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// Plain JavaScript, shared with the integration tests (views.integration.test.ts).
import { readsServed } from '../../packages/test-cluster/src/apiServerReads.mjs';

export const ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
export const CLUSTERS = (process.env.BENCH_CLUSTERS ?? 'bench-a bench-b')
  .split(/\s+/)
  .filter(Boolean);
export const SERVICES = Number(process.env.BENCH_SERVICES ?? 100);
export const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 15);
export const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
export const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
export const PORT = Number(process.env.BENCH_PORT ?? 7307);
export const STATS_PORT = PORT + 1;
export const KEEP = process.env.BENCH_KEEP === '1';
export const NS = 'shipyard-bench';
export const TOKEN = crypto.randomBytes(24).toString('hex');
const BASE = `http://127.0.0.1:${PORT}/api`;
export const svc = i => `bench-svc-${String(i).padStart(3, '0')}`;
export const sleep = ms => new Promise(r => setTimeout(r, ms));
export const log = (...a) =>
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

export function sh(args, input) {
  return execFileSync(path.join(ROOT, 'scripts/cluster'), args, {
    encoding: 'utf8',
    input,
    maxBuffer: 512 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}
export const kubectl = (name, args, input) =>
  sh(['kubectl', name, ...args], input);

export function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
export const round = v => Math.round(v * 10) / 10;

async function api(method, url, body) {
  const t0 = performance.now();
  const res = await fetch(`${BASE}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (!res.ok)
    throw Object.assign(
      new Error(`${method} ${url}: HTTP ${res.status} ${text.slice(0, 200)}`),
      { ms },
    );
  return { json: text ? JSON.parse(text) : undefined, ms };
}
export const ours = {
  entity: i =>
    api('GET', `/deployment-health/entity/default/component/${svc(i)}`),
  team: () => api('GET', '/deployment-health/group/default/team-bench'),
  clusters: () => api('GET', '/deployment-health/clusters'),
};
export const upstream = {
  entity: i =>
    api('POST', '/kubernetes/resources/workloads/query', {
      entityRef: `component:default/${svc(i)}`,
    }),
};
// What a team page would do with upstream: one query per service, 6 at a time (browser per-host limit).
export async function upstreamTeamView() {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (next < SERVICES) await upstream.entity(next++);
    }),
  );
  return performance.now() - t0;
}

export async function waitFor(what, fn, timeoutMs = 900_000, everyMs = 1000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}: ${last?.message ?? ''}`);
}

// --- API requests counted at the API servers (apiserver_request_total) ----------------
const requestCount = () =>
  CLUSTERS.reduce(
    (n, name) => n + readsServed(kubectl(name, ['get', '--raw', '/metrics'])),
    0,
  );
export async function countRequests(fn) {
  const before = requestCount();
  await fn();
  await sleep(500);
  return requestCount() - before;
}

export async function stats() {
  return (await fetch(`http://127.0.0.1:${STATS_PORT}/`)).json();
}
