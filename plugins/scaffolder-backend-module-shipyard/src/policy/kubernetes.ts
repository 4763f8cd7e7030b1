import { Finding, Severity } from './types';

/**
 * A rendered Kubernetes object together with where it came from
 * (`# Source:` of `helm template`, or a manifest file).
 *
 * @public
 */
export interface SourcedObject {
  /** The object as parsed from YAML. */
  object: any;
  /** e.g. `chart/templates/deployment.yaml (values-prod.yaml)` */
  source: string;
}

/** Label selector as in `LabelSelector` (matchLabels + matchExpressions). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

const WORKLOAD_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
]);
const POD_TEMPLATE_KINDS = new Set([...WORKLOAD_KINDS, 'Job', 'CronJob']);

/** Volume types allowed by Pod Security Standards "restricted". */
const PSS_ALLOWED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/** The label the deployment-health backend uses to find a service's objects. */
export const KUBERNETES_ID_LABEL = 'backstage.io/kubernetes-id';

/**
 * true when `labels` match the selector. An empty selector (`{}`) matches
 * everything, a missing one matches nothing (Kubernetes semantics for
 * Services: no selector = no pods).
 */
export function selectorMatches(
  selector: LabelSelector | undefined | null,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (l[k] !== String(v)) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const values = (e.values ?? []).map(String);
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(l[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(l[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function podTemplateOf(obj: any): any | undefined {
  if (!obj || !POD_TEMPLATE_KINDS.has(obj.kind)) return undefined;
  if (obj.kind === 'CronJob') return obj.spec?.jobTemplate?.spec?.template;
  return obj.spec?.template;
}

function describe(obj: any): string {
  return `${obj?.kind ?? '?'}/${obj?.metadata?.name ?? '?'}`;
}

/** Image reference has an explicit tag other than `latest`, or a digest. */
export function isPinnedImage(image: string | undefined): boolean {
  if (!image) return false;
  if (image.includes('@sha256:')) return true;
  const lastSlash = image.lastIndexOf('/');
  const name = image.slice(lastSlash + 1);
  const colon = name.lastIndexOf(':');
  if (colon < 0) return false;
  const tag = name.slice(colon + 1);
  return tag.length > 0 && tag !== 'latest' && !tag.includes('$');
}

/**
 * Checks rendered Kubernetes objects (one chart rendered with one values file)
 * against the Shipyard baselines: Pod Security Standards "restricted",
 * kube-score / Polaris defaults and zero-downtime rollout settings.
 * Pure function: no I/O.
 *
 * @public
 */
export function checkKubernetesObjects(objects: SourcedObject[]): Finding[] {
  const findings: Finding[] = [];
  const add = (
    o: SourcedObject,
    rule: string,
    message: string,
    severity: Severity = 'error',
  ) =>
    findings.push({
      rule,
      file: o.source,
      message: `${describe(o.object)}: ${message}`,
      severity,
    });

  const all = objects.filter(o => o.object && typeof o.object === 'object');
  const ofKind = (kind: string) => all.filter(o => o.object.kind === kind);
  const workloads = all.filter(o => WORKLOAD_KINDS.has(o.object.kind));
  const podTemplates = all.filter(o => podTemplateOf(o.object));
  const hpas = ofKind('HorizontalPodAutoscaler');
  const pdbs = ofKind('PodDisruptionBudget');
  const netpols = ofKind('NetworkPolicy');
  const services = ofKind('Service');
  const serviceAccounts = ofKind('ServiceAccount');

  for (const o of podTemplates) {
    const template = podTemplateOf(o.object);
    const spec = template?.spec ?? {};
    const podLabels: Record<string, string> = template?.metadata?.labels ?? {};
    const podSc = spec.securityContext ?? {};
    const containers: any[] = spec.containers ?? [];
    const initContainers: any[] = spec.initContainers ?? [];
    const allContainers = [...initContainers, ...containers];
    const isLongRunning = WORKLOAD_KINDS.has(o.object.kind);

    // --- Pod Security Standards: restricted
    if (spec.hostNetwork || spec.hostPID || spec.hostIPC) {
      add(
        o,
        'k8s.pss.host-namespaces',
        'hostNetwork/hostPID/hostIPC must not be set',
      );
    }
    for (const v of spec.volumes ?? []) {
      const type = Object.keys(v).find(k => k !== 'name');
      if (type && !PSS_ALLOWED_VOLUME_TYPES.has(type)) {
        add(
          o,
          'k8s.pss.volume-types',
          `volume "${v.name}" uses type "${type}", not allowed by Pod Security "restricted"`,
        );
      }
    }
    for (const c of allContainers) {
      const sc = c.securityContext ?? {};
      const cn = `container "${c.name}"`;
      const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
      if (runAsNonRoot !== true) {
        add(
          o,
          'k8s.pss.run-as-non-root',
          `${cn}: securityContext.runAsNonRoot must be true`,
        );
      }
      const runAsUser = sc.runAsUser ?? podSc.runAsUser;
      if (runAsUser === 0) {
        add(o, 'k8s.pss.run-as-user', `${cn}: runAsUser must not be 0 (root)`);
      }
      if (sc.privileged) {
        add(o, 'k8s.pss.privileged', `${cn}: privileged must not be true`);
      }
      if (sc.allowPrivilegeEscalation !== false) {
        add(
          o,
          'k8s.pss.allow-privilege-escalation',
          `${cn}: securityContext.allowPrivilegeEscalation must be false`,
        );
      }
      const drop: string[] = sc.capabilities?.drop ?? [];
      if (!drop.includes('ALL')) {
        add(
          o,
          'k8s.pss.capabilities',
          `${cn}: securityContext.capabilities.drop must include ALL`,
        );
      }
      const added: string[] = sc.capabilities?.add ?? [];
      if (added.some(a => a !== 'NET_BIND_SERVICE')) {
        add(
          o,
          'k8s.pss.capabilities',
          `${cn}: only NET_BIND_SERVICE may be added to capabilities (found ${added.join(
            ', ',
          )})`,
        );
      }
      const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
        add(
          o,
          'k8s.pss.seccomp',
          `${cn}: seccompProfile.type must be RuntimeDefault (pod or container)`,
        );
      }
      if ((c.ports ?? []).some((p: any) => p.hostPort)) {
        add(o, 'k8s.pss.host-ports', `${cn}: hostPort must not be used`);
      }
      if (sc.readOnlyRootFilesystem !== true) {
        add(
          o,
          'k8s.read-only-root-filesystem',
          `${cn}: securityContext.readOnlyRootFilesystem must be true`,
        );
      }
      // image
      if (!isPinnedImage(c.image)) {
        add(
          o,
          'k8s.image-tag',
          `${cn}: image "${
            c.image ?? ''
          }" must have a tag other than latest (or a digest)`,
        );
      }
      // resources
      const req = c.resources?.requests ?? {};
      const lim = c.resources?.limits ?? {};
      const missing = [
        req.cpu === undefined && 'requests.cpu',
        req.memory === undefined && 'requests.memory',
        lim.memory === undefined && 'limits.memory',
      ].filter(Boolean);
      if (missing.length) {
        add(
          o,
          'k8s.resources',
          `${cn}: missing resources ${missing.join(', ')}`,
        );
      }
      if (lim.cpu === undefined) {
        add(o, 'k8s.resources.cpu-limit', `${cn}: no limits.cpu`, 'warning');
      }
    }
    for (const c of containers) {
      const cn = `container "${c.name}"`;
      const mounts: any[] = c.volumeMounts ?? [];
      const tmp = mounts.find(m => m.mountPath === '/tmp');
      const tmpVol =
        tmp && (spec.volumes ?? []).find((v: any) => v.name === tmp.name);
      if (!tmpVol?.emptyDir) {
        add(
          o,
          'k8s.tmp-emptydir',
          `${cn}: mount an emptyDir volume at /tmp (read-only root filesystem)`,
        );
      }
      if (isLongRunning) {
        if (!c.readinessProbe)
          add(o, 'k8s.probes.readiness', `${cn}: no readinessProbe`);
        if (!c.livenessProbe)
          add(o, 'k8s.probes.liveness', `${cn}: no livenessProbe`);
        if (!c.lifecycle?.preStop) {
          add(
            o,
            'k8s.rollout.pre-stop',
            `${cn}: no lifecycle.preStop hook (lets endpoints drain before SIGTERM)`,
          );
        }
      }
    }

    // --- service account token
    if (spec.automountServiceAccountToken !== false) {
      const saName = spec.serviceAccountName ?? 'default';
      const sa = serviceAccounts.find(s => s.object.metadata?.name === saName);
      if (sa?.object.automountServiceAccountToken !== false) {
        add(
          o,
          'k8s.automount-service-account-token',
          'automountServiceAccountToken must be false unless the pod needs the API',
        );
      }
    }

    if (!isLongRunning) continue;

    // --- labels for the deployment-health backend
    if (
      !o.object.metadata?.labels?.[KUBERNETES_ID_LABEL] ||
      !podLabels[KUBERNETES_ID_LABEL]
    ) {
      add(
        o,
        'k8s.labels.kubernetes-id',
        `workload and pod template must carry the ${KUBERNETES_ID_LABEL} label`,
      );
    }

    if (spec.terminationGracePeriodSeconds === undefined) {
      add(
        o,
        'k8s.rollout.termination-grace-period',
        'set terminationGracePeriodSeconds explicitly',
      );
    }

    const hpa = hpas.find(h => {
      const ref = h.object.spec?.scaleTargetRef ?? {};
      return ref.kind === o.object.kind && ref.name === o.object.metadata?.name;
    });
    if (
      hpa &&
      o.object.spec?.replicas !== undefined &&
      o.object.spec?.replicas !== null
    ) {
      add(
        o,
        'k8s.hpa.replicas',
        `spec.replicas must not be set: ${describe(
          hpa.object,
        )} manages the replica count`,
      );
    }

    if (o.object.kind === 'Deployment') {
      const strategy = o.object.spec?.strategy ?? {};
      if (strategy.type && strategy.type !== 'RollingUpdate') {
        add(
          o,
          'k8s.rollout.strategy',
          `strategy.type must be RollingUpdate (is ${strategy.type})`,
        );
      } else {
        const mu = strategy.rollingUpdate?.maxUnavailable;
        if (mu !== 0 && mu !== '0' && mu !== '0%') {
          add(
            o,
            'k8s.rollout.max-unavailable',
            'strategy.rollingUpdate.maxUnavailable must be 0',
          );
        }
      }
    }

    if (o.object.kind === 'Deployment' || o.object.kind === 'StatefulSet') {
      const affinity = spec.affinity?.podAntiAffinity;
      const spread = spec.topologySpreadConstraints ?? [];
      if (!affinity && spread.length === 0) {
        add(
          o,
          'k8s.anti-affinity',
          'set podAntiAffinity or topologySpreadConstraints to spread replicas',
        );
      }
      if (
        !pdbs.some(p => selectorMatches(p.object.spec?.selector, podLabels))
      ) {
        add(o, 'k8s.pdb', 'no PodDisruptionBudget selects the pods');
      }
    }

    if (
      !netpols.some(n => selectorMatches(n.object.spec?.podSelector, podLabels))
    ) {
      add(o, 'k8s.network-policy', 'no NetworkPolicy selects the pods');
    }
  }

  const podLabelSets = workloads.map(
    w => podTemplateOf(w.object)?.metadata?.labels ?? {},
  );

  for (const s of services) {
    const selector = s.object.spec?.selector;
    if (s.object.spec?.type === 'ExternalName' || !selector) continue;
    if (
      !podLabelSets.some(l => selectorMatches({ matchLabels: selector }, l))
    ) {
      add(
        s,
        'k8s.service.selector',
        'selector matches no pod template in the chart',
      );
    }
  }

  for (const i of ofKind('Ingress')) {
    const spec = i.object.spec ?? {};
    const backends: any[] = [];
    if (spec.defaultBackend) backends.push(spec.defaultBackend);
    for (const r of spec.rules ?? []) {
      for (const p of r.http?.paths ?? []) backends.push(p.backend);
    }
    if (backends.length === 0) {
      add(i, 'k8s.ingress.backend', 'no backend service');
    }
    for (const b of backends) {
      const name = b?.service?.name;
      const svc = services.find(s => s.object.metadata?.name === name);
      if (!svc) {
        add(
          i,
          'k8s.ingress.backend',
          `backend service "${name ?? ''}" is not defined in the chart`,
        );
        continue;
      }
      const port = b.service.port ?? {};
      const ports: any[] = svc.object.spec?.ports ?? [];
      if (
        (port.name !== undefined && !ports.some(p => p.name === port.name)) ||
        (port.number !== undefined && !ports.some(p => p.port === port.number))
      ) {
        add(
          i,
          'k8s.ingress.backend',
          `backend port ${
            port.name ?? port.number
          } is not a port of Service/${name}`,
        );
      }
    }
    const tlsHosts = new Set<string>(
      (spec.tls ?? []).flatMap((t: any) => t.hosts ?? []),
    );
    if (!spec.tls || spec.tls.length === 0) {
      add(i, 'k8s.ingress.tls', 'no TLS configured (spec.tls)');
    } else {
      for (const r of spec.rules ?? []) {
        if (r.host && !tlsHosts.has(r.host)) {
          add(
            i,
            'k8s.ingress.tls',
            `host ${r.host} is not covered by spec.tls`,
          );
        }
      }
    }
  }

  for (const h of hpas) {
    const scaleUp = h.object.spec?.behavior?.scaleUp;
    if (!scaleUp) {
      add(
        h,
        'k8s.hpa.scale-up',
        'set behavior.scaleUp so scale-up reacts within 30 s',
      );
      continue;
    }
    if ((scaleUp.stabilizationWindowSeconds ?? 0) > 30) {
      add(
        h,
        'k8s.hpa.scale-up',
        `behavior.scaleUp.stabilizationWindowSeconds is ${scaleUp.stabilizationWindowSeconds}, must be ≤ 30`,
      );
    }
    if (scaleUp.selectPolicy === 'Disabled') {
      add(
        h,
        'k8s.hpa.scale-up',
        'behavior.scaleUp.selectPolicy must not be Disabled',
      );
    }
    const policies: any[] = scaleUp.policies ?? [];
    if (policies.length && !policies.some(p => (p.periodSeconds ?? 0) <= 30)) {
      add(
        h,
        'k8s.hpa.scale-up',
        'no behavior.scaleUp policy has periodSeconds ≤ 30',
      );
    }
    const ref = h.object.spec?.scaleTargetRef ?? {};
    if (
      !workloads.some(
        w => w.object.kind === ref.kind && w.object.metadata?.name === ref.name,
      )
    ) {
      add(
        h,
        'k8s.hpa.target',
        `scaleTargetRef ${ref.kind}/${ref.name} is not defined in the chart`,
      );
    }
  }

  for (const p of pdbs) {
    if (!podLabelSets.some(l => selectorMatches(p.object.spec?.selector, l))) {
      add(
        p,
        'k8s.pdb',
        'selector matches no pod template in the chart',
        'warning',
      );
    }
  }

  return findings;
}
