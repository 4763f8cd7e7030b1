/*
 * Which catalog entity a helm release belongs to. `shipyard:deploy` records
 * it on the release (helm --labels, stored on the release's Secrets) and
 * upgrades an existing release only for the same entity, so one service
 * cannot take over another's release of the same name.
 */
import {
  CompoundEntityRef,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { describeKubeError, kubeErrorCode, LABEL_VALUE } from './kube';
import { TEAM_LABEL } from './teamNamespace';

/** Release labels naming the owning entity (an entity ref is no label value, so one label per part). */
export const RELEASE_ENTITY_LABELS = {
  kind: 'shipyard.dev/entity-kind',
  namespace: 'shipyard.dev/entity-namespace',
  name: 'shipyard.dev/entity-name',
} as const;

/**
 * An entity ref as the release records it: parsed (namespace `default` when
 * omitted, the kind is required) and lower-cased, as the catalog compares refs.
 */
export function parseOwnerRef(
  entityRef: string | undefined,
  field: string,
): CompoundEntityRef {
  let ref: CompoundEntityRef;
  try {
    ref = parseEntityRef(entityRef ?? '', { defaultNamespace: 'default' });
  } catch {
    throw new InputError(
      `Invalid ${field} "${entityRef}": must be an entity ref such as component:default/payments-api`,
    );
  }
  const lower = {
    kind: ref.kind.toLocaleLowerCase('en-US'),
    namespace: ref.namespace.toLocaleLowerCase('en-US'),
    name: ref.name.toLocaleLowerCase('en-US'),
  };
  if (!Object.values(lower).every(v => LABEL_VALUE.test(v))) {
    throw new InputError(
      `Invalid ${field} "${entityRef}": each part must be a valid label value (at most 63 characters: letters, digits, "-", "_", ".")`,
    );
  }
  return lower;
}

/** The `--labels` value of helm that records `owner` and `team` on the release. */
export function releaseLabelsArg(owner: CompoundEntityRef, team: string) {
  return [
    `${RELEASE_ENTITY_LABELS.kind}=${owner.kind}`,
    `${RELEASE_ENTITY_LABELS.namespace}=${owner.namespace}`,
    `${RELEASE_ENTITY_LABELS.name}=${owner.name}`,
    `${TEAM_LABEL}=${team}`,
  ].join(',');
}

/** The owner recorded in release labels, if all its parts are there. */
function ownerFromLabels(labels: Record<string, string>): string | undefined {
  const kind = labels[RELEASE_ENTITY_LABELS.kind];
  const namespace = labels[RELEASE_ENTITY_LABELS.namespace];
  const name = labels[RELEASE_ENTITY_LABELS.name];
  return kind && namespace && name
    ? stringifyEntityRef({ kind, namespace, name })
    : undefined;
}

/**
 * Refuses when a release `release` exists in `namespace` (any status, its
 * newest revision) and does not record `owner`. Reads helm's release Secrets
 * (`owner=helm,name=<release>`) with `kubeConfig`, the namespace deployer.
 */
export async function assertReleaseOwner(
  kubeConfig: KubeConfig,
  opts: {
    cluster: string;
    namespace: string;
    release: string;
    owner: CompoundEntityRef;
  },
): Promise<void> {
  const { cluster, namespace, release } = opts;
  let items: { metadata?: { labels?: Record<string, string> } }[];
  try {
    items = (
      await KubernetesObjectApi.makeApiClient(kubeConfig).list(
        'v1',
        'Secret',
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        `owner=helm,name=${release}`,
      )
    ).items;
  } catch (e) {
    const hint =
      kubeErrorCode(e) === 403
        ? ' (shipyard:kubernetes:namespace gives the namespace its deployer; run it for this namespace)'
        : '';
    throw new Error(
      `[${cluster}] reading the helm release ${release} in namespace ${namespace} failed: ${describeKubeError(
        e,
      )}${hint}`,
    );
  }
  if (items.length === 0) return;
  const newest = items.reduce((a, b) =>
    Number(b.metadata?.labels?.version) > Number(a.metadata?.labels?.version)
      ? b
      : a,
  );
  const recorded = ownerFromLabels(newest.metadata?.labels ?? {});
  const wanted = stringifyEntityRef(opts.owner);
  if (recorded !== wanted) {
    throw new NotAllowedError(
      `Release ${release} in namespace ${namespace} on cluster ${cluster} belongs to ${
        recorded ?? 'no entity (no shipyard.dev/entity-* labels)'
      }, not to ${wanted}: an existing release is upgraded only for the entity that installed it`,
    );
  }
}
