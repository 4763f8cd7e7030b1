import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import type { AuthStrategies } from './clusterCredential';
import { UPSTREAM_PROVIDERS } from './providers';

/**
 * Upstream's own strategies for the server-side providers that `providers`
 * names, built as @backstage/plugin-kubernetes-backend builds them
 * (buildDefaultAuthStrategyMap): AwsIamStrategy with the root config (the
 * `aws` integration's accounts), GoogleServiceAccountStrategy with
 * `kubernetes.googleServiceAccountCredentials` or ADC, AzureIdentityStrategy
 * with DefaultAzureCredential.
 *
 * Loaded only when a cluster uses one of them: the package is an optional
 * peer dependency (it brings the AWS, Google Cloud and Azure SDKs, which a
 * backend without such clusters should not have to install or load). When it
 * cannot be loaded, the result lacks those providers and their clusters are
 * reported as misconfigured, saying to install it.
 *
 * @internal
 */
export async function loadUpstreamStrategies(
  providers: Iterable<string>,
  deps: { config: Config; logger: LoggerService },
): Promise<AuthStrategies> {
  const wanted = new Set(
    [...providers].filter(p => UPSTREAM_PROVIDERS.includes(p)),
  );
  if (wanted.size === 0) return {};
  let upstream: typeof import('@backstage/plugin-kubernetes-backend');
  try {
    // require, not import(): the backend runs this package as CommonJS, and
    // jest cannot run a dynamic import() without --experimental-vm-modules.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    upstream = require('@backstage/plugin-kubernetes-backend');
  } catch (e) {
    deps.logger.warn(
      `Cannot load @backstage/plugin-kubernetes-backend for authProvider ${[
        ...wanted,
      ].join(', ')} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
    return {};
  }
  const make: Record<string, () => AuthStrategies[string]> = {
    aws: () => new upstream.AwsIamStrategy({ config: deps.config }),
    googleServiceAccount: () =>
      new upstream.GoogleServiceAccountStrategy({ config: deps.config }),
    azure: () =>
      new upstream.AzureIdentityStrategy(
        deps.logger.child({ authProvider: 'azure' }),
      ),
  };
  return Object.fromEntries([...wanted].map(p => [p, make[p]()]));
}
