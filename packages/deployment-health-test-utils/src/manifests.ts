/**
 * Manifests the integration tests apply to the local clusters
 * (`TestCluster.apply` of @shipyard-platform/test-cluster).
 */
import type { V1Container } from '@kubernetes/client-node';

/** A `kubectl apply`-able List. @public */
export interface ManifestList {
  apiVersion: 'v1';
  kind: 'List';
  items: object[];
}

/** What varies between the tests' services; everything else is the same. @public */
export interface LabelledDeploymentOptions {
  /** Default 1. */
  replicas?: number;
  /** Default `ghcr.io/shipyard-examples/probe:1.0.0`. */
  image?: string;
  /** Labels of the Deployment itself besides `backstage.io/kubernetes-id`. */
  labels?: Record<string, string>;
  /** More labels of its pods, e.g. `shipyard.dev/simulate: crashloop` (kwok's simulated failures). */
  podLabels?: Record<string, string>;
  /** Merged into the one container (named `app` unless this names it). */
  container?: Partial<V1Container>;
}

/**
 * A namespace and in it a Deployment `name` that the portal finds as the
 * service `name`: the Deployment and its pod template carry
 * `backstage.io/kubernetes-id: name` (the pods also `app: name`, the
 * selector). Extra objects go after it: `{ ...list, items: [...list.items, x] }`.
 *
 * @public
 */
export function labelledDeployment(
  name: string,
  namespace: string,
  options: LabelledDeploymentOptions = {},
): ManifestList {
  const id = { 'backstage.io/kubernetes-id': name };
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace, labels: { ...id, ...options.labels } },
        spec: {
          replicas: options.replicas ?? 1,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name, ...id, ...options.podLabels } },
            spec: {
              containers: [
                {
                  name: 'app',
                  image:
                    options.image ?? 'ghcr.io/shipyard-examples/probe:1.0.0',
                  ...options.container,
                },
              ],
            },
          },
        },
      },
    ],
  };
}
