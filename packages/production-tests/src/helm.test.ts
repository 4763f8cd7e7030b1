import path from 'node:path';
import { parse } from 'yaml';
import {
  checkHelmChart,
  checkKubernetesObjects,
  formatFindings,
  parseRenderedManifests,
} from '@shipyard-platform/backstage-plugin-scaffolder-backend-module-shipyard';
import {
  KUBE_SCORE_BUILD_TIMEOUT_MS,
  kubeScore,
  requireKubeScore,
} from '@shipyard-platform/deployment-health-test-utils';
import { CHART_DIR, helmBinary, IMAGE_CMD, run } from './lib/repo';
import {
  byKind,
  helmTemplate,
  one,
  parseObjects,
  VALUES_FILES,
} from './lib/helm';

jest.setTimeout(120_000);

const rendered: Record<string, any[]> = {};
const renderedText: Record<string, string> = {};

// builds kube-score (test-only tool) on the first run, ~100 s; cached after
beforeAll(() => requireKubeScore(), KUBE_SCORE_BUILD_TIMEOUT_MS);

beforeAll(async () => {
  for (const v of VALUES_FILES) {
    const r = await helmTemplate(v);
    if (r.code !== 0)
      throw new Error(`helm template with ${v} failed: ${r.stderr}`);
    renderedText[v] = r.stdout;
    rendered[v] = parseObjects(r.stdout);
  }
});

describe('deploy/helm/shipyard: lint and policy', () => {
  it('passes `helm lint --strict` with the defaults and with every environment values file', async () => {
    const helm = await helmBinary();
    for (const v of VALUES_FILES) {
      const args = ['lint', '--strict', CHART_DIR];
      if (v !== 'values.yaml') args.push('--values', path.join(CHART_DIR, v));
      const r = await run(helm, args);
      expect({
        v,
        code: r.code,
        out: r.code ? r.stdout + r.stderr : '',
      }).toEqual({ v, code: 0, out: '' });
      expect(r.stdout).toContain('0 chart(s) failed');
    }
  });

  it('passes the Shipyard Kubernetes baselines (PSS restricted, kube-score/Polaris, zero-downtime) for every values file', async () => {
    // the scaffolder module's chart check: renders each values-*.yaml with helm and checks every object
    const helm = await helmBinary();
    const { findings, valuesFiles } = await checkHelmChart(
      helm,
      CHART_DIR,
      'deploy/helm/shipyard',
    );
    expect(valuesFiles).toEqual(['values-dev.yaml', 'values-prod.yaml']);
    expect(formatFindings(findings)).toBe('');
    // and the chart defaults (values.yaml alone)
    const objects = parseRenderedManifests(renderedText['values.yaml'], {
      chartName: 'shipyard',
      sourcePrefix: 'deploy/helm/shipyard',
    });
    expect(formatFindings(checkKubernetesObjects(objects))).toBe('');
  });

  it('passes kube-score: no CRITICAL or WARNING beyond tools/k8s/kube-score.args, for the defaults and every values file', async () => {
    for (const v of VALUES_FILES)
      expect({ v, findings: await kubeScore(renderedText[v]) }).toEqual({
        v,
        findings: [],
      });
  });

  it('the helm test pod reaches the Service through the NetworkPolicy but is not one of its endpoints', () => {
    for (const v of VALUES_FILES) {
      const pod = one(rendered[v], 'Pod');
      const svc = one(rendered[v], 'Service');
      const np = one(rendered[v], 'NetworkPolicy');
      const labels = pod.metadata.labels;
      const matches = (sel: Record<string, string>) =>
        Object.entries(sel).every(([k, val]) => labels[k] === val);
      expect(matches(svc.spec.selector)).toBe(false);
      expect(
        matches(
          one(rendered[v], 'PodDisruptionBudget').spec.selector.matchLabels,
        ),
      ).toBe(false);
      expect(
        np.spec.ingress[0].from.some(
          (f: any) => f.podSelector && matches(f.podSelector.matchLabels),
        ),
      ).toBe(true);
      expect(pod.metadata.annotations['helm.sh/hook']).toBe('test');
      expect(pod.spec.containers[0].command.join(' ')).toContain(
        '/.backstage/health/v1/readiness',
      );
    }
  });

  it('renders the expected objects', () => {
    for (const v of VALUES_FILES) {
      const kinds = rendered[v].map(o => `${o.kind}/${o.metadata.name}`).sort();
      expect(kinds).toEqual([
        'ClusterRole/portal-shipyard-reader',
        'ClusterRoleBinding/portal-shipyard-reader',
        'ConfigMap/portal-shipyard',
        'Deployment/portal-shipyard',
        'HorizontalPodAutoscaler/portal-shipyard',
        'Ingress/portal-shipyard',
        'NetworkPolicy/portal-shipyard',
        'Pod/portal-shipyard-test-readiness',
        'PodDisruptionBudget/portal-shipyard',
        'Service/portal-shipyard',
        'ServiceAccount/portal-shipyard',
      ]);
    }
  });
});

