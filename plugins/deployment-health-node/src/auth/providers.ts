/**
 * What Shipyard knows about upstream's `authProvider` values, in one place.
 */

/** Shipyard's own: token, token file, deployer token; never the pod's token. */
export const SERVICE_ACCOUNT = 'serviceAccount';

/**
 * Server-side providers whose strategies Shipyard reuses from
 * `@backstage/plugin-kubernetes-backend` (exported there under these names).
 */
export const UPSTREAM_PROVIDERS = ['aws', 'googleServiceAccount', 'azure'];

/**
 * Client-side providers: upstream forwards the signed-in user's own token
 * from the browser. Shipyard's watch and its scaffolder actions run without
 * a user's cluster token, so these need a server-side identity.
 */
export const CLIENT_SIDE_PROVIDERS = ['google', 'oidc', 'aks'];
