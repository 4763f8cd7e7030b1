import { Severity } from '../types';

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

/** One thing a check found wrong; the runner names the object and its source. */
export interface Issue {
  rule: string;
  message: string;
  /** Default: `error`. */
  severity?: Severity;
}

/** `[issue]` when `failed`, else none, so that a check reads as its condition. */
export function issueIf(
  failed: unknown,
  rule: string,
  message: string,
  severity?: Severity,
): Issue[] {
  return failed ? [{ rule, message, severity }] : [];
}

/** The pod template of a workload or Job, as the pod checks read it. */
export interface Pod {
  /** The object that carries the template (Deployment, Job, ...). */
  owner: any;
  spec: any;
  labels: Record<string, string>;
  /** Deployments, StatefulSets, DaemonSets, ReplicaSets: probes and rollout rules apply. */
  longRunning: boolean;
}

/** The other objects of the chart, which checks look things up in. */
export interface Chart {
  ofKind(kind: string): any[];
  /** Long-running workloads (see {@link Pod.longRunning}). */
  workloads: any[];
  /** The pod template labels of each workload. */
  podLabelSets: Record<string, string>[];
}

export type PodCheck = (pod: Pod, chart: Chart) => Issue[];
export type ObjectCheck = (object: any, chart: Chart) => Issue[];

const WORKLOAD_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
]);

/** The pod template of `obj`, when it is a workload, Job or CronJob that has one. */
export function podOf(obj: any): Pod | undefined {
  if (!obj) return undefined;
  const longRunning = WORKLOAD_KINDS.has(obj.kind);
  let template: any;
  if (obj.kind === 'CronJob') template = obj.spec?.jobTemplate?.spec?.template;
  else if (longRunning || obj.kind === 'Job') template = obj.spec?.template;
  if (!template) return undefined;
  return {
    owner: obj,
    spec: template.spec ?? {},
    labels: template.metadata?.labels ?? {},
    longRunning,
  };
}

export function indexChart(objects: any[]): Chart {
  const ofKind = (kind: string) => objects.filter(o => o.kind === kind);
  const workloads = objects.filter(o => WORKLOAD_KINDS.has(o.kind));
  return {
    ofKind,
    workloads,
    podLabelSets: workloads.map(w => podOf(w)?.labels ?? {}),
  };
}

export function describe(obj: any): string {
  return `${obj?.kind ?? '?'}/${obj?.metadata?.name ?? '?'}`;
}

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
