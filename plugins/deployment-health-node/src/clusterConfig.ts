import { Config } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';
import { KubeConfig } from '@kubernetes/client-node';
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
  /** API server URL, from config only. */
  url: string;
  /** Which config block defined the cluster. */
  source: 'config' | 'localKubectlProxy' | 'kubeconfig';
  /** Whether TLS certificates of the API server are not verified (config or kubeconfig `skipTLSVerify`). */
  skipTLSVerify: boolean;
  /**
   * Set when the config entry cannot be used (no url, bad URL, duplicate
   * name, unreadable kubeconfig). Such clusters are still listed so the API
   * can report them as errors instead of the backend failing to start.
   */
  configError?: string;
}

/**
 * Internal: a cluster plus how to authenticate to it.
 * @internal
 */
export type ClusterDefinition = ShipyardCluster &
  (
    | {
        auth: 'serviceAccount';
        serviceAccountToken?: string;
        serviceAccountTokenFile?: string;
        /** Write identity for the scaffolder actions; never used by the health watch. */
        deployerServiceAccountToken?: string;
        deployerServiceAccountTokenFile?: string;
        caData?: string;
        caFile?: string;
      }
    | { auth: 'none' }
    | { auth: 'kubeconfig'; kubeconfigPath: string; context: string }
  );

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
export function readClusterDefinitions(config: Config): ClusterDefinition[] {
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
  for (const method of methods) {
    const type = str(method, 'type');
    if (type === 'config') {
      const clusters = method.getOptionalConfigArray('clusters') ?? [];
      clusters.forEach((c, i) => {
        const name = str(c, 'name') || `cluster-${i}`;
        const url = str(c, 'url') ?? '';
        const authProvider = str(c, 'authProvider');
        let configError = checkUrl(url);
        if (!str(c, 'name')) configError = 'missing name';
        if (authProvider && authProvider !== 'serviceAccount') {
          configError = `authProvider '${authProvider}' is not supported (use serviceAccount)`;
        }
        push({
          name,
          title: str(c, 'title'),
          environment: str(c, 'environment') || name,
          url,
          source: 'config',
          skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
          configError,
          auth: 'serviceAccount',
          serviceAccountToken: str(c, 'serviceAccountToken'),
          serviceAccountTokenFile: str(c, 'serviceAccountTokenFile'),
          deployerServiceAccountToken: str(c, 'deployerServiceAccountToken'),
          deployerServiceAccountTokenFile: str(
            c,
            'deployerServiceAccountTokenFile',
          ),
          caData: str(c, 'caData'),
          caFile: str(c, 'caFile'),
        });
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
    // Other upstream types (gke, catalog) are not supported: catalog-defined
    // clusters would let catalog data choose URLs, which we never allow.
  }

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
 * Builds a client-node KubeConfig for one cluster definition.
 *
 * Files (token, CA, kubeconfig) are read on every call so that a restarted
 * local cluster or a rotated token is picked up without a backend restart.
 * Kubeconfig contexts and `kubectl proxy` carry their own identity, which
 * serves both kinds of access.
 *
 * @internal
 */
export function makeKubeConfig(
  def: ClusterDefinition,
  access: ClusterAccess = 'read',
): KubeConfig {
  if (def.configError) {
    throw new Error(
      `cluster '${def.name}' is misconfigured: ${def.configError}`,
    );
  }
  if (def.auth === 'kubeconfig') {
    return loadKubeconfigContext(def.kubeconfigPath, def.context);
  }
  let token: string | undefined;
  let caData: string | undefined;
  if (def.auth === 'serviceAccount') {
    token =
      access === 'deploy'
        ? readToken(
            def.deployerServiceAccountToken,
            def.deployerServiceAccountTokenFile,
          )
        : readToken(def.serviceAccountToken, def.serviceAccountTokenFile);
    if (!token && access === 'deploy') {
      throw new NotAllowedError(
        `cluster '${def.name}' has no deploy credentials: set deployerServiceAccountToken or ` +
          `deployerServiceAccountTokenFile on its kubernetes.clusterLocatorMethods entry ` +
          `(the read-only serviceAccountToken is never used for writes)`,
      );
    }
    caData = def.caData;
    if (!caData && def.caFile) {
      // Inline the file now so a missing file fails here, with the cluster name,
      // rather than as an opaque TLS error later.
      caData = fs.readFileSync(def.caFile).toString('base64');
    }
  }
  const kc = new KubeConfig();
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
    users: [{ name: 'shipyard', ...(token ? { token } : {}) }],
    contexts: [{ name: def.name, cluster: def.name, user: 'shipyard' }],
    currentContext: def.name,
  });
  return kc;
}
