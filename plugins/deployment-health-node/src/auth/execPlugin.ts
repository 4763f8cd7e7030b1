import { KubeConfig } from '@kubernetes/client-node';
import type { RequestContext } from '@kubernetes/client-node';
import https from 'node:https';
import { KubeRequestError } from '../kube/errors';

/**
 * The safe error for a failure of a kubeconfig user's exec credential
 * plugin, or undefined when `err` did not come from one.
 *
 * client-node rejects with `new Error(stderr)` when the plugin fails, and
 * with JSON.parse's error (which quotes the start of its input) when it
 * prints something other than an ExecCredential. Either may hold a token:
 * plugins print credentials they could not refresh, or a bare token. Neither
 * output is kept; only what is known to be safe is said.
 */
function execError(
  err: unknown,
  context: string,
): KubeRequestError | undefined {
  const e = err as NodeJS.ErrnoException;
  const plugin = `kubeconfig context '${context}': its exec credential plugin`;
  if (typeof e?.syscall === 'string' && e.syscall.startsWith('spawn')) {
    return new KubeRequestError(
      'misconfigured',
      `${plugin} could not be started (${e.code ?? 'error'})`,
    );
  }
  if (e instanceof SyntaxError) {
    return new KubeRequestError(
      'unauthorized',
      `${plugin} printed no valid ExecCredential JSON (its output is not shown: it may hold a credential)`,
    );
  }
  if (e instanceof Error && e.constructor === Error && e.code === undefined) {
    return new KubeRequestError(
      'unauthorized',
      `${plugin} failed (its error output is not shown: it may hold a credential)`,
    );
  }
  return undefined;
}

/**
 * A KubeConfig whose exec credential plugin failures never carry the
 * plugin's output. Wraps the three ways client-node applies credentials:
 * raw HTTPS options (Shipyard's KubeHttp), fetch options (client-node's
 * Watch) and the generated API clients (`makeApiClient`).
 */
class ExecGuardedKubeConfig extends KubeConfig {
  constructor(private readonly contextName: string) {
    super();
  }

  private async guard<T>(apply: () => Promise<T>): Promise<T> {
    try {
      return await apply();
    } catch (e) {
      throw execError(e, this.contextName) ?? e;
    }
  }

  override applyToHTTPSOptions(
    opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0],
  ): Promise<void> {
    return this.guard(() => super.applyToHTTPSOptions(opts));
  }

  override applyToFetchOptions(opts: https.RequestOptions) {
    return this.guard(() => super.applyToFetchOptions(opts));
  }

  override applySecurityAuthentication(context: RequestContext): Promise<void> {
    return this.guard(() => super.applySecurityAuthentication(context));
  }
}

/**
 * `kc` (a kubeconfig context's), guarded as above when its user runs an exec
 * credential plugin; unchanged otherwise.
 *
 * @internal
 */
export function guardExecPlugin(kc: KubeConfig, context: string): KubeConfig {
  const user = kc.getCurrentUser();
  if (!user?.exec && !user?.authProvider?.config?.exec) return kc;
  const guarded = new ExecGuardedKubeConfig(context);
  guarded.loadFromOptions({
    clusters: kc.clusters,
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.getCurrentContext(),
  });
  return guarded;
}
