import { Config } from '@backstage/config';
import { TokenKeys } from './clusterDefinition';

/** Why a cluster URL cannot be used, or undefined. @internal */
export function checkUrl(url: string | undefined): string | undefined {
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

/**
 * A string value, or undefined. Config getters throw on wrong types (e.g. an
 * empty string from an unset env var); a bad value must mark only that
 * cluster as misconfigured.
 *
 * @internal
 */
export function str(c: Config, key: string): string | undefined {
  try {
    return c.getOptionalString(key) || undefined;
  } catch {
    return undefined;
  }
}

/** @internal */
export function readTokenKeys(c: Config): TokenKeys {
  return {
    serviceAccountToken: str(c, 'serviceAccountToken'),
    serviceAccountTokenFile: str(c, 'serviceAccountTokenFile'),
    deployerServiceAccountToken: str(c, 'deployerServiceAccountToken'),
    deployerServiceAccountTokenFile: str(c, 'deployerServiceAccountTokenFile'),
  };
}

/** The fields every `type: config` entry shares. @internal */
export function readCommon(c: Config, name: string) {
  return {
    name,
    title: str(c, 'title'),
    environment: str(c, 'environment') || name,
    source: 'config' as const,
    skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
  };
}
