import { Config } from '@backstage/config';
import { KubeConfig } from '@kubernetes/client-node';
import os from 'node:os';
import path from 'node:path';
import { ClusterDefinition } from './clusterDefinition';
import { checkUrl, str } from './entryValues';

/** A kubeconfig that loads but lacks the context: our message, safe to show. */
class ContextNotFoundError extends Error {}

function defaultKubeconfigPath(): string {
  const fromEnv = process.env.KUBECONFIG?.split(path.delimiter)[0];
  return fromEnv || path.join(os.homedir(), '.kube', 'config');
}

/** The kubeconfig in `file`, switched to `context`. @internal */
export function loadKubeconfigContext(
  file: string,
  context: string,
): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  if (!kc.getContextObject(context)) {
    throw new ContextNotFoundError(`context not found in ${file}`);
  }
  kc.setCurrentContext(context);
  return kc;
}

/**
 * One `deploymentHealth.kubeconfigContexts` entry. The kubeconfig is read now
 * for the URL only; an unreadable one becomes the cluster's `configError`.
 *
 * @internal
 */
export function readKubeconfigContextEntry(c: Config): ClusterDefinition {
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
  return {
    name,
    environment: str(c, 'environment') || name,
    url,
    source: 'kubeconfig',
    skipTLSVerify,
    configError,
    auth: 'kubeconfig',
    kubeconfigPath,
    context,
  };
}
