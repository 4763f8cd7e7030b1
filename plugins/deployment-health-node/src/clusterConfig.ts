import { Config } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';
import { KubeConfig, User } from '@kubernetes/client-node';
import {
  ANNOTATION_KUBERNETES_AUTH_PROVIDER,
  ANNOTATION_KUBERNETES_AWS_ASSUME_ROLE,
  ANNOTATION_KUBERNETES_AWS_EXTERNAL_ID,
  ANNOTATION_KUBERNETES_OIDC_TOKEN_PROVIDER,
} from '@backstage/plugin-kubernetes-common';
import type {
  AuthMetadata,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A cluster as the rest of Shipyard sees it. Deliberately carries no
 * credentials: tokens and CA data stay inside the service and the KubeConfig
 * it builds, so listing clusters can never leak them.
 *
 * @public
 */
export interface ShipyardCluster {
  /** Unique name (config `name`, or the kubeconfig context). */
  name: string;
  /** Display name (config `title`), when set. */
  title?: string;
  /** Environment label (config `environment`); defaults to the name. */
  environment: string;
  /** API server URL, from config (or an allow-listed catalog entity), never from component annotations. */
  url: string;
  /** Which config block defined the cluster (`catalog`: a Resource entity of type kubernetes-cluster). */
  source: 'config' | 'localKubectlProxy' | 'kubeconfig' | 'catalog';
  /** Whether TLS certificates of the API server are not verified (config or kubeconfig `skipTLSVerify`). */
  skipTLSVerify: boolean;
  /**
   * Set when the config entry cannot be used (no url, bad URL, duplicate
   * name, unreadable kubeconfig). Such clusters are still listed so the API
   * can report them as errors instead of the backend failing to start.
   */
  configError?: string;
}

/** Shipyard's own token keys of a config cluster entry. @internal */
export interface TokenKeys {
  serviceAccountToken?: string;
  serviceAccountTokenFile?: string;
  /** Write identity for the scaffolder actions; never used by the health watch. */
  deployerServiceAccountToken?: string;
  deployerServiceAccountTokenFile?: string;
}

/**
 * Internal: a cluster plus how to authenticate to it.
 * @internal
 */
export type ClusterDefinition = ShipyardCluster &
  (
    | ({
        auth: 'config';
        /** Where the entry is, e.g. `kubernetes.clusterLocatorMethods[0].clusters[1]`, for messages. */
        configKey: string;
        /** `authProvider` (default `serviceAccount`); the key of its strategy. */
        authProvider: string;
        /** Where authProvider was read, for messages (a config key or a catalog annotation). */
        authProviderKey: string;
        /** As upstream's ConfigClusterLocator builds it, for upstream strategies. */
        authMetadata: AuthMetadata;
        caData?: string;
        caFile?: string;
      } & TokenKeys)
    | ({
        auth: 'inCluster';
        configKey: string;
        /** Prefix of /var/run/secrets/kubernetes.io/serviceaccount (tests only). */
        pathPrefix: string;
      } & Pick<
        TokenKeys,
        'deployerServiceAccountToken' | 'deployerServiceAccountTokenFile'
      >)
    | { auth: 'none' }
    | { auth: 'kubeconfig'; kubeconfigPath: string; context: string }
  );

/** Options of {@link readClusterDefinitions}. @internal */
export interface ReadClusterOptions {
  /**
   * Prefix of the pod's service account files for `inCluster` clusters, as
   * client-node's `loadFromCluster(pathPrefix)`. Tests only; default ''.
   */
  inClusterPathPrefix?: string;
}

/** A kubeconfig that loads but lacks the context: our message, safe to show. */
class ContextNotFoundError extends Error {}

const LOCAL_PROXY_URL = 'http://localhost:8001';

function checkUrl(url: string | undefined): string | undefined {
  if (!url) return 'missing url';
  try {
    const { protocol } = new URL(url);
    if (protocol !== 'https:' && protocol !== 'http:') {
      return `unsupported url protocol ${protocol}`;
    }
  } catch {
    return 'invalid url';
  }
  return undefined;
}

// Config getters throw on wrong types (e.g. an empty string from an unset
// env var); a bad value must mark only that cluster as misconfigured.
function str(c: Config, key: string): string | undefined {
  try {
    return c.getOptionalString(key) || undefined;
  } catch {
    return undefined;
  }
}

function defaultKubeconfigPath(): string {
  const fromEnv = process.env.KUBECONFIG?.split(path.delimiter)[0];
  return fromEnv || path.join(os.homedir(), '.kube', 'config');
}

/**
 * Reads clusters from `kubernetes.clusterLocatorMethods` (types `config` and
 * `localKubectlProxy`) and `deploymentHealth.kubeconfigContexts`.
 *
 * Never throws for a bad cluster entry: it is returned with `configError` so
 * that a missing env var for one cluster does not stop the whole backend.
 *
 * @internal
 */
export function readClusterDefinitions(
  config: Config,
  options: ReadClusterOptions = {},
): ClusterDefinition[] {
  const result: ClusterDefinition[] = [];
  const seen = new Set<string>();
  const push = (def: ClusterDefinition) => {
    if (seen.has(def.name)) {
      result.push({
        ...def,
        name: `${def.name}#${result.length}`,
        configError: `duplicate cluster name '${def.name}'`,
        auth: 'none',
      });
      return;
    }
    seen.add(def.name);
    result.push(def);
  };

  const methods =
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  methods.forEach((method, m) => {
    const type = str(method, 'type');
    if (type === 'config') {
      const clusters = method.getOptionalConfigArray('clusters') ?? [];
      clusters.forEach((c, i) => {
        const configKey = `kubernetes.clusterLocatorMethods[${m}].clusters[${i}]`;
        push(
          c.getOptionalBoolean('inCluster')
            ? readInClusterEntry(c, configKey, options)
            : readConfigEntry(c, configKey, i),
        );
      });
    } else if (type === 'localKubectlProxy') {
      push({
        name: 'local',
        environment: 'local',
        url: LOCAL_PROXY_URL,
        source: 'localKubectlProxy',
        skipTLSVerify: false,
        auth: 'none',
      });
    }
    // `catalog` is read by CatalogClusterSource (allow-listed hosts only);
    // other upstream types (gke) are not supported.
  });

  const contexts =
    config.getOptionalConfigArray('deploymentHealth.kubeconfigContexts') ?? [];
  for (const c of contexts) {
    const context = c.getString('context');
    const kubeconfigPath = str(c, 'kubeconfig') ?? defaultKubeconfigPath();
    const name = str(c, 'name') || context;
    let url = '';
    let skipTLSVerify = false;
    let configError: string | undefined;
    try {
      const kc = loadKubeconfigContext(kubeconfigPath, context);
      const cluster = kc.getCurrentCluster();
      url = cluster?.server ?? '';
      skipTLSVerify = cluster?.skipTLSVerify ?? false;
      configError = checkUrl(url);
    } catch (e) {
      // Never the parser's own message: for a YAML error it quotes the lines
      // around it, which may hold a token, and configError reaches logs and
      // the API.
      const reason =
        e instanceof ContextNotFoundError
          ? e.message
          : (e as NodeJS.ErrnoException).code ?? 'not a valid kubeconfig';
      configError = `cannot read kubeconfig context '${context}': ${reason}`;
    }
    push({
      name,
      environment: str(c, 'environment') || name,
      url,
      source: 'kubeconfig',
      skipTLSVerify,
      configError,
      auth: 'kubeconfig',
      kubeconfigPath,
      context,
    });
  }
  return result;
}

function readTokenKeys(c: Config): TokenKeys {
  return {
    serviceAccountToken: str(c, 'serviceAccountToken'),
    serviceAccountTokenFile: str(c, 'serviceAccountTokenFile'),
    deployerServiceAccountToken: str(c, 'deployerServiceAccountToken'),
    deployerServiceAccountTokenFile: str(c, 'deployerServiceAccountTokenFile'),
  };
}

function readCommon(c: Config, name: string) {
  return {
    name,
    title: str(c, 'title'),
    environment: str(c, 'environment') || name,
    source: 'config' as const,
    skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
  };
}

/**
 * Upstream's ConfigClusterLocator.parseAuthMetadata, so upstream strategies
 * (AwsIamStrategy reads assumeRole and externalId from here) see the same
 * authMetadata as in @backstage/plugin-kubernetes-backend.
 */
function readAuthMetadata(c: Config, authProvider: string): AuthMetadata {
  const block = c.getOptional<AuthMetadata>('authMetadata');
  const assumeRole = str(c, 'assumeRole');
  const externalId = str(c, 'externalId');
  const oidcTokenProvider = str(c, 'oidcTokenProvider');
  const serviceAccountToken = str(c, 'serviceAccountToken');
  return {
    [ANNOTATION_KUBERNETES_AUTH_PROVIDER]: authProvider,
    ...(serviceAccountToken && { serviceAccountToken }),
    ...(assumeRole && { [ANNOTATION_KUBERNETES_AWS_ASSUME_ROLE]: assumeRole }),
    ...(externalId && { [ANNOTATION_KUBERNETES_AWS_EXTERNAL_ID]: externalId }),
    ...(oidcTokenProvider && {
      [ANNOTATION_KUBERNETES_OIDC_TOKEN_PROVIDER]: oidcTokenProvider,
    }),
    ...(block && typeof block === 'object' ? block : {}),
  };
}

function readConfigEntry(
  c: Config,
  configKey: string,
  index: number,
): ClusterDefinition {
  const name = str(c, 'name') || `cluster-${index}`;
  const url = str(c, 'url') ?? '';
  // As upstream: authMetadata's kubernetes.io/auth-provider wins over authProvider.
  const fromMetadata = c.getOptional('authMetadata') as
    | AuthMetadata
    | undefined;
  const authProvider =
    fromMetadata?.[ANNOTATION_KUBERNETES_AUTH_PROVIDER] ||
    str(c, 'authProvider') ||
    'serviceAccount';
  let configError = checkUrl(url);
  if (!str(c, 'name')) configError = 'missing name';
  return {
    ...readCommon(c, name),
    url,
    configError,
    auth: 'config',
    configKey,
    authProvider,
    authProviderKey: `${configKey}.authProvider`,
    authMetadata: readAuthMetadata(c, authProvider),
    ...readTokenKeys(c),
    caData: str(c, 'caData'),
    caFile: str(c, 'caFile'),
  };
}

/** The names a pod reaches its own API server by (the `kubernetes` Service). */
const IN_CLUSTER_HOSTS = new Set([
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
]);

function namesInClusterServer(url: string, inClusterUrl: string): boolean {
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:') return false;
    if (u.origin === new URL(inClusterUrl).origin) return true;
    return (
      IN_CLUSTER_HOSTS.has(u.hostname) && (u.port === '' || u.port === '443')
    );
  } catch {
    return false;
  }
}

