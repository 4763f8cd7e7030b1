import type {
  AuthenticationStrategy,
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import { NotAllowedError } from '@backstage/errors';
import fs from 'node:fs';
import {
  ClusterAccess,
  ClusterDefinition,
  TokenKeys,
} from '../config/clusterDefinition';
import { KubeRequestError, scrubCredentials } from '../kube/errors';
import {
  CLIENT_SIDE_PROVIDERS,
  SERVICE_ACCOUNT,
  UPSTREAM_PROVIDERS,
} from './providers';

/** Strategies by `authProvider`. @internal */
export type AuthStrategies = Record<string, AuthenticationStrategy>;

type ConfigDefinition = Extract<ClusterDefinition, { auth: 'config' }>;

const hasOwnToken = (def: ConfigDefinition) =>
  Boolean(def.serviceAccountToken || def.serviceAccountTokenFile);

/**
 * Why a config cluster's `authProvider` cannot be used, or undefined. Checked
 * once, when the service is built, so a bad entry is one `misconfigured`
 * cluster with its config key, never a failed start.
 *
 * @internal
 */
export function authConfigError(
  def: ClusterDefinition,
  strategies: AuthStrategies,
): string | undefined {
  if (def.auth !== 'config' || def.configError) return undefined;
  const provider = def.authProvider;
  const key = def.authProviderKey;
  if (provider === SERVICE_ACCOUNT) {
    if (hasOwnToken(def)) return undefined;
    // Upstream's ServiceAccountStrategy would send the backend pod's own token
    // here; reading anonymously instead would look like a working cluster that
    // sees nothing. Neither: the entry is unusable until it says who to be.
    return (
      `${def.configKey}.serviceAccountToken: authProvider serviceAccount has no credentials: ` +
      `set serviceAccountToken or serviceAccountTokenFile on the entry; for the cluster the ` +
      `backend runs in, set inCluster: true (Shipyard never sends the pod's own token to a configured URL)`
    );
  }
  if (CLIENT_SIDE_PROVIDERS.includes(provider)) {
    if (hasOwnToken(def)) return undefined;
    return (
      `${key} '${provider}' signs in with each user's own token, which Shipyard's ` +
      `shared health watch and scaffolder actions do not have: give Shipyard a ` +
      `server-side identity for this cluster with serviceAccountToken or ` +
      `serviceAccountTokenFile on the same entry (upstream ignores them for '${provider}'), ` +
      `or use authProvider serviceAccount, aws, googleServiceAccount or azure`
    );
  }
  const strategy = strategies[provider];
  if (!strategy) {
    if (UPSTREAM_PROVIDERS.includes(provider)) {
      return (
        `${key} '${provider}' uses the strategy of @backstage/plugin-kubernetes-backend, ` +
        `which this backend cannot load: add that package to the backend's dependencies`
      );
    }
    return (
      `${key} '${provider}' is unknown: use serviceAccount, aws, googleServiceAccount or ` +
      `azure, or add a strategy for '${provider}' with shipyardAuthStrategyServiceRef`
    );
  }
  const errors = strategy.validateCluster(def.authMetadata);
  if (errors.length > 0) {
    const detail = errors.map(e => safeDetail(e)).join(', ');
    return `${key} '${provider}': ${detail}`;
  }
  return undefined;
}

/**
 * A message from an error that came from a strategy or an SDK, safe for logs
 * and responses: cut at the first quote (JSON parse errors quote their input,
 * e.g. a service account key, and escaped quotes defeat pairing them), query
 * strings cut (a signed URL carries its signature there), credential-like
 * values scrubbed.
 */
function safeDetail(err: unknown): string {
  const e = err as { name?: string; code?: unknown; message?: unknown };
  const message = scrubCredentials(
    String(e?.message ?? '')
      .split(/["'`]/)[0]
      .replace(/(https?:\/\/[^\s?]*)\?\S*/g, '$1?…'),
  )
    .trim()
    .slice(0, 200);
  const code = typeof e?.code === 'string' ? ` (${e.code})` : '';
  return `${e?.name ?? 'Error'}${code}${message ? `: ${message}` : ''}`;
}

function toClusterDetails(def: ConfigDefinition): ClusterDetails {
  return {
    name: def.name,
    ...(def.title ? { title: def.title } : {}),
    url: def.url,
    authMetadata: def.authMetadata,
    skipTLSVerify: def.skipTLSVerify,
    caData: def.caData,
    caFile: def.caFile,
  };
}

function readToken(token?: string, file?: string): string | undefined {
  if (token) return token;
  return file ? fs.readFileSync(file, 'utf8').trim() : undefined;
}

/**
 * The token of Shipyard's own keys for this access. Files are read on every
 * call, so a rotated token is picked up without a restart. `deploy` never
 * falls back to the read token (nor to anything else).
 */
function tokenFromKeys(
  def: TokenKeys & { name: string; configKey: string },
  access: ClusterAccess,
): string | undefined {
  if (access === 'read') {
    return readToken(def.serviceAccountToken, def.serviceAccountTokenFile);
  }
  const token = readToken(
    def.deployerServiceAccountToken,
    def.deployerServiceAccountTokenFile,
  );
  if (!token) {
    throw new NotAllowedError(
      `cluster '${def.name}' has no deploy credentials: set deployerServiceAccountToken or ` +
        `deployerServiceAccountTokenFile on its kubernetes.clusterLocatorMethods entry (${def.configKey}) ` +
        `(the read identity is never used for writes)`,
    );
  }
  return token;
}

const bearer = (token: string | undefined): KubernetesCredential =>
  token ? { type: 'bearer token', token } : { type: 'anonymous' };

/**
 * The credential for one (re)connection to a cluster. Asked for anew each
 * time (token files are re-read, strategies refresh what expires), so a
 * reconnecting watch never presents an expired credential.
 *
 * Returns undefined when the cluster carries its own identity (kubeconfig
 * contexts, `kubectl proxy`, the pod's own service account for `inCluster`
 * reads). `deploy` access only ever uses the deployer token keys.
 *
 * @internal
 */
export async function clusterCredential(
  def: ClusterDefinition,
  access: ClusterAccess,
  strategies: AuthStrategies,
): Promise<KubernetesCredential | undefined> {
  if (def.configError) {
    throw new Error(
      `cluster '${def.name}' is misconfigured: ${def.configError}`,
    );
  }
  if (def.auth === 'kubeconfig' || def.auth === 'none') return undefined;
  if (def.auth === 'inCluster') {
    if (access === 'read') return undefined;
    return bearer(tokenFromKeys(def, 'deploy'));
  }
  if (
    access === 'deploy' ||
    def.authProvider === SERVICE_ACCOUNT ||
    CLIENT_SIDE_PROVIDERS.includes(def.authProvider)
  ) {
    return bearer(tokenFromKeys(def, access));
  }
  const strategy = strategies[def.authProvider];
  try {
    // upstream passes the user's request auth; a server-side strategy ignores it
    return await strategy.getCredential(toClusterDetails(def), {});
  } catch (e) {
    throw new KubeRequestError(
      'unauthorized',
      `cluster '${def.name}': authProvider '${def.authProvider}' (${def.authProviderKey}) ` +
        `could not get a credential: ${safeDetail(e)}`,
    );
  }
}
