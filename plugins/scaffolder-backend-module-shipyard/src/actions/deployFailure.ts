import type { LoggerService } from '@backstage/backend-plugin-api';
import { KubeConfig } from '@kubernetes/client-node';
import { runHelm } from '../lib/helm';
import { redactCredentials } from './redact';

/**
 * Reports a failed `helm upgrade --install --atomic` of `shipyard:deploy`:
 * logs helm's reason and the release's last revisions (best effort), and
 * returns the error the action fails with.
 */
export async function helmDeployFailure(options: {
  helm: string;
  env: Record<string, string>;
  /** the failed upgrade's stderr */
  stderr: string;
  /** the cluster's own credentials (redacted from what is logged) */
  kc: KubeConfig;
  logger: LoggerService;
  releaseName: string;
  cluster: string;
  namespace: string;
}): Promise<Error> {
  const { releaseName, cluster, namespace, kc, logger } = options;
  const reason = redactCredentials(options.stderr.trim(), kc);
  logger.error(
    `Deploy of ${releaseName} to ${cluster}/${namespace} failed: ${reason}`,
  );
  const hist = await runHelm(
    options.helm,
    [
      'history',
      releaseName,
      '--namespace',
      namespace,
      '--max',
      '3',
      '--output',
      'json',
    ],
    { env: options.env },
  );
  if (hist.code === 0) {
    try {
      for (const h of JSON.parse(hist.stdout)) {
        logger.info(
          `  revision ${h.revision} ${h.status}: ${redactCredentials(
            String(h.description ?? ''),
            kc,
          )}`,
        );
      }
    } catch {
      // history is best effort
    }
  }
  return new Error(
    `helm upgrade --install --atomic failed for ${releaseName} on ${cluster}/${namespace} (rolled back): ${reason}`,
  );
}
