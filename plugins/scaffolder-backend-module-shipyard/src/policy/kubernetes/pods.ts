/*
 * Checks of a pod template: Pod Security "restricted" at pod level, the
 * service account token, and for long-running workloads the labels, rollout
 * and the objects that must accompany them (HPA, PDB, NetworkPolicy).
 */
import { KUBERNETES_ID_LABEL } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { appContainerBaselines, containerBaselines } from './containers';
import { describe, issueIf, PodCheck, selectorMatches } from './model';

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

const noHostNamespaces: PodCheck = ({ spec }) =>
  issueIf(
    spec.hostNetwork || spec.hostPID || spec.hostIPC,
    'k8s.pss.host-namespaces',
    'hostNetwork/hostPID/hostIPC must not be set',
  );

const allowedVolumeTypes: PodCheck = ({ spec }) =>
  (spec.volumes ?? []).flatMap((v: any) => {
    const type = Object.keys(v).find(k => k !== 'name');
    return issueIf(
      type && !PSS_ALLOWED_VOLUME_TYPES.has(type),
      'k8s.pss.volume-types',
      `volume "${v.name}" uses type "${type}", not allowed by Pod Security "restricted"`,
    );
  });

/** Off on the pod, or on the ServiceAccount it runs as. */
const noServiceAccountToken: PodCheck = ({ spec }, chart) => {
  if (spec.automountServiceAccountToken === false) return [];
  const name = spec.serviceAccountName ?? 'default';
  const sa = chart
    .ofKind('ServiceAccount')
    .find(s => s.metadata?.name === name);
  return issueIf(
    sa?.automountServiceAccountToken !== false,
    'k8s.automount-service-account-token',
    'automountServiceAccountToken must be false unless the pod needs the API',
  );
};

// The checks below apply to long-running workloads only.

/** The label the deployment-health backend finds a service's objects by. */
const kubernetesIdLabel: PodCheck = ({ owner, labels }) =>
  issueIf(
    !owner.metadata?.labels?.[KUBERNETES_ID_LABEL] ||
      !labels[KUBERNETES_ID_LABEL],
    'k8s.labels.kubernetes-id',
    `workload and pod template must carry the ${KUBERNETES_ID_LABEL} label`,
  );

/** 0 kills a long-running pod at once: no preStop hook, no draining of requests. */
const terminationGracePeriod: PodCheck = ({ spec }) => {
  const seconds = spec.terminationGracePeriodSeconds;
  const unset = seconds === undefined || seconds === null;
  return issueIf(
    unset || !(Number(seconds) > 0),
    'k8s.rollout.termination-grace-period',
    unset
      ? 'set terminationGracePeriodSeconds explicitly'
      : `terminationGracePeriodSeconds must be above 0 (is ${seconds})`,
  );
};

const noReplicasUnderHpa: PodCheck = ({ owner }, chart) => {
  const hpa = chart.ofKind('HorizontalPodAutoscaler').find(h => {
    const ref = h.spec?.scaleTargetRef ?? {};
    return ref.kind === owner.kind && ref.name === owner.metadata?.name;
  });
  return issueIf(
    hpa && owner.spec?.replicas !== undefined && owner.spec?.replicas !== null,
    'k8s.hpa.replicas',
    `spec.replicas must not be set: ${describe(hpa)} manages the replica count`,
  );
};

const zeroDowntimeRollout: PodCheck = ({ owner }) => {
  if (owner.kind !== 'Deployment') return [];
  const strategy = owner.spec?.strategy ?? {};
  if (strategy.type && strategy.type !== 'RollingUpdate') {
    return issueIf(
      true,
      'k8s.rollout.strategy',
      `strategy.type must be RollingUpdate (is ${strategy.type})`,
    );
  }
  const mu = strategy.rollingUpdate?.maxUnavailable;
  return issueIf(
    mu !== 0 && mu !== '0' && mu !== '0%',
    'k8s.rollout.max-unavailable',
    'strategy.rollingUpdate.maxUnavailable must be 0',
  );
};

const isReplicated = (owner: any) =>
  owner.kind === 'Deployment' || owner.kind === 'StatefulSet';

const spreadReplicas: PodCheck = ({ owner, spec }) =>
  issueIf(
    isReplicated(owner) &&
      !spec.affinity?.podAntiAffinity &&
      (spec.topologySpreadConstraints ?? []).length === 0,
    'k8s.anti-affinity',
    'set podAntiAffinity or topologySpreadConstraints to spread replicas',
  );

const hasPodDisruptionBudget: PodCheck = ({ owner, labels }, chart) =>
  issueIf(
    isReplicated(owner) &&
      !chart
        .ofKind('PodDisruptionBudget')
        .some(p => selectorMatches(p.spec?.selector, labels)),
    'k8s.pdb',
    'no PodDisruptionBudget selects the pods',
  );

const hasNetworkPolicy: PodCheck = ({ labels }, chart) =>
  issueIf(
    !chart
      .ofKind('NetworkPolicy')
      .some(n => selectorMatches(n.spec?.podSelector, labels)),
    'k8s.network-policy',
    'no NetworkPolicy selects the pods',
  );

/** Every pod template: workloads, Jobs and CronJobs, in this order. */
export const POD_CHECKS: PodCheck[] = [
  noHostNamespaces,
  allowedVolumeTypes,
  containerBaselines,
  appContainerBaselines,
  noServiceAccountToken,
];

/** Long-running workloads, after {@link POD_CHECKS}. */
export const WORKLOAD_CHECKS: PodCheck[] = [
  kubernetesIdLabel,
  terminationGracePeriod,
  noReplicasUnderHpa,
  zeroDowntimeRollout,
  spreadReplicas,
  hasPodDisruptionBudget,
  hasNetworkPolicy,
];
