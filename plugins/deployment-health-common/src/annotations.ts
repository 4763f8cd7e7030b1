import {
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { isSelectingRequirement, parseLabelSelector } from './labelSelector';
import type { HealthReason } from './reasons';
import { teamNamespaces, TenancyRules, toGroupRef } from './tenancy';

export * from './labelSelector';

/*
 * The same entity annotations as @backstage/plugin-kubernetes, so an entity
 * set up for the upstream plugin works unchanged.
 */

/** Value of the `backstage.io/kubernetes-id` label on workloads and pods. @public */
export const ANNOTATION_KUBERNETES_ID = 'backstage.io/kubernetes-id';
/** Custom label selector; served by a bounded on-demand query. @public */
export const ANNOTATION_KUBERNETES_LABEL_SELECTOR =
  'backstage.io/kubernetes-label-selector';
/** Restrict to one namespace. @public */
export const ANNOTATION_KUBERNETES_NAMESPACE =
  'backstage.io/kubernetes-namespace';
/** Restrict to one cluster (by configured cluster name). @public */
export const ANNOTATION_KUBERNETES_CLUSTER = 'backstage.io/kubernetes-cluster';
/** The label the watch cache selects on. @public */
export const KUBERNETES_ID_LABEL = 'backstage.io/kubernetes-id';

/** True when the entity carries any of the kubernetes annotations. @public */
export function isDeploymentHealthAvailable(entity: Entity): boolean {
  const a = entity.metadata.annotations ?? {};
  return Boolean(
    a[ANNOTATION_KUBERNETES_ID] || a[ANNOTATION_KUBERNETES_LABEL_SELECTOR],
  );
}

/**
 * How to find an entity's objects: where (`namespaces`, never empty, all of
 * them the owner team's) and by what. `kubernetesId` uses the watch cache;
 * `labelSelector` needs an on-demand query.
 *
 * @public
 */
export type EntityKubernetesMatch = {
  /** The owner team's namespaces, or the one of them the namespace annotation names. */
  namespaces: string[];
  cluster?: string;
} & (
  | { type: 'kubernetesId'; kubernetesId: string }
  | { type: 'labelSelector'; labelSelector: string }
);

/**
 * Why an entity's objects are not read at all: its annotations ask for more
 * than the tenancy rules allow, or it has no team to read for.
 *
 * @public
 */
export interface EntityKubernetesRefusal {
  /** The reason code the entity's report carries. */
  code: 'AnnotationRefused' | 'NoTeamOwner';
  /** The annotation refused (AnnotationRefused). */
  annotation?: string;
  /** Names the annotation or the owner, and the rule. */
  message: string;
}

/** The config key that maps teams to their namespaces (see -node's config.d.ts). */
const TEAM_NAMESPACES_RULE = 'shipyard.tenancy.teamNamespaces';

/** The one group that owns the entity (its ownedBy relation, else spec.owner), or why there is none. */
function ownerTeam(entity: Entity): { team: string } | { problem: string } {
  const fromRelations = [
    ...new Set(
      (entity.relations ?? [])
        .filter(r => r.type === RELATION_OWNED_BY)
        .map(r => r.targetRef),
    ),
  ];
  const specOwner =
    typeof entity.spec?.owner === 'string' && entity.spec.owner
      ? [entity.spec.owner]
      : [];
  const owner = fromRelations.length ? fromRelations : specOwner;
  if (owner.length === 0) return { problem: 'has no owner' };
  if (owner.length > 1)
    return { problem: `has more than one owner (${owner.join(', ')})` };
  let ref;
  try {
    ref = parseEntityRef(owner[0], {
      defaultKind: 'group',
      defaultNamespace: entity.metadata.namespace ?? 'default',
    });
  } catch {
    return { problem: `has an invalid owner "${owner[0]}"` };
  }
  if (ref.kind.toLocaleLowerCase('en-US') !== 'group')
    return {
      problem: `is owned by ${stringifyEntityRef(
        ref,
      )}, which is not a group (team)`,
    };
  return { team: toGroupRef(stringifyEntityRef(ref)) };
}

/**
 * Matching as upstream (the label selector annotation wins, then the
 * kubernetes-id annotation, then the entity name as kubernetes-id), within
 * the tenancy rules: objects are looked for only in the namespaces of the
 * entity's owner team. The namespace annotation may narrow to one of them
 * and no further; a selector must select by some label, not only exclude.
 * Anything else is refused, naming the annotation and the rule.
 *
 * @public
 */
export function getEntityKubernetesMatch(
  entity: Entity,
  rules: TenancyRules,
): { match: EntityKubernetesMatch } | { refusal: EntityKubernetesRefusal } {
  const a = entity.metadata.annotations ?? {};
  const owner = ownerTeam(entity);
  if ('problem' in owner)
    return {
      refusal: {
        code: 'NoTeamOwner',
        message: `Not read: the entity ${owner.problem}, and objects are read only in the namespaces of the owner team (${TEAM_NAMESPACES_RULE})`,
      },
    };
  const refuse = (annotation: string, why: string) => ({
    refusal: {
      code: 'AnnotationRefused' as const,
      annotation,
      message: `Invalid annotation ${annotation}: ${why}`,
    },
  });
  const owned = teamNamespaces(owner.team, rules);
  if (owned.length === 0)
    return {
      refusal: {
        code: 'NoTeamOwner',
        message: `Not read: the owner ${owner.team} has no namespace that is not reserved for the platform (${TEAM_NAMESPACES_RULE}, shipyard.tenancy.reservedNamespaces)`,
      },
    };
  let namespaces = owned;
  const namespace = a[ANNOTATION_KUBERNETES_NAMESPACE]?.trim();
  if (namespace) {
    if (!owned.includes(namespace))
      return refuse(
        ANNOTATION_KUBERNETES_NAMESPACE,
        `"${namespace}" is not a namespace of the owner ${
          owner.team
        } (${owned.join(
          ', ',
        )}); it may only narrow to one of them (${TEAM_NAMESPACES_RULE})`,
      );
    namespaces = [namespace];
  }
  const cluster = a[ANNOTATION_KUBERNETES_CLUSTER]?.trim();
  const scope = { namespaces, ...(cluster ? { cluster } : {}) };
  const selector = a[ANNOTATION_KUBERNETES_LABEL_SELECTOR]?.trim();
  if (selector) {
    const parsed = parseLabelSelector(selector);
    if ('error' in parsed)
      return refuse(
        ANNOTATION_KUBERNETES_LABEL_SELECTOR,
        `not a Kubernetes label selector (${parsed.error})`,
      );
    if (!parsed.requirements.some(isSelectingRequirement))
      return refuse(
        ANNOTATION_KUBERNETES_LABEL_SELECTOR,
        `"${selector}" only excludes (!key, key!=value, key notin (...)) and so selects almost everything; it needs at least one requirement that selects by a label (key, key=value, key in (...))`,
      );
    return {
      match: { type: 'labelSelector', labelSelector: selector, ...scope },
    };
  }
  return {
    match: {
      type: 'kubernetesId',
      kubernetesId: a[ANNOTATION_KUBERNETES_ID]?.trim() || entity.metadata.name,
      ...scope,
    },
  };
}

/**
 * A refusal as the entity's finding: Unknown (nothing was read), about the
 * service, naming the annotation.
 *
 * @public
 */
export function kubernetesRefusalReason(
  refusal: EntityKubernetesRefusal,
): HealthReason {
  return {
    status: 'Unknown',
    code: refusal.code,
    scope: 'service',
    message: refusal.message,
    ...(refusal.annotation ? { annotation: refusal.annotation } : {}),
  };
}
