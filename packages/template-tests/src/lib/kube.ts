/*
 * Kubernetes checks for rendered charts: JSON-schema validation with the
 * kubernetes-models package, Shipyard's policy baselines (the rules behind
 * shipyard:validate: the baselines every generated artifact must pass), and what the golden-path chart promises
 * beyond them. kube-score's checks run the real kube-score (templates.test.ts):
 * nothing here repeats one of them. Every function returns a list of violations (empty = pass) so
 * a test can print all of them at once.
 */
import {
  checkKubernetesObjects,
  KUBERNETES_ID_LABEL,
} from '@shipyard-platform/backstage-plugin-scaffolder-backend-module-shipyard';

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: any;
  spec?: any;
  [k: string]: any;
};

const MODELS: Record<string, string> = {
  'v1/Service': 'kubernetes-models/v1/Service',
  'v1/ServiceAccount': 'kubernetes-models/v1/ServiceAccount',
  'v1/Pod': 'kubernetes-models/v1/Pod',
  'v1/ConfigMap': 'kubernetes-models/v1/ConfigMap',
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'autoscaling/v2/HorizontalPodAutoscaler':
    'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
  'policy/v1/PodDisruptionBudget':
    'kubernetes-models/policy/v1/PodDisruptionBudget',
  'networking.k8s.io/v1/NetworkPolicy':
    'kubernetes-models/networking.k8s.io/v1/NetworkPolicy',
  'networking.k8s.io/v1/Ingress':
    'kubernetes-models/networking.k8s.io/v1/Ingress',
};
/** CRDs that the chart may render: not in kubernetes-models, checked by shape below. */
const CRDS = new Set([
  'monitoring.coreos.com/v1/ServiceMonitor',
  'security.istio.io/v1/PeerAuthentication',
]);

/** Validates an object against the Kubernetes OpenAPI schema (kubernetes-models). */
export function schemaErrors(obj: K8sObject): string[] {
  const key = `${obj.apiVersion}/${obj.kind}`;
  if (CRDS.has(key)) {
    return obj.spec?.selector?.matchLabels
      ? []
      : [`${key}: spec.selector.matchLabels missing`];
  }
  const modulePath = MODELS[key];
  if (!modulePath)
    return [`${key}: no schema known (add it to MODELS in kube.ts)`];
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mod = require(modulePath);
  const Model = mod[obj.kind] ?? mod.default;
  try {
    new Model(obj).validate();
    return [];
  } catch (e: any) {
    return [`${key} ${obj.metadata?.name}: ${e.message}`];
  }
}