/**
 * `inCluster: true`: the pod's own service account, as client-node's
 * loadFromCluster reads it, at the address of KUBERNETES_SERVICE_HOST/PORT.
 * `url` (which upstream requires) must name that same API server: the pod's
 * token must never reach another one (upstream advisory GHSA-h53x-hjx6-25gr).
 */
function readInClusterEntry(
  c: Config,
  configKey: string,
  options: ReadClusterOptions,
): ClusterDefinition {
  const name = str(c, 'name') || 'in-cluster';
  const { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port } =
    process.env;
  let url = '';
  let configError: string | undefined;
  const authProvider = str(c, 'authProvider');
  const configuredUrl = str(c, 'url');
  if (authProvider && authProvider !== 'serviceAccount') {
    configError = `${configKey}.authProvider '${authProvider}' cannot be combined with inCluster (the pod's service account)`;
  } else if (
    str(c, 'serviceAccountToken') ||
    str(c, 'serviceAccountTokenFile')
  ) {
    configError = `${configKey}: inCluster reads with the pod's own token; remove serviceAccountToken/serviceAccountTokenFile or inCluster`;
  } else if (!host || !port) {
    configError = `${configKey}.inCluster is set but KUBERNETES_SERVICE_HOST/PORT are not (the backend does not run in a pod)`;
  } else {
    const kc = new KubeConfig();
    kc.loadFromCluster(options.inClusterPathPrefix ?? '');
    url = kc.getCurrentCluster()?.server ?? '';
    if (configuredUrl && !namesInClusterServer(configuredUrl, url)) {
      configError = `${configKey}.url must name the API server the backend runs in (https://kubernetes.default.svc or ${url}) with inCluster: the pod's own token is sent nowhere else`;
    }
  }
  const { deployerServiceAccountToken, deployerServiceAccountTokenFile } =
    readTokenKeys(c);
  return {
    ...readCommon(c, name),
    // The pod's CA is always there; never send the pod's token unverified.
    skipTLSVerify: false,
    url,
    configError,
    auth: 'inCluster',
    configKey,
    pathPrefix: options.inClusterPathPrefix ?? '',
    deployerServiceAccountToken,
    deployerServiceAccountTokenFile,
  };
}

