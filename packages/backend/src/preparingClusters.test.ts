/*
 * The portal as scripts/start runs it on a fresh machine, while the local
 * clusters are still being prepared: the backend reads app-config.yaml plus
 * the file scripts/lib/prepare-clusters writes at each step. The views must
 * say "being prepared", so the shipped config may list no cluster of its own
 * (dev and prod listed there were reported unreachable for the ~17 minutes
 * of a first build instead).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import deploymentHealthPlugin from '@shipyard-platform/backstage-plugin-deployment-health-backend';
import shipyardPolicy from '@shipyard-platform/backstage-plugin-permission-backend-module-shipyard';
import { portalConfig, repoRoot } from './__testUtils__/portalConfig';

jest.setTimeout(60_000);

describe('the portal while scripts/start prepares the local clusters', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-preparing-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reports the preparation and no cluster', async () => {
    // What prepare-clusters writes to .shipyard/app-config.clusters.yaml at a step.
    const clustersFile = path.join(dir, 'app-config.clusters.yaml');
    fs.writeFileSync(
      clustersFile,
      execFileSync(
        path.join(repoRoot, 'scripts/lib/preparing-config'),
        ['building kube-apiserver', '3', '11'],
        { encoding: 'utf8' },
      ),
    );
    const data = await portalConfig(['app-config.yaml', clustersFile]);
    const backend = await startTestBackend({
      features: [
        mockServices.rootConfig.factory({ data }),
        catalogPlugin,
        permissionPlugin,
        shipyardPolicy,
        deploymentHealthPlugin,
      ],
    });
    try {
      const res = await fetch(
        `http://localhost:${backend.server.port()}/api/deployment-health/clusters`,
        { headers: { Authorization: mockCredentials.user.header() } },
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        clusters: [],
        preparing: { message: 'building kube-apiserver', step: 3, steps: 11 },
      });
    } finally {
      await backend.stop();
    }
  });
});