describe.each(VALUES_FILES)('deploy/helm/shipyard rendered with %s', v => {
  const objects = () => rendered[v];
  const deployment = () => one(objects(), 'Deployment');
  const container = () => deployment().spec.template.spec.containers[0];
  const env = (name: string) =>
    container().env.find((e: any) => e.name === name);

  it('probes Backstage health endpoints: liveness, readiness (and startup for first-run migrations)', () => {
    const c = container();
    expect(c.livenessProbe.httpGet).toEqual({
      path: '/.backstage/health/v1/liveness',
      port: 'http',
    });
    expect(c.readinessProbe.httpGet).toEqual({
      path: '/.backstage/health/v1/readiness',
      port: 'http',
    });
    expect(c.startupProbe.httpGet.path).toBe('/.backstage/health/v1/readiness');
    expect(c.ports).toEqual([
      { name: 'http', containerPort: 7007, protocol: 'TCP' },
    ]);
  });

  it('runs restricted: non-root uid, no privilege escalation, no capabilities, RuntimeDefault seccomp, read-only root, /tmp emptyDir', () => {
    const pod = deployment().spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container().securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    const tmp = container().volumeMounts.find(
      (m: any) => m.mountPath === '/tmp',
    );
    expect(
      pod.volumes.find((vol: any) => vol.name === tmp.name).emptyDir,
    ).toBeDefined();
    expect(container().image).toMatch(
      /^ghcr\.io\/shipyard\/shipyard:\d+\.\d+\.\d+/,
    );
  });

  it('has requests and limits', () => {
    const r = container().resources;
    expect(r.requests.cpu).toBeDefined();
    expect(r.requests.memory).toBeDefined();
    expect(r.limits.memory).toBeDefined();
    expect(r.limits.cpu).toBeDefined();
  });

  it('takes config from the ConfigMap after the image config files', () => {
    const args: string[] = container().args;
    expect(args).toEqual([
      ...IMAGE_CMD,
      '--config',
      '/etc/shipyard/app-config.kubernetes.yaml',
    ]);
    const cm = one(objects(), 'ConfigMap');
    const mount = container().volumeMounts.find(
      (m: any) => m.mountPath === '/etc/shipyard',
    );
    const vol = deployment().spec.template.spec.volumes.find(
      (x: any) => x.name === mount.name,
    );
    expect(vol.configMap.name).toBe(cm.metadata.name);
    const cfg = parse(cm.data['app-config.kubernetes.yaml']);
    expect(cfg.kubernetes.clusterLocatorMethods[0].clusters[0]).toMatchObject({
      name: 'in-cluster',
      url: 'https://kubernetes.default.svc',
      serviceAccountTokenFile:
        '/var/run/secrets/kubernetes.io/serviceaccount/token',
      caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
    });
    // config changes roll the pods
    expect(
      deployment().spec.template.metadata.annotations['checksum/config'],
    ).toMatch(/^[a-f0-9]{64}$/);
  });

  it('reads database credentials from a Secret (secretKeyRef), never as plain values', () => {
    expect(env('POSTGRES_USER').valueFrom.secretKeyRef).toEqual({
      name: 'shipyard-postgres',
      key: 'username',
    });
    expect(env('POSTGRES_PASSWORD').valueFrom.secretKeyRef).toEqual({
      name: 'shipyard-postgres',
      key: 'password',
    });
    expect(env('POSTGRES_PASSWORD').value).toBeUndefined();
    expect(byKind(objects(), 'Secret')).toEqual([]);
    expect(env('POSTGRES_HOST').value).toBeTruthy();
    expect(env('REDIS_URL')).toBeDefined();
  });

  it('scales with an HPA that reacts within 30 s, has a PDB, rolls out with zero unavailable pods', () => {
    const hpa = one(objects(), 'HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment().metadata.name,
    });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(
      hpa.spec.behavior.scaleUp.stabilizationWindowSeconds,
    ).toBeLessThanOrEqual(30);
    expect(
      hpa.spec.behavior.scaleUp.policies.every(
        (p: any) => p.periodSeconds <= 30,
      ),
    ).toBe(true);
    expect(deployment().spec.replicas).toBeUndefined();
    const pdb = one(objects(), 'PodDisruptionBudget');
    expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
    expect(deployment().spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    const pod = deployment().spec.template.spec;
    expect(container().lifecycle.preStop.sleep.seconds).toBeLessThan(
      pod.terminationGracePeriodSeconds,
    );
  });

  it('NetworkPolicy selects the pods and limits ingress to the http port', () => {
    const np = one(objects(), 'NetworkPolicy');
    expect(np.spec.podSelector.matchLabels).toEqual(
      deployment().spec.selector.matchLabels,
    );
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toHaveLength(1);
    expect(np.spec.ingress[0].ports).toEqual([
      { port: 'http', protocol: 'TCP' },
    ]);
  });

  it('Ingress has TLS for its host and targets the Service', () => {
    const ing = one(objects(), 'Ingress');
    const svc = one(objects(), 'Service');
    expect(ing.spec.tls[0].hosts).toEqual([ing.spec.rules[0].host]);
    expect(ing.spec.tls[0].secretName).toBeTruthy();
    expect(ing.spec.rules[0].http.paths[0].backend.service).toEqual({
      name: svc.metadata.name,
      port: { name: 'http' },
    });
    expect(env('APP_BASE_URL').value).toBe(`https://${ing.spec.rules[0].host}`);
  });

  it('ServiceAccount + read-only ClusterRole for the health backend: the resources it watches, get/list/watch only, no secrets', () => {
    const sa = one(objects(), 'ServiceAccount');
    expect(sa.automountServiceAccountToken).toBe(false);
    const pod = deployment().spec.template.spec;
    expect(pod.serviceAccountName).toBe(sa.metadata.name);
    expect(pod.automountServiceAccountToken).toBe(false);
    // the token comes from an explicit projected volume (short-lived, rotated)
    const api = pod.volumes.find((x: any) => x.name === 'kube-api-access');
    expect(
      api.projected.sources[0].serviceAccountToken.expirationSeconds,
    ).toBeLessThanOrEqual(3607);
    const role = one(objects(), 'ClusterRole');
    const granted = new Set<string>();
    for (const rule of role.rules) {
      expect(rule.verbs.sort()).toEqual(['get', 'list', 'watch']);
      for (const g of rule.apiGroups)
        for (const r of rule.resources) granted.add(`${g || 'core'}/${r}`);
    }
    expect([...granted].sort()).toEqual([
      'apps/daemonsets',
      'apps/deployments',
      'apps/replicasets',
      'apps/statefulsets',
      'autoscaling/horizontalpodautoscalers',
      'core/events',
      'core/namespaces',
      'core/pods',
      'core/services',
      'events.k8s.io/events',
      'networking.k8s.io/ingresses',
    ]);
    expect(JSON.stringify(role)).not.toMatch(/secrets|\*/);
    const binding = one(objects(), 'ClusterRoleBinding');
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: sa.metadata.name, namespace: 'shipyard' },
    ]);
  });

  it('labels every workload and pod template with backstage.io/kubernetes-id', () => {
    expect(deployment().metadata.labels['backstage.io/kubernetes-id']).toBe(
      'shipyard',
    );
    expect(
      deployment().spec.template.metadata.labels['backstage.io/kubernetes-id'],
    ).toBe('shipyard');
  });
});