function loadKubeconfigContext(file: string, context: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  if (!kc.getContextObject(context)) {
    throw new ContextNotFoundError(`context not found in ${file}`);
  }
  kc.setCurrentContext(context);
  return kc;
}

/**
 * Which identity a caller needs: `read` is the read-only service account the
 * health watch uses; `deploy` is the separate write identity of the scaffolder
 * actions (namespaces, Helm releases).
 *
 * @public
 */
export type ClusterAccess = 'read' | 'deploy';

function readToken(token?: string, file?: string): string | undefined {
  if (token) return token;
  return file ? fs.readFileSync(file, 'utf8').trim() : undefined;
}

/**
 * The token of Shipyard's own keys for this access. Files are read on every
 * call, so a rotated token is picked up without a restart. `deploy` never
 * falls back to the read token (nor to anything else).
 *
 * @internal
 */
export function tokenFromKeys(
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

function userFor(credential: KubernetesCredential | undefined): User {
  if (credential?.type === 'bearer token') {
    return { name: 'shipyard', token: credential.token };
  }
  if (credential?.type === 'x509 client certificate') {
    // client-node takes base64 of the PEM, as a kubeconfig's *-data keys.
    return {
      name: 'shipyard',
      certData: Buffer.from(credential.cert).toString('base64'),
      keyData: Buffer.from(credential.key).toString('base64'),
    };
  }
  return { name: 'shipyard' };
}

/**
 * Builds a client-node KubeConfig for one cluster definition and the
 * credential chosen for it (see auth/clusterCredential).
 *
 * Files (CA, kubeconfig, the pod's token) are read on every call so that a
 * restarted local cluster or a rotated token is picked up without a backend
 * restart. Kubeconfig contexts and `kubectl proxy` carry their own identity,
 * as does an `inCluster` cluster without a credential (the pod's own).
 *
 * @internal
 */
export function makeKubeConfig(
  def: ClusterDefinition,
  credential?: KubernetesCredential,
): KubeConfig {
  if (def.configError) {
    throw new Error(
      `cluster '${def.name}' is misconfigured: ${def.configError}`,
    );
  }
  if (def.auth === 'kubeconfig') {
    return loadKubeconfigContext(def.kubeconfigPath, def.context);
  }
  const kc = new KubeConfig();
  if (def.auth === 'inCluster') {
    // client-node's own in-cluster loader: host and port from the
    // environment, the pod's CA, and its token file (re-read by client-node).
    kc.loadFromCluster(def.pathPrefix);
    const cluster = { ...kc.getCurrentCluster()!, name: def.name };
    const user = credential
      ? userFor(credential)
      : { ...kc.getCurrentUser()!, name: 'shipyard' };
    kc.loadFromClusterAndUser(cluster, user);
    return kc;
  }
  let caData: string | undefined;
  if (def.auth === 'config') {
    caData = def.caData;
    if (!caData && def.caFile) {
      // Inline the file now so a missing file fails here, with the cluster name,
      // rather than as an opaque TLS error later.
      caData = fs.readFileSync(def.caFile).toString('base64');
    }
  }
  kc.loadFromOptions({
    clusters: [
      {
        name: def.name,
        server: def.url,
        caData,
        // client-node refuses plain-HTTP servers (kubectl proxy) unless this
        // is set; there is no TLS to verify on http:// anyway.
        skipTLSVerify: def.skipTLSVerify || def.url.startsWith('http:'),
      },
    ],
    users: [userFor(credential)],
    contexts: [{ name: def.name, cluster: def.name, user: 'shipyard' }],
    currentContext: def.name,
  });
  return kc;
}
