import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { checkCompose } from './compose';
import { checkDockerfile } from './dockerfile';
import {
  checkKubernetesObjects,
  isPinnedImage,
  selectorMatches,
  SourcedObject,
} from './kubernetes';
import { parseRenderedManifests } from './helm';
import { validateDirectory } from './validateDirectory';
import { resolveHelmBinary } from '../lib/helm';
import { Finding } from './types';

const FIXTURES = path.resolve(__dirname, '../__fixtures__');
const GOOD = path.join(FIXTURES, 'good-service');
const read = (p: string) => readFileSync(path.join(GOOD, p), 'utf8');
const errorRules = (f: Finding[]) =>
  f.filter(x => x.severity === 'error').map(x => x.rule);

describe('checkDockerfile', () => {
  const good = read('Dockerfile');
  const check = (content: string) => checkDockerfile(content, 'Dockerfile');

  it('passes the good fixture', () => {
    expect(check(good)).toEqual([]);
  });

  it.each([
    [
      'unpinned base image',
      good.replace(
        'FROM node:${NODE_VERSION}-alpine AS runtime',
        'FROM node AS runtime',
      ),
      'dockerfile.pinned-base-image',
      11,
    ],
    [
      'latest base image',
      good.replace(
        'FROM node:${NODE_VERSION}-alpine AS runtime',
        'FROM node:latest AS runtime',
      ),
      'dockerfile.pinned-base-image',
      11,
    ],
    [
      'ARG without default',
      good.replace('ARG NODE_VERSION=22.11.0', 'ARG NODE_VERSION'),
      'dockerfile.pinned-base-image',
      4,
    ],
    [
      'single stage',
      good
        .split('\n')
        .filter((_, i) => i < 3 || i >= 10)
        .join('\n'),
      'dockerfile.multi-stage',
      undefined,
    ],
    [
      'root user',
      good.replace('USER node', 'USER root'),
      'dockerfile.user',
      17,
    ],
    ['no user', good.replace('USER node\n', ''), 'dockerfile.user', 11],
    [
      'shell form CMD',
      good.replace('CMD ["node", "dist/index.js"]', 'CMD node dist/index.js'),
      'dockerfile.exec-form',
      21,
    ],
    [
      'ADD local files',
      good.replace('COPY . .', 'ADD . .'),
      'dockerfile.no-add',
      8,
    ],
    [
      'apk cache',
      good.replace('apk add --no-cache tini', 'apk add tini'),
      'dockerfile.cache-cleaned',
      12,
    ],
    [
      'apt cache',
      good.replace(
        'apk add --no-cache tini',
        'apt-get update && apt-get install -y --no-install-recommends tini',
      ),
      'dockerfile.cache-cleaned',
      12,
    ],
    [
      'no healthcheck',
      good.replace(/^HEALTHCHECK.*\n/m, ''),
      'dockerfile.healthcheck',
      11,
    ],
  ])('flags %s', (_name, content, rule, line) => {
    const findings = check(content);
    const f = findings.find(x => x.rule === rule && x.severity === 'error');
    expect(f).toBeDefined();
    expect(line === undefined || f!.line === line).toBe(true);
  });

  it('allows ADD of remote URLs and FROM an earlier stage', () => {
    const content = `${good}\nFROM runtime AS extra\nADD https://example.com/a.tgz /tmp/\nUSER node\nHEALTHCHECK CMD ["true"]\n`;
    expect(errorRules(check(content))).toEqual([]);
  });
});

