import { Config } from '@backstage/config';
import {
  ANNOTATION_KUBERNETES_AUTH_PROVIDER,
  ANNOTATION_KUBERNETES_AWS_ASSUME_ROLE,
  ANNOTATION_KUBERNETES_AWS_EXTERNAL_ID,
  ANNOTATION_KUBERNETES_OIDC_TOKEN_PROVIDER,
} from '@backstage/plugin-kubernetes-common';
import type { AuthMetadata } from '@backstage/plugin-kubernetes-node';
import { ClusterDefinition } from './clusterDefinition';
import { checkUrl, readCommon, readTokenKeys, str } from './entryValues';

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

/** A `type: config` entry that authenticates with its own keys or strategy. @internal */
export function readConfigEntry(
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
