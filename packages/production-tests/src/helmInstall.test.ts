import {
  describeIntegration,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import { CHART_DIR } from './lib/repo';
import { clusterUp, helm, kubectl, kubectlJson } from './lib/cluster';

/**
 * Installs the chart into the local control plane (scripts/cluster: real
 * kube-apiserver with RBAC and Pod Security admission, controller-manager,
 * scheduler, kwok nodes). Needs SHIPYARD_INTEGRATION=1.
 */
const CLUSTER = 'dev';
const NS = `shipyard-prodtest-${process.pid}`;
const RELEASE = 'portal';
const FULLNAME = 'portal-shipyard';
/** `kubectl -n NS get ARGS -o json` on the test cluster. */
const getInNs = (...args: string[]) =>
  kubectlJson(CLUSTER, ['-n', NS, 'get', ...args]);
/**
 * Polls `get KIND -l SELECTOR` until `readyOf` picks at least two ready items
 * from the list (the chart's minimum replicas), and returns them.
 */
const waitForTwoReady = (
  what: string,
  kind: string,
  selector: string,
  readyOf: (list: any) => any[],
) =>
  waitFor(
    async () => {
      const ready = readyOf(await getInNs(kind, '-l', selector));
      return ready.length >= 2 && ready;
    },
    { what, timeoutMs: 120_000, intervalMs: 1000 },
  );
/** `helm install|upgrade` of the release with the dev values, waiting up to 300 s. */
const deployRelease = (command: 'install' | 'upgrade', ...extra: string[]) =>
  helm(CLUSTER, [
    command,
    RELEASE,
    CHART_DIR,
    '--namespace',
    NS,
    '--values',
    `${CHART_DIR}/values-dev.yaml`,
    ...extra,
    '--wait',
    '--timeout',
    '300s',
  ]);

jest.setTimeout(900_000);

describeIntegration(
  'deploy/helm/shipyard installed into the local control plane',
  () => {
    let installSeconds = 0;

    beforeAll(async () => {
      await clusterUp(CLUSTER);
      // Pod Security "restricted" is enforced by the API server for this namespace
      for (const args of [
        ['create', 'namespace', NS],
        [
          'label',
          'namespace',
          NS,
          'pod-security.kubernetes.io/enforce=restricted',
          'pod-security.kubernetes.io/enforce-version=latest',
        ],
        [
          '-n',
          NS,
          'create',
          'secret',
          'generic',
          'shipyard-postgres',
          '--from-literal=username=backstage',
          '--from-literal=password=not-a-real-password',
        ],
      ]) {
        const r = await kubectl(CLUSTER, args);
        if (r.code !== 0)
          throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
      }
      const started = Date.now();
      const r = await deployRelease('install');
      installSeconds = (Date.now() - started) / 1000;
      if (r.code !== 0)
        throw new Error(`helm install failed: ${r.stderr}\n${r.stdout}`);
    });

    afterAll(async () => {
      await helm(CLUSTER, [
        'uninstall',
        RELEASE,
        '--namespace',
        NS,
        '--wait',
        '--timeout',
        '120s',
      ]);
      await kubectl(CLUSTER, ['delete', 'namespace', NS, '--wait=false']);
    });

    it('installs with --wait: the Deployment becomes available under Pod Security "restricted"', async () => {
      // eslint-disable-next-line no-console
      console.log(`helm install --wait took ${installSeconds.toFixed(1)} s`);
      const status = await helm(CLUSTER, [
        'status',
        RELEASE,
        '--namespace',
        NS,
        '-o',
        'json',
      ]);
      expect(JSON.parse(status.stdout).info.status).toBe('deployed');
      const dep = await getInNs('deployment', FULLNAME);
      expect(dep.status.availableReplicas).toBeGreaterThanOrEqual(1);
      const ns = await kubectlJson(CLUSTER, ['get', 'namespace', NS]);
      expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe(
        'restricted',
      );
      // the admission really enforces: a privileged pod is rejected in the same namespace
      const evil = await kubectl(CLUSTER, [
        '-n',
        NS,
        'run',
        'evil',
        '--image=busybox:1.36',
        '--privileged',
        '--dry-run=server',
      ]);
      expect(evil.code).not.toBe(0);
      expect(evil.stderr).toContain('violates PodSecurity "restricted');
    });

    it('the HPA scales the Deployment to its minimum, and the pods carry the kubernetes-id label', async () => {
      const pods = await waitForTwoReady(
        '2 ready pods',
        'pods',
        'backstage.io/kubernetes-id=shipyard',
        list =>
          list.items.filter(
            (p: any) =>
              p.status.phase === 'Running' &&
              p.status.conditions?.some(
                (c: any) => c.type === 'Ready' && c.status === 'True',
              ),
          ),
      );
      expect(pods.length).toBeGreaterThanOrEqual(2);
      for (const p of pods) {
        expect(p.spec.securityContext.runAsNonRoot).toBe(true);
        expect(p.spec.automountServiceAccountToken).toBe(false);
        expect(p.spec.volumes.map((v: any) => v.name)).toEqual(
          expect.arrayContaining(['config', 'tmp', 'kube-api-access']),
        );
      }
      const hpa = await getInNs('hpa', FULLNAME);
      expect(hpa.spec.minReplicas).toBe(2);
      const pdb = await getInNs('pdb', FULLNAME);
      expect(pdb.status.currentHealthy).toBeGreaterThanOrEqual(2);
      expect(pdb.status.disruptionsAllowed).toBeGreaterThanOrEqual(1);
    });

    it('the ServiceAccount may read what the health backend watches, cluster-wide, and nothing else', async () => {
      const as = `--as=system:serviceaccount:${NS}:${FULLNAME}`;
      const can = async (...args: string[]) =>
        (await kubectl(CLUSTER, ['auth', 'can-i', ...args, as])).stdout
          .trim()
          .split('\n')
          .pop();
      for (const r of [
        'pods',
        'deployments.apps',
        'replicasets.apps',
        'statefulsets.apps',
        'daemonsets.apps',
        'horizontalpodautoscalers.autoscaling',
        'events',
        'events.events.k8s.io',
        'services',
        'ingresses.networking.k8s.io',
      ]) {
        for (const verb of ['list', 'watch'])
          expect({ r, verb, ok: await can(verb, r, '-A') }).toEqual({
            r,
            verb,
            ok: 'yes',
          });
      }
      expect(await can('list', 'namespaces')).toBe('yes');
      expect(await can('get', 'secrets', '-A')).toBe('no');
      expect(await can('list', 'secrets', '-n', NS)).toBe('no');
      expect(await can('delete', 'pods', '-A')).toBe('no');
      expect(await can('create', 'pods', '--subresource=exec', '-A')).toBe(
        'no',
      );
      expect(await can('get', 'pods', '--subresource=log', '-A')).toBe('no');
      expect(await can('patch', 'deployments.apps', '-A')).toBe('no');
    });

    it('Service endpoints point at the ready pods; Ingress, NetworkPolicy and ConfigMap exist', async () => {
      const slices = await waitForTwoReady(
        'endpoints',
        'endpointslices',
        `kubernetes.io/service-name=${FULLNAME}`,
        list =>
          list.items
            .flatMap((x: any) => x.endpoints ?? [])
            .filter((e: any) => e.conditions?.ready),
      );
      expect(slices.length).toBeGreaterThanOrEqual(2);
      for (const kind of [
        'ingress',
        'networkpolicy',
        'configmap',
        'serviceaccount',
      ]) {
        const r = await kubectl(CLUSTER, ['-n', NS, 'get', kind, FULLNAME]);
        expect({ kind, code: r.code }).toEqual({ kind, code: 0 });
      }
    });

    it('rolls out a new version with no unavailable replica (maxUnavailable 0)', async () => {
      // availableReplicas of every sample read during the upgrade: the minimum
      // means something only if reads succeeded, so a failed read is kept
      // (and shown) rather than dropped.
      const available: number[] = [];
      const readErrors: string[] = [];
      let polling = true;
      const poller = (async () => {
        while (polling) {
          try {
            const d = await getInNs('deployment', FULLNAME);
            available.push(d.status.availableReplicas ?? 0);
          } catch (e) {
            readErrors.push(String(e));
          }
          await new Promise(r => setTimeout(r, 200));
        }
      })();
      const r = await deployRelease('upgrade', '--set', 'image.tag=0.1.1-dev');
      polling = false;
      await poller;
      expect(r.code).toBe(0);
      // A rollout of two pods under --wait spans many 200 ms polls; fewer than
      // five reads means the check watched (almost) nothing.
      if (available.length < 5) {
        throw new Error(
          `only ${
            available.length
          } successful reads of the Deployment during the upgrade (at least 5 needed); ${
            readErrors.length
          } failed reads: ${readErrors.slice(0, 3).join(' | ')}`,
        );
      }
      const dep = await waitFor(
        async () => {
          const d = await getInNs('deployment', FULLNAME);
          return (
            d.status.updatedReplicas >= 2 &&
            d.status.availableReplicas >= 2 &&
            !d.status.unavailableReplicas &&
            d
          );
        },
        { what: 'rollout complete', timeoutMs: 120_000, intervalMs: 1000 },
      );
      expect(dep.spec.template.spec.containers[0].image).toBe(
        'ghcr.io/shipyard/shipyard:0.1.1-dev',
      );
      expect(Math.min(...available)).toBeGreaterThanOrEqual(2);
    });
  },
);