describe('checkCompose', () => {
  const good = read('compose.yaml');
  const check = (content: string, opts = {}) =>
    checkCompose(content, 'compose.yaml', {
      hasEnvExample: true,
      dockerfileHasHealthcheck: true,
      ...opts,
    });
  const mutate = (fn: (c: any) => void) => {
    const c = parse(good);
    fn(c);
    return stringify(c);
  };

  it('passes the good fixture', () => {
    expect(check(good)).toEqual([]);
  });

  it('reports schema errors with a line', () => {
    const findings = check(
      good.replace('    build: .', '    build: .\n    bogus: 1'),
    );
    const f = findings.find(x => x.rule === 'compose.schema');
    expect(f).toMatchObject({ severity: 'error', line: 3 });
    expect(f!.message).toContain('bogus');
  });

  it.each([
    [
      'missing healthcheck',
      (c: any) => delete c.services.db.healthcheck,
      'compose.healthcheck',
    ],
    [
      'disabled healthcheck',
      (c: any) => (c.services.app.healthcheck = { disable: true }),
      'compose.healthcheck',
    ],
    [
      'short depends_on',
      (c: any) => (c.services.app.depends_on = ['db']),
      'compose.depends-on-healthy',
    ],
    [
      'service_started',
      (c: any) => (c.services.app.depends_on.db.condition = 'service_started'),
      'compose.depends-on-healthy',
    ],
    [
      'undeclared volume',
      (c: any) => delete c.volumes,
      'compose.named-volumes',
    ],
    [
      'literal secret',
      (c: any) => (c.services.db.environment.POSTGRES_PASSWORD = 'hunter2'),
      'compose.no-secrets',
    ],
    [
      'password in a URL',
      (c: any) =>
        (c.services.app.environment = {
          DATABASE_URL: 'postgres://app:hunter2@db:5432/app',
        }),
      'compose.no-secrets',
    ],
  ])('flags %s', (_name, fn, rule) => {
    expect(errorRules(check(mutate(fn)))).toContain(rule);
  });

  it('accepts a build service without healthcheck when the Dockerfile has one', () => {
    const content = mutate(c => delete c.services.app.healthcheck);
    expect(errorRules(check(content))).toEqual([]);
    expect(
      errorRules(check(content, { dockerfileHasHealthcheck: false })),
    ).toEqual(['compose.healthcheck']);
  });

  it('accepts a URL whose password comes from a variable', () => {
    const content = mutate(
      c =>
        (c.services.app.environment = {
          DATABASE_URL: 'postgres://app:${POSTGRES_PASSWORD}@db:5432/app',
        }),
    );
    expect(errorRules(check(content))).toEqual([]);
  });

  it('takes read-only bind mounts (hot-reload source, config) for no data, and warns on a writable one', () => {
    const named = (c: any) =>
      check(c)
        .filter(f => f.rule === 'compose.named-volumes')
        .map(f => `${f.severity}: ${f.message}`);
    const readOnly = mutate(
      c =>
        (c.services.app.volumes = [
          './src:/app/src:ro',
          './monitoring/prometheus.yml:/etc/prometheus/prometheus.yml:ro,z',
          {
            type: 'bind',
            source: './tests',
            target: '/app/tests',
            read_only: true,
          },
        ]),
    );
    expect(named(readOnly)).toEqual([]);
    const writable = mutate(
      c =>
        (c.services.app.volumes = [
          './src:/app/src',
          './cache:/app/cache:rw',
          { type: 'bind', source: './tests', target: '/app/tests' },
        ]),
    );
    expect(named(writable)).toEqual([
      'warning: service "app" bind-mounts "./src" read-write; prefer named volumes for data, or mount it read-only (:ro)',
      'warning: service "app" bind-mounts "./cache" read-write; prefer named volumes for data, or mount it read-only (:ro)',
      'warning: service "app" bind-mounts "./tests" read-write; prefer named volumes for data, or mount it read-only (:ro)',
    ]);
  });

  it('flags a committed .env and a missing .env.example', () => {
    expect(errorRules(check(good, { hasDotEnv: true }))).toEqual([
      'compose.no-secrets',
    ]);
    expect(check(good, { hasEnvExample: false }).map(f => f.rule)).toEqual([
      'compose.env-example',
    ]);
  });
});

