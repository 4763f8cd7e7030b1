import type { LoggerService } from '@backstage/backend-plugin-api';
import { KubeConfig } from '@kubernetes/client-node';
import { runHelm } from '../lib/helm';
import { redactCredentials } from './redact';

/** One revision of `helm history --output json`. */
export type HelmRevision = {
  revision: number;
  status?: string;
  description?: string;
};

/**
 * What became of the release after a failed `helm upgrade --install --atomic`,
 * as helm itself reports it: its error (helm 3 says "release X failed, and has
 * been rolled back due to atomic being set", or "... has been uninstalled ...",
 * or "an error occurred while rolling back the release") and its history (a
 * rollback is a new deployed revision described "Rollback to N"). Nothing is
 * assumed: without such a report the outcome says so.
 */
export function atomicOutcome(
  stderr: string,
  history: HelmRevision[] | undefined,
): string {
  if (/an error occurred while rolling back the release/.test(stderr))
    return 'the rollback failed';
  if (/has been uninstalled due to atomic being set/.test(stderr))
    return 'the new release was uninstalled';
  const last = history?.length ? history[history.length - 1] : undefined;
  const to = /^Rollback to (\d+)/.exec(last?.description ?? '');
  const rolledBack =
    (to && last?.status === 'deployed') ||
    /has been rolled back due to atomic being set/.test(stderr);
  if (!rolledBack) return 'helm reports no rollback';
  return to ? `rolled back to revision ${to[1]}` : 'rolled back';
}

/**
 * Reports a failed `helm upgrade --install --atomic` of `shipyard:deploy`:
 * logs helm's reason and the release's last revisions (best effort), and
 * returns the error the action fails with, which says whether helm rolled the
 * release back (atomicOutcome).
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
  let history: HelmRevision[] | undefined;
  if (hist.code === 0) {
    try {
      history = JSON.parse(hist.stdout);
      for (const h of history ?? []) {
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
    `helm upgrade --install --atomic failed for ${releaseName} on ${cluster}/${namespace} (${atomicOutcome(
      options.stderr,
      history,
    )}): ${reason}`,
  );
}
