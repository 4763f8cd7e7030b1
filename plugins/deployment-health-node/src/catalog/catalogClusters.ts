import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  ANNOTATION_KUBERNETES_API_SERVER,
  ANNOTATION_KUBERNETES_API_SERVER_CA,
  ANNOTATION_KUBERNETES_AUTH_PROVIDER,
} from '@backstage/plugin-kubernetes-common';
import type { AuthMetadata } from '@backstage/plugin-kubernetes-node';
import { ClusterDefinition } from '../config/clusterDefinition';
import { CLIENT_SIDE_PROVIDERS, SERVICE_ACCOUNT } from '../auth/providers';

/** One `type: catalog` entry of kubernetes.clusterLocatorMethods. @internal */
export interface CatalogLocator {
  /** e.g. `kubernetes.clusterLocatorMethods[1]`, for messages. */
  configKey: string;
  /** Host names (exact, or `*.example.com`) catalog clusters may point at. */
  allowedHosts: string[];
  /** How long a read of the catalog is reused. */
  refreshMs: number;
}

const DEFAULT_REFRESH_SECONDS = 30;

/** The `type: catalog` locators; none (catalog clusters off) unless configured. @internal */
export function readCatalogLocators(config: Config): CatalogLocator[] {
  const methods =
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  return methods.flatMap((m, i) =>
    m.getOptionalString('type') === 'catalog'
      ? [
          {
            configKey: `kubernetes.clusterLocatorMethods[${i}]`,
            allowedHosts: (
              m.getOptionalStringArray('allowedApiServerHosts') ?? []
            ).map(h => h.toLowerCase()),
            refreshMs:
              (m.getOptionalNumber('refreshIntervalSeconds') ??
                DEFAULT_REFRESH_SECONDS) * 1000,
          },
        ]
      : [],
  );
}

/** `api.example.com` matches itself; `*.example.com` matches any host below example.com. */
export function hostAllowed(host: string, patterns: string[]): boolean {
  const h = host.toLowerCase();
  return patterns.some(p =>
    p.startsWith('*.') ? h.endsWith(p.slice(1)) : h === p,
  );
}

// As upstream's filterCatalogClusterAuthMetadata: kubernetes.io/* annotations,
// never a token.
function authMetadataOf(annotations: Record<string, string>): AuthMetadata {
  return Object.fromEntries(
    Object.entries(annotations).filter(
      ([k]) => k.startsWith('kubernetes.io/') && k !== 'serviceAccountToken',
    ),
  );
}

function refusal(
  name: string,
  url: string | undefined,
  authProvider: string | undefined,
  locator: CatalogLocator,
): string | undefined {
  const allowKey = `${locator.configKey}.allowedApiServerHosts`;
  let parsed: URL | undefined;
  try {
    parsed = url ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.protocol !== 'https:') {
    return `Resource '${name}': ${ANNOTATION_KUBERNETES_API_SERVER} must be an https:// URL`;
  }
  if (!hostAllowed(parsed.hostname, locator.allowedHosts)) {
    return `Resource '${name}': API server host '${parsed.hostname}' is not in ${allowKey}`;
  }
  if (
    !authProvider ||
    authProvider === SERVICE_ACCOUNT ||
    CLIENT_SIDE_PROVIDERS.includes(authProvider)
  ) {
    return (
      `Resource '${name}': ${ANNOTATION_KUBERNETES_AUTH_PROVIDER} '${
        authProvider ?? ''
      }' cannot be ` +
      `used for a catalog cluster (tokens do not belong in catalog data, and Shipyard has no ` +
      `user token): use aws, googleServiceAccount, azure or a strategy added with shipyardAuthStrategyServiceRef`
    );
  }
  return undefined;
}

/**
 * A cluster from a Resource entity of type kubernetes-cluster, as upstream's
 * CatalogClusterLocator reads it. The URL must be https and its host in the
 * locator's allow-list, so catalog data cannot point the backend (and its
 * cloud credentials) at an arbitrary server; a refused entity is listed
 * with `configError`. Never carries a token or skips TLS verification.
 *
 * @internal
 */
export function catalogClusterDefinition(
  entity: Entity,
  locator: CatalogLocator,
): ClusterDefinition {
  const name = entity.metadata.name;
  const annotations = entity.metadata.annotations ?? {};
  const url = annotations[ANNOTATION_KUBERNETES_API_SERVER];
  const authProvider = annotations[ANNOTATION_KUBERNETES_AUTH_PROVIDER];
  return {
    name,
    ...(entity.metadata.title ? { title: entity.metadata.title } : {}),
    environment: name,
    url: url ?? '',
    source: 'catalog',
    skipTLSVerify: false,
    configError: refusal(name, url, authProvider, locator),
    auth: 'config',
    configKey: locator.configKey,
    authProvider: authProvider ?? '',
    authProviderKey: `annotation ${ANNOTATION_KUBERNETES_AUTH_PROVIDER} of Resource '${name}'`,
    authMetadata: authMetadataOf(annotations),
    caData: annotations[ANNOTATION_KUBERNETES_API_SERVER_CA],
  };
}

/** Reads the Resource entities of type kubernetes-cluster. @internal */
export type ReadCatalogClusters = () => Promise<Entity[]>;

/**
 * The catalog's clusters, read again when older than the locators' refresh
 * interval (a read in progress is shared). A failed read keeps the last
 * clusters, so a catalog hiccup does not stop their watches.
 *
 * @internal
 */
export class CatalogClusterSource {
  private defs: ClusterDefinition[] = [];
  private readAt = -Infinity;
  private reading?: Promise<void>;
  private readonly refreshMs: number;

  constructor(
    private readonly locators: CatalogLocator[],
    private readonly read: ReadCatalogClusters,
    private readonly logger?: LoggerService,
  ) {
    this.refreshMs = Math.min(...locators.map(l => l.refreshMs));
  }

  async definitions(now = Date.now()): Promise<ClusterDefinition[]> {
    if (this.locators.length === 0) return [];
    if (now - this.readAt >= this.refreshMs) {
      this.reading ??= this.refresh(now).finally(() => {
        this.reading = undefined;
      });
      await this.reading;
    }
    return this.defs;
  }

  private async refresh(now: number) {
    try {
      const entities = await this.read();
      // The first locator decides (upstream: each catalog locator lists
      // the same entities; one is enough).
      const [locator] = this.locators;
      this.defs = entities.map(e => catalogClusterDefinition(e, locator));
    } catch (e) {
      this.logger?.warn(
        `Cannot read kubernetes-cluster Resources from the catalog, keeping the last ones: ${
          (e as Error).name
        }`,
      );
    } finally {
      // after a failure too: retry at the next interval, not on every call
      this.readAt = now;
    }
  }
}
