/*
 * The pre-install check of `shipyard:deploy`: every object a release would
 * write stays in the target namespace. The API server enforces the same
 * boundary (helm runs as the namespace deployer, see teamNamespace.ts); this
 * check refuses such a chart before anything is written and names the object.
 */
import { InputError } from '@backstage/errors';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { SourcedObject } from '../policy/kubernetes';
import { describeKubeError, kubeErrorCode } from './kube';

/** `apiGroup/Kind` (`/Namespace` for the core group). */
const key = (apiVersion: string, kind: string) =>
  `${apiVersion.includes('/') ? apiVersion.split('/')[0] : ''}/${kind}`;

/**
 * The cluster-scoped kinds Kubernetes serves itself (1.36, alpha and beta
 * groups included), for the dry run, which has no cluster to ask. A test
 * compares it with the local API server's discovery. Kinds of custom resources
 * are not here: the real deploy asks the API server.
 */
export const BUILTIN_CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  '/ComponentStatus',
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  'admissionregistration.k8s.io/MutatingAdmissionPolicy',
  'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'authentication.k8s.io/SelfSubjectReview',
  'authentication.k8s.io/TokenReview',
  'authorization.k8s.io/SelfSubjectAccessReview',
  'authorization.k8s.io/SelfSubjectRulesReview',
  'authorization.k8s.io/SubjectAccessReview',
  'certificates.k8s.io/CertificateSigningRequest',
  'certificates.k8s.io/ClusterTrustBundle',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'internal.apiserver.k8s.io/StorageVersion',
  'metrics.k8s.io/NodeMetrics',
  'networking.k8s.io/IPAddress',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/ServiceCIDR',
  'node.k8s.io/RuntimeClass',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'resource.k8s.io/DeviceClass',
  'resource.k8s.io/DeviceTaintRule',
  'resource.k8s.io/ResourceSlice',
  'scheduling.k8s.io/PriorityClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/VolumeAttachment',
  'storage.k8s.io/VolumeAttributesClass',
  'storagemigration.k8s.io/StorageVersionMigration',
]);

/**
 * Whether a kind is namespaced: `true`, `false` (cluster-scoped) or
 * `undefined` when not known.
 */
export type ScopeOf = (
  apiVersion: string,
  kind: string,
) => Promise<boolean | undefined>;

/** {@link ScopeOf} from {@link BUILTIN_CLUSTER_SCOPED_KINDS} (a kind not in it counts as namespaced). */
export const builtinScopeOf: ScopeOf = async (apiVersion, kind) =>
  !BUILTIN_CLUSTER_SCOPED_KINDS.has(key(apiVersion, kind));

/** Exposes the discovery lookup (with its per-apiVersion cache) of the generic client. */
class DiscoveryClient extends KubernetesObjectApi {
  async namespaced(apiVersion: string, kind: string) {
    try {
      return (await this.resource(apiVersion, kind))?.namespaced;
    } catch (e) {
      if (kubeErrorCode(e) === 404) return undefined; // group/version not served
      throw new Error(
        `discovery of ${apiVersion} failed: ${describeKubeError(e)}`,
      );
    }
  }
}

/** {@link ScopeOf} from the API server's discovery (custom resources included); `undefined` for a kind it does not serve. */
export function discoveryScopeOf(kubeConfig: KubeConfig): ScopeOf {
  const client = kubeConfig.makeApiClient(DiscoveryClient);
  return (apiVersion, kind) => client.namespaced(apiVersion, kind);
}

/**
 * The objects as the API server receives them: a `kind: List` (or any
 * `*List` with `items`) is split into its items, as kubectl and helm do.
 */
export function expandLists(objects: SourcedObject[]): SourcedObject[] {
  return objects.flatMap(o =>
    typeof o.object?.kind === 'string' &&
    o.object.kind.endsWith('List') &&
    Array.isArray((o.object as any).items)
      ? expandLists(
          ((o.object as any).items as any[]).map((item, i) => ({
            object: item,
            source: `${o.source} (${o.object.kind} item ${i})`,
          })),
        )
      : [o],
  );
}

/** Keys named `<<` anywhere in a value (YAML merge keys). */
function hasMergeKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasMergeKey);
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([k, v]) => k === '<<' || hasMergeKey(v));
  }
  return false;
}

/**
 * Refuses the rendered objects of a release unless every one is a namespaced
 * kind and in `namespace` (or without a namespace, which helm sets to the
 * release's). The error names each offending object, its source file, the
 * field and the rule.
 */
export async function assertObjectsInNamespace(
  objects: SourcedObject[],
  namespace: string,
  scopeOf: ScopeOf,
  field: string,
): Promise<void> {
  const problems: string[] = [];
  for (const { object: o, source } of expandLists(objects)) {
    const name = `${o?.kind}/${o?.metadata?.name} (${source})`;
    if (typeof o?.apiVersion !== 'string' || typeof o?.kind !== 'string') {
      problems.push(`${name}: no apiVersion or kind`);
      continue;
    }
    if (hasMergeKey(o)) {
      // the API server's YAML reader would merge it, so the object applied would not be the one checked
      problems.push(`${name}: YAML merge key "<<" is not allowed`);
      continue;
    }
    const namespaced = await scopeOf(o.apiVersion, o.kind);
    if (namespaced === undefined) {
      problems.push(
        `${name}: ${o.apiVersion} ${o.kind} is not served by the cluster`,
      );
    } else if (!namespaced) {
      problems.push(
        `${name}: ${o.kind} is cluster-scoped (a release may only write namespaced objects)`,
      );
    } else if (
      // null and "" are unset for the API server too
      o.metadata?.namespace &&
      o.metadata.namespace !== namespace
    ) {
      problems.push(
        `${name}: metadata.namespace is "${o.metadata.namespace}" (must be ${namespace} or unset)`,
      );
    }
  }
  if (problems.length > 0) {
    throw new InputError(
      `Invalid ${field}: the chart writes outside namespace ${namespace}: ${problems.join(
        '; ',
      )}`,
    );
  }
}
