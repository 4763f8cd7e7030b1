// What the benchmark creates: its Deployments, simulated nodes with room for their
// pods, and the backend's config (catalog, clusters).
import fs from 'node:fs';
import path from 'node:path';
import {
  CLUSTERS,
  NS,
  PORT,
  REPLICAS,
  SERVICES,
  sh,
  svc,
  TOKEN,
} from './lib.mjs';

export function manifests() {
  const items = [];
  for (let i = 0; i < SERVICES; i++) {
    const id = svc(i);
    items.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: id,
        namespace: NS,
        labels: { 'backstage.io/kubernetes-id': id },
      },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: { app: id } },
        template: {
          metadata: { labels: { app: id, 'backstage.io/kubernetes-id': id } },
          spec: {
            containers: [
              {
                name: 'app',
                image: `ghcr.io/shipyard-examples/${id}:1.0.${i}`,
                env: [{ name: 'DB_PASSWORD', value: 'bench-secret-env' }],
              },
            ],
            tolerations: [
              {
                key: 'kwok.x-k8s.io/node',
                operator: 'Exists',
                effect: 'NoSchedule',
              },
            ],
          },
        },
      },
    });
  }
  return { apiVersion: 'v1', kind: 'List', items };
}

export function benchNodes(name) {
  // Extra simulated nodes with room for the benchmark pods (the default nodes take 110 each).
  const count = Math.ceil((SERVICES * REPLICAS) / 500) + 1;
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: Array.from({ length: count }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: `${name}-bench-node-${i}`,
        annotations: {
          'kwok.x-k8s.io/node': 'fake',
          'node.alpha.kubernetes.io/ttl': '0',
        },
        labels: {
          type: 'kwok',
          'kubernetes.io/hostname': `${name}-bench-node-${i}`,
          'kubernetes.io/os': 'linux',
        },
      },
      status: {
        allocatable: { cpu: '500', memory: '2000Gi', pods: '600' },
        capacity: { cpu: '500', memory: '2000Gi', pods: '600' },
      },
    })),
  };
}

export function writeConfig(dir) {
  const catalog = [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'team-bench' },
      spec: { type: 'team', children: [] },
    },
    ...Array.from({ length: SERVICES }, (_, i) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: svc(i),
        annotations: {
          'backstage.io/kubernetes-id': svc(i),
          'backstage.io/kubernetes-namespace': NS,
        },
      },
      spec: { type: 'service', lifecycle: 'production', owner: 'team-bench' },
    })),
  ];
  fs.writeFileSync(
    path.join(dir, 'catalog.yaml'),
    catalog.map(e => JSON.stringify(e)).join('\n---\n'),
  );
  const config = {
    backend: {
      baseUrl: `http://127.0.0.1:${PORT}`,
      listen: { port: PORT, host: '127.0.0.1' },
      database: { client: 'better-sqlite3', connection: ':memory:' },
      auth: {
        externalAccess: [
          { type: 'static', options: { token: TOKEN, subject: 'bench' } },
        ],
      },
    },
    catalog: {
      rules: [{ allow: ['Component', 'Group', 'Location'] }],
      locations: [{ type: 'file', target: path.join(dir, 'catalog.yaml') }],
      processingInterval: { minutes: 30 },
    },
    permission: { enabled: true },
    deploymentHealth: { requestTimeoutSeconds: 5 },
    // Shipyard reads a team's services only in its namespaces
    shipyard: {
      tenancy: { teamNamespaces: [{ team: 'team-bench', namespaces: [NS] }] },
    },
  };
  const file = path.join(dir, 'app-config.json');
  fs.writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  // the clusters, as the portal gets them
  const clusters = path.join(dir, 'app-config.clusters.yaml');
  fs.writeFileSync(clusters, sh(['config', ...CLUSTERS]));
  return [file, clusters];
}
