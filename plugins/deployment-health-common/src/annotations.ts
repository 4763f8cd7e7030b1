import { Entity } from '@backstage/catalog-model';

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

/**
 * How to find an entity's objects.
 * `kubernetesId` uses the watch cache; `labelSelector` needs an on-demand query.
 *
 * @public
 */
export type EntityKubernetesMatch = {
  namespace?: string;
  cluster?: string;
} & (
  | { type: 'kubernetesId'; kubernetesId: string }
  | { type: 'labelSelector'; labelSelector: string }
);

/** True when the entity carries any of the kubernetes annotations. @public */
export function isDeploymentHealthAvailable(entity: Entity): boolean {
  const a = entity.metadata.annotations ?? {};
  return Boolean(
    a[ANNOTATION_KUBERNETES_ID] || a[ANNOTATION_KUBERNETES_LABEL_SELECTOR],
  );
}

/**
 * Matching as upstream: the label selector annotation wins, then the
 * kubernetes-id annotation, then the entity name as kubernetes-id.
 *
 * @public
 */
export function getEntityKubernetesMatch(
  entity: Entity,
): EntityKubernetesMatch {
  const a = entity.metadata.annotations ?? {};
  const scope = {
    ...(a[ANNOTATION_KUBERNETES_NAMESPACE]
      ? { namespace: a[ANNOTATION_KUBERNETES_NAMESPACE] }
      : {}),
    ...(a[ANNOTATION_KUBERNETES_CLUSTER]
      ? { cluster: a[ANNOTATION_KUBERNETES_CLUSTER] }
      : {}),
  };
  const selector = a[ANNOTATION_KUBERNETES_LABEL_SELECTOR]?.trim();
  if (selector) {
    return { type: 'labelSelector', labelSelector: selector, ...scope };
  }
  return {
    type: 'kubernetesId',
    kubernetesId: a[ANNOTATION_KUBERNETES_ID]?.trim() || entity.metadata.name,
    ...scope,
  };
}