describe('checkKubernetesObjects', () => {
  const rendered = readFileSync(
    path.join(FIXTURES, 'rendered-good-prod.yaml'),
    'utf8',
  );
  const base = () =>
    parseRenderedManifests(rendered, {
      chartName: 'good-service',
      sourcePrefix: 'chart',
      suffix: ' (values-prod.yaml)',
    });
  const mutate = (kind: string, fn: (o: any) => void): SourcedObject[] => {
    const objs = base();
    const target = objs.find(o => o.object.kind === kind);
    if (!target) throw new Error(`no ${kind}`);
    fn(target.object);
    return objs;
  };
  const without = (kind: string) => base().filter(o => o.object.kind !== kind);
  const pod = (d: any) => d.spec.template.spec;
  const app = (d: any) => d.spec.template.spec.containers[0];

  it('parses helm output with sources', () => {
    const objs = base();
    expect(objs.map(o => o.object.kind).sort()).toEqual([
      'Deployment',
      'HorizontalPodAutoscaler',
      'Ingress',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
    ]);
    expect(objs.find(o => o.object.kind === 'Deployment')!.source).toBe(
      'chart/templates/deployment.yaml (values-prod.yaml)',
    );
  });

  it('refuses invalid YAML instead of checking part of it', () => {
    expect(() =>
      parseRenderedManifests('---\n# Source: c/templates/a.yaml\na: [1\n'),
    ).toThrow(/invalid YAML in c\/templates\/a\.yaml/);
  });

  it('passes the good chart', () => {
    expect(checkKubernetesObjects(base())).toEqual([]);
  });

  it.each<[string, SourcedObject[] | (() => SourcedObject[]), string]>([
    [
      'runAsNonRoot',
      () =>
        mutate('Deployment', d => delete pod(d).securityContext.runAsNonRoot),
      'k8s.pss.run-as-non-root',
    ],
    [
      'runAsUser 0',
      () => mutate('Deployment', d => (app(d).securityContext.runAsUser = 0)),
      'k8s.pss.run-as-user',
    ],
    [
      'privilege escalation',
      () =>
        mutate(
          'Deployment',
          d => (app(d).securityContext.allowPrivilegeEscalation = true),
        ),
      'k8s.pss.allow-privilege-escalation',
    ],
    [
      'capabilities',
      () =>
        mutate(
          'Deployment',
          d => (app(d).securityContext.capabilities = { drop: ['NET_RAW'] }),
        ),
      'k8s.pss.capabilities',
    ],
    [
      'seccomp',
      () =>
        mutate('Deployment', d => delete pod(d).securityContext.seccompProfile),
      'k8s.pss.seccomp',
    ],
    [
      'hostPath volume',
      () =>
        mutate('Deployment', d =>
          pod(d).volumes.push({ name: 'h', hostPath: { path: '/' } }),
        ),
      'k8s.pss.volume-types',
    ],
    [
      'hostNetwork',
      () => mutate('Deployment', d => (pod(d).hostNetwork = true)),
      'k8s.pss.host-namespaces',
    ],
    [
      'read-only root fs',
      () =>
        mutate(
          'Deployment',
          d => (app(d).securityContext.readOnlyRootFilesystem = false),
        ),
      'k8s.read-only-root-filesystem',
    ],
    [
      '/tmp emptyDir',
      () => mutate('Deployment', d => (app(d).volumeMounts = [])),
      'k8s.tmp-emptydir',
    ],
    [
      'resources',
      () => mutate('Deployment', d => delete app(d).resources),
      'k8s.resources',
    ],
    [
      'a zero cpu request',
      () => mutate('Deployment', d => (app(d).resources.requests.cpu = 0)),
      'k8s.resources',
    ],
    [
      'a zero memory request',
      () =>
        mutate('Deployment', d => (app(d).resources.requests.memory = '0Mi')),
      'k8s.resources',
    ],
    [
      'an empty memory limit',
      () => mutate('Deployment', d => (app(d).resources.limits.memory = null)),
      'k8s.resources',
    ],
    [
      'readiness probe',
      () => mutate('Deployment', d => delete app(d).readinessProbe),
      'k8s.probes.readiness',
    ],
    [
      'liveness probe',
      () => mutate('Deployment', d => delete app(d).livenessProbe),
      'k8s.probes.liveness',
    ],
    [
      'latest image',
      () => mutate('Deployment', d => (app(d).image = 'ghcr.io/x/y:latest')),
      'k8s.image-tag',
    ],
    [
      'untagged image',
      () => mutate('Deployment', d => (app(d).image = 'ghcr.io/x/y')),
      'k8s.image-tag',
    ],
    [
      'automount token',
      () =>
        mutate(
          'Deployment',
          d => delete pod(d).automountServiceAccountToken,
        ).filter(o => o.object.kind !== 'ServiceAccount'),
      'k8s.automount-service-account-token',
    ],
    [
      'spread',
      () => mutate('Deployment', d => delete pod(d).topologySpreadConstraints),
      'k8s.anti-affinity',
    ],
    [
      'maxUnavailable',
      () =>
        mutate(
          'Deployment',
          d => (d.spec.strategy.rollingUpdate.maxUnavailable = 1),
        ),
      'k8s.rollout.max-unavailable',
    ],
    [
      'Recreate',
      () => mutate('Deployment', d => (d.spec.strategy = { type: 'Recreate' })),
      'k8s.rollout.strategy',
    ],
    [
      'preStop',
      () => mutate('Deployment', d => delete app(d).lifecycle),
      'k8s.rollout.pre-stop',
    ],
    [
      'grace period',
      () =>
        mutate('Deployment', d => delete pod(d).terminationGracePeriodSeconds),
      'k8s.rollout.termination-grace-period',
    ],
    [
      'grace period 0',
      () =>
        mutate('Deployment', d => (pod(d).terminationGracePeriodSeconds = 0)),
      'k8s.rollout.termination-grace-period',
    ],
    [
      'replicas with HPA',
      () => mutate('Deployment', d => (d.spec.replicas = 3)),
      'k8s.hpa.replicas',
    ],
    [
      'kubernetes-id label',
      () =>
        mutate(
          'Deployment',
          d =>
            delete d.spec.template.metadata.labels[
              'backstage.io/kubernetes-id'
            ],
        ),
      'k8s.labels.kubernetes-id',
    ],
    ['no PDB', () => without('PodDisruptionBudget'), 'k8s.pdb'],
    ['no NetworkPolicy', () => without('NetworkPolicy'), 'k8s.network-policy'],
    [
      'NetworkPolicy selects other pods',
      () =>
        mutate(
          'NetworkPolicy',
          n => (n.spec.podSelector = { matchLabels: { app: 'other' } }),
        ),
      'k8s.network-policy',
    ],
    [
      'Service selector',
      () => mutate('Service', s => (s.spec.selector = { app: 'other' })),
      'k8s.service.selector',
    ],
    [
      'Ingress backend',
      () =>
        mutate(
          'Ingress',
          i => (i.spec.rules[0].http.paths[0].backend.service.name = 'nope'),
        ),
      'k8s.ingress.backend',
    ],
    [
      'Ingress port',
      () =>
        mutate(
          'Ingress',
          i =>
            (i.spec.rules[0].http.paths[0].backend.service.port = {
              name: 'grpc',
            }),
        ),
      'k8s.ingress.backend',
    ],
    [
      'Ingress TLS',
      () => mutate('Ingress', i => delete i.spec.tls),
      'k8s.ingress.tls',
    ],
    [
      'Ingress TLS host',
      () =>
        mutate('Ingress', i => (i.spec.tls[0].hosts = ['other.example.com'])),
      'k8s.ingress.tls',
    ],
    [
      'Ingress rule without host',
      () => mutate('Ingress', i => delete i.spec.rules[0].host),
      'k8s.ingress.tls',
    ],
    [
      'HPA behavior',
      () => mutate('HorizontalPodAutoscaler', h => delete h.spec.behavior),
      'k8s.hpa.scale-up',
    ],
    [
      'HPA slow scale-up',
      () =>
        mutate(
          'HorizontalPodAutoscaler',
          h => (h.spec.behavior.scaleUp.stabilizationWindowSeconds = 300),
        ),
      'k8s.hpa.scale-up',
    ],
    [
      'HPA long period',
      () =>
        mutate(
          'HorizontalPodAutoscaler',
          h => (h.spec.behavior.scaleUp.policies[0].periodSeconds = 60),
        ),
      'k8s.hpa.scale-up',
    ],
    [
      'HPA target',
      () =>
        mutate('HorizontalPodAutoscaler', h => {
          delete h.spec.behavior;
          h.spec.scaleTargetRef.name = 'nope';
        }),
      'k8s.hpa.target',
    ],
  ])('flags %s', (_name, objs, rule) => {
    const findings = checkKubernetesObjects(
      typeof objs === 'function' ? objs() : objs,
    );
    expect(errorRules(findings)).toContain(rule);
    expect(findings.find(f => f.rule === rule)!.file).toMatch(
      /\(values-prod\.yaml\)$/,
    );
  });

  it('names the field and the rule of a zero resource, grace period or hostless rule', () => {
    const messages = (objs: SourcedObject[]) =>
      checkKubernetesObjects(objs).map(
        f => `${f.severity} [${f.rule}] ${f.message}`,
      );
    expect(
      messages(
        mutate('Deployment', d => {
          app(d).resources = {
            requests: { cpu: '0m', memory: '128Mi' },
            limits: { cpu: 0, memory: '0' },
          };
          pod(d).terminationGracePeriodSeconds = 0;
        }),
      ),
    ).toEqual([
      'error [k8s.resources] Deployment/web-good-service: container "app": resources requests.cpu, limits.memory must be above 0',
      'warning [k8s.resources.cpu-limit] Deployment/web-good-service: container "app": limits.cpu must be above 0',
      'error [k8s.rollout.termination-grace-period] Deployment/web-good-service: terminationGracePeriodSeconds must be above 0 (is 0)',
    ]);
    expect(
      messages(mutate('Ingress', i => delete i.spec.rules[0].host)),
    ).toEqual([
      'error [k8s.ingress.tls] Ingress/web-good-service: a rule without host is not covered by spec.tls (set rules[].host)',
    ]);
  });

  it('matches label selectors', () => {
    const labels = { a: '1', b: '2' };
    expect(selectorMatches({ matchLabels: { a: '1' } }, labels)).toBe(true);
    expect(selectorMatches({}, labels)).toBe(true);
    expect(selectorMatches(undefined, labels)).toBe(false);
    expect(
      selectorMatches(
        {
          matchExpressions: [{ key: 'b', operator: 'In', values: ['2', '3'] }],
        },
        labels,
      ),
    ).toBe(true);
    expect(
      selectorMatches(
        { matchExpressions: [{ key: 'c', operator: 'Exists' }] },
        labels,
      ),
    ).toBe(false);
    expect(
      selectorMatches(
        { matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] },
        labels,
      ),
    ).toBe(false);
    expect(isPinnedImage('localhost:5000/app')).toBe(false);
    expect(isPinnedImage('localhost:5000/app:1.2')).toBe(true);
    expect(isPinnedImage('app@sha256:abc')).toBe(true);
  });
});

