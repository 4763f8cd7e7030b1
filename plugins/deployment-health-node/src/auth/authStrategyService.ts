import { createServiceRef } from '@backstage/backend-plugin-api';
import type { AuthenticationStrategy } from '@backstage/plugin-kubernetes-node';

/**
 * An authentication strategy for clusters whose `authProvider` is
 * `authProvider`, in upstream's shape (`AuthenticationStrategy` of
 * `@backstage/plugin-kubernetes-node`), so a strategy written for
 * `kubernetesAuthStrategyExtensionPoint` works here unchanged.
 *
 * @public
 */
export interface ShipyardAuthStrategy {
  /** The `authProvider` value of the cluster entries it serves, e.g. `pinniped`. */
  authProvider: string;
  /** Called for a new credential on every (re)connection to such a cluster. */
  strategy: AuthenticationStrategy;
}

/**
 * Adds an authentication strategy to Shipyard's clusters service. Each
 * factory of this multiton service adds one; they take precedence over the
 * strategies Shipyard reuses from `@backstage/plugin-kubernetes-backend`
 * (`aws`, `googleServiceAccount`, `azure`).
 *
 * A service, not an extension point: extension points belong to one plugin,
 * and the clusters service is used by several (deployment health and the
 * scaffolder actions); one `backend.add(...)` reaches all of them.
 *
 * @example
 * ```ts
 * backend.add(
 *   createServiceFactory({
 *     service: shipyardAuthStrategyServiceRef,
 *     deps: {},
 *     factory: () => ({ authProvider: 'pinniped', strategy: new MyStrategy() }),
 *   }),
 * );
 * ```
 *
 * @public
 */
export const shipyardAuthStrategyServiceRef =
  createServiceRef<ShipyardAuthStrategy>({
    id: 'shipyard.clusters.authStrategy',
    scope: 'root',
    multiton: true,
  });