/** `helm template` of the chart defaults with `--set` of each `key=value`. */
const renderDefaultsWith = (...values: string[]) =>
  helmTemplate(
    undefined,
    values.flatMap(v => ['--set', v]),
  );

describe('deploy/helm/shipyard: values are validated', () => {
  it('rejects an image tagged latest (values.schema.json)', async () => {
    const r = await renderDefaultsWith('image.tag=latest');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/image\/tag/);
  });

  it('rejects a container allowed to escalate privileges (values.schema.json)', async () => {
    const r = await renderDefaultsWith(
      'securityContext.allowPrivilegeEscalation=true',
    );
    expect(r.code).not.toBe(0);
  });

  it('requires database credentials: an existing Secret or both user and password', async () => {
    const r = await renderDefaultsWith('database.existingSecret=');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('database: set existingSecret');
    const ok = await renderDefaultsWith(
      'database.existingSecret=',
      'database.auth.username=u',
      'database.auth.password=p',
    );
    expect(ok.code).toBe(0);
    const objects = parseObjects(ok.stdout);
    const secret = one(objects, 'Secret');
    const pwd = one(
      objects,
      'Deployment',
    ).spec.template.spec.containers[0].env.find(
      (e: any) => e.name === 'POSTGRES_PASSWORD',
    );
    expect(pwd.valueFrom.secretKeyRef.name).toBe(secret.metadata.name);
  });

  it('without in-cluster access the pod gets no API token and no RBAC is needed', async () => {
    const r = await renderDefaultsWith(
      'inCluster.enabled=false',
      'rbac.create=false',
    );
    expect(r.code).toBe(0);
    const objects = parseObjects(r.stdout);
    const pod = one(objects, 'Deployment').spec.template.spec;
    expect(pod.volumes.map((x: any) => x.name)).not.toContain(
      'kube-api-access',
    );
    expect(byKind(objects, 'ClusterRole')).toEqual([]);
  });

  it('a fixed replica count replaces the HPA', async () => {
    const r = await renderDefaultsWith('autoscaling.enabled=false');
    const objects = parseObjects(r.stdout);
    expect(byKind(objects, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(one(objects, 'Deployment').spec.replicas).toBe(2);
  });
});