function matches(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
) {
  if (!selector || !Object.keys(selector).length) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** Pod Security Standards "restricted", read-only root fs with an emptyDir on /tmp, pinned images. */
const POD_SECURITY_RULES =
  /^k8s\.(pss\.|read-only-root-filesystem$|tmp-emptydir$|image-tag$)/;

/** Shipyard's policy findings (warnings too) whose rule `wanted` accepts. */
function policyViolations(
  objects: K8sObject[],
  wanted: (rule: string) => boolean,
): string[] {
  return checkKubernetesObjects(
    objects.map(object => ({ object, source: 'rendered' })),
  )
    .filter(f => wanted(f.rule))
    .map(f => `[${f.rule}] ${f.message}`);
}

/** The pod security baseline, as Shipyard's policy rules check it. */
export function podSecurityViolations(objects: K8sObject[]): string[] {
  return policyViolations(objects, rule => POD_SECURITY_RULES.test(rule));
}

/**
 * Polaris defaults and the zero-downtime baseline: the rest of
 * Shipyard's policy rules, and what the golden-path chart promises beyond
 * them.
 */
export function workloadViolations(objects: K8sObject[]): string[] {
  return [
    ...policyViolations(objects, rule => !POD_SECURITY_RULES.test(rule)),
    ...goldenPathViolations(objects),
  ];
}

/** Stricter than the baselines, or beyond them: what every generated chart does. */
function goldenPathViolations(objects: K8sObject[]): string[] {
  const v: string[] = [];
  const deployments = objects.filter(o => o.kind === 'Deployment');
  if (deployments.length !== 1)
    v.push(`expected exactly one Deployment, got ${deployments.length}`);
  for (const d of deployments) {
    const where = `Deployment/${d.metadata.name}`;
    const pod = d.spec.template.spec;
    // (the Deployment's selector matching its pod labels: kube-score's
    // deployment-pod-selector-labels-match-template-metadata-labels)
    const podLabels = d.spec.template.metadata?.labels ?? {};
    for (const c of pod.containers) {
      if (c.livenessProbe?.httpGet?.path !== '/health')
        v.push(`${where} ${c.name}: livenessProbe /health missing`);
      if (c.readinessProbe?.httpGet?.path !== '/ready')
        v.push(`${where} ${c.name}: readinessProbe /ready missing`);
      if (!c.startupProbe) v.push(`${where} ${c.name}: startupProbe missing`);
      const env = Object.fromEntries(
        (c.env ?? []).map((e: any) => [e.name, e]),
      );
      for (const name of ['DATABASE_URL', 'REDIS_URL']) {
        if (env[name] && !env[name].valueFrom?.secretKeyRef)
          v.push(`${where}: ${name} not from a secretKeyRef`);
      }
      if (!(c.ports ?? []).some((p: any) => p.name === 'metrics'))
        v.push(`${where} ${c.name}: metrics port missing`);
    }
    // The policy also accepts a strategy without type (RollingUpdate is the
    // default) and maxUnavailable "0%"; the chart says both explicitly.
    const strategy = d.spec.strategy ?? {};
    if (
      strategy.type !== 'RollingUpdate' ||
      strategy.rollingUpdate?.maxUnavailable !== 0
    ) {
      v.push(`${where}: RollingUpdate with maxUnavailable 0 missing`);
    }
    if (pod.automountServiceAccountToken !== false)
      v.push(`${where}: automountServiceAccountToken not false`);
    for (const t of pod.topologySpreadConstraints ?? []) {
      if (!matches(t.labelSelector?.matchLabels, podLabels))
        v.push(`${where}: topology spread selector does not match pods`);
    }
    const hpas = objects.filter(
      o =>
        o.kind === 'HorizontalPodAutoscaler' &&
        o.spec.scaleTargetRef?.kind === 'Deployment' &&
        o.spec.scaleTargetRef?.name === d.metadata.name,
    );
    // The policy flags any other value; it lets `replicas: null` pass, as
    // Kubernetes reads it as unset. The chart leaves the field out.
    if (hpas.length && d.spec.replicas === null)
      v.push(`${where}: renders replicas: null although an HPA targets it`);
    for (const hpa of hpas) {
      if (hpa.apiVersion !== 'autoscaling/v2')
        v.push(`HPA ${hpa.metadata.name}: not autoscaling/v2`);
      const up = hpa.spec.behavior?.scaleUp;
      if ((up?.stabilizationWindowSeconds ?? 0) > 0)
        v.push(`HPA ${hpa.metadata.name}: scaleUp stabilization window > 0`);
      const periods = (up?.policies ?? []).map((p: any) => p.periodSeconds);
      if (!periods.length || Math.min(...periods) > 15)
        v.push(`HPA ${hpa.metadata.name}: scaleUp policy period > 15 s`);
      if (hpa.spec.minReplicas > hpa.spec.maxReplicas)
        v.push(`HPA ${hpa.metadata.name}: min > max`);
    }
    // The policy accepts any selector that selects the pods, an empty or
    // expression-only one too; the chart selects exactly them by label.
    const selectsByLabel = (kind: string, selector: (o: K8sObject) => any) =>
      objects.some(
        o => o.kind === kind && matches(selector(o)?.matchLabels, podLabels),
      );
    if (!selectsByLabel('PodDisruptionBudget', o => o.spec.selector))
      v.push(`${where}: no PodDisruptionBudget selects its pods`);
    if (!selectsByLabel('NetworkPolicy', o => o.spec.podSelector))
      v.push(`${where}: no NetworkPolicy targets its pods`);
    const services = objects.filter(o => o.kind === 'Service');
    if (!services.some(s => matches(s.spec.selector, podLabels)))
      v.push(`${where}: no Service targets its pods`);
    const containerPorts = new Set(
      pod.containers.flatMap((c: any) =>
        (c.ports ?? []).map((p: any) => p.name),
      ),
    );
    for (const s of services) {
      // The policy lets a Service without selector (endpoints managed by
      // hand) or with an empty one pass; the chart's Services front its pods.
      if (!matches(s.spec.selector, podLabels))
        v.push(`Service/${s.metadata.name}: selects no pods`);
      for (const p of s.spec.ports) {
        if (
          typeof p.targetPort === 'string' &&
          !containerPorts.has(p.targetPort)
        )
          v.push(
            `Service/${s.metadata.name}: targetPort ${p.targetPort} not a container port`,
          );
      }
    }
    const sa = objects.find(
      o =>
        o.kind === 'ServiceAccount' &&
        o.metadata.name === pod.serviceAccountName,
    );
    if (!sa)
      v.push(`${where}: ServiceAccount ${pod.serviceAccountName} not rendered`);
    else if (sa.automountServiceAccountToken !== false)
      v.push(`ServiceAccount ${sa.metadata.name}: automount not false`);
  }
  for (const ing of objects.filter(o => o.kind === 'Ingress')) {
    if (
      !ing.metadata.annotations?.['cert-manager.io/cluster-issuer'] &&
      !ing.metadata.annotations?.['cert-manager.io/issuer']
    ) {
      v.push(`Ingress/${ing.metadata.name}: no cert-manager annotation`);
    }
  }
  return v;
}

/** `backstage.io/kubernetes-id` on every object, workload and pod template. */
export function kubernetesIdViolations(
  objects: K8sObject[],
  id: string,
): string[] {
  const v: string[] = [];
  for (const o of objects) {
    if (o.metadata?.labels?.[KUBERNETES_ID_LABEL] !== id)
      v.push(
        `${o.kind}/${o.metadata?.name}: label ${KUBERNETES_ID_LABEL}=${id} missing`,
      );
    if (
      o.spec?.template?.metadata &&
      o.spec.template.metadata.labels?.[KUBERNETES_ID_LABEL] !== id
    ) {
      v.push(
        `${o.kind}/${o.metadata?.name}: pod template label ${KUBERNETES_ID_LABEL}=${id} missing`,
      );
    }
  }
  return v;
}

/** Every name is a DNS-1123 label/subdomain of at most 63 characters. */
export function nameViolations(objects: K8sObject[]): string[] {
  return objects
    .filter(
      o =>
        !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.metadata.name) ||
        o.metadata.name.length > 63,
    )
    .map(
      o =>
        `${o.kind}/${o.metadata.name}: name is not a DNS-1123 label of at most 63 characters`,
    );
}