describe('validateDirectory (real helm)', () => {
  let helm: string;
  let tmp: string;
  beforeAll(async () => {
    // No helm is a failure, not a skip (as in deploy.test.ts and the template
    // tests): these tests claim the real helm renders, and the error says how
    // to get it (`scripts/cluster build`).
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'shipyard-validate-'));
    helm = await resolveHelmBinary();
  });
  afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

  const copyGood = async (name: string) => {
    const dir = path.join(tmp, name);
    await fs.cp(GOOD, dir, { recursive: true });
    return dir;
  };

  it('passes the good service for every values file', async () => {
    const report = await validateDirectory(GOOD, { helm });
    expect(report.findings.filter(f => f.severity !== 'info')).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.checked).toEqual({
      dockerfiles: ['Dockerfile'],
      composeFiles: ['compose.yaml'],
      charts: [
        {
          chart: 'chart',
          valuesFiles: ['values-dev.yaml', 'values-prod.yaml'],
        },
      ],
    });
  });

  it('reports per values file what breaks', async () => {
    const dir = await copyGood('bad-prod');
    // prod enables the HPA: a replicas value that ignores autoscaling breaks only prod
    const deployment = path.join(dir, 'chart/templates/deployment.yaml');
    const content = await fs.readFile(deployment, 'utf8');
    await fs.writeFile(
      deployment,
      content.replace(
        '  {{- if not .Values.autoscaling.enabled }}\n  replicas: {{ .Values.replicaCount }}\n  {{- end }}',
        '  replicas: {{ .Values.replicaCount }}',
      ),
    );
    const report = await validateDirectory(dir, { helm });
    expect(report.passed).toBe(false);
    const errs = report.findings.filter(f => f.severity === 'error');
    expect(errs).toEqual([
      expect.objectContaining({
        rule: 'k8s.hpa.replicas',
        file: 'chart/templates/deployment.yaml (values-prod.yaml)',
      }),
    ]);
  });

  it('reports helm render failures (values.schema.json)', async () => {
    const dir = await copyGood('bad-schema');
    await fs.writeFile(
      path.join(dir, 'chart/values-dev.yaml'),
      'replicaCount: 0\n',
    );
    const report = await validateDirectory(dir, { helm });
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        rule: 'helm.render',
        file: 'chart/values-dev.yaml',
        severity: 'error',
      }),
    );
  });
});

describe('validateDirectory (no helm)', () => {
  it('errors on a chart without helm', async () => {
    const report = await validateDirectory(GOOD, {});
    expect(report.findings).toContainEqual(
      expect.objectContaining({ rule: 'helm.binary', severity: 'error' }),
    );
  });
});
