import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  EntityTimelineResponse,
  getEntityKubernetesMatch,
  TenancyRules,
  TimelineEntry,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import type { DeploymentHealthService } from '../DeploymentHealthService';
import { restrictReason } from '../summary';
import type { TimelineStore } from './TimelineStore';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;

/**
 * Answers for an entity's timeline, with the same access as its health:
 * details readers get every entry; summary readers the same entries without
 * images and Kubernetes' messages; others a 403 (from entityAccess).
 */
export class TimelineService {
  constructor(
    private readonly deps: {
      logger: LoggerService;
      health: DeploymentHealthService;
      /** Undefined when `deploymentHealth.timeline.enabled` is false. */
      store?: TimelineStore;
      tenancy: TenancyRules;
      /** Environment of each configured cluster, for the entries. */
      environmentOf: (cluster: string) => string | undefined;
    },
  ) {}

  async getEntityTimeline(
    ref: CompoundEntityRef,
    query: { cluster?: string; limit?: string; before?: string },
    credentials: BackstageCredentials,
  ): Promise<EntityTimelineResponse> {
    const limit = parseLimit(query.limit);
    if (query.before !== undefined && !/^\d+\.\d+$/.test(query.before))
      throw new InputError('before must be a nextBefore of an earlier page');
    const { entity, access } = await this.deps.health.entityAccess(
      ref,
      credentials,
    );
    const { store } = this.deps;
    if (!store)
      throw new NotFoundError(
        'The timeline is switched off (deploymentHealth.timeline.enabled)',
      );
    const entityRef = stringifyEntityRef(entity);
    const restricted = access === 'summary';
    const base = {
      entityRef,
      entries: [] as TimelineEntry[],
      ...(restricted ? { detailsRestricted: true } : {}),
    };
    const resolved = getEntityKubernetesMatch(entity, this.deps.tenancy);
    if ('refusal' in resolved)
      return { ...base, note: resolved.refusal.message };
    const { match } = resolved;
    if (match.type !== 'kubernetesId')
      return {
        ...base,
        note: 'No timeline for a custom label selector: the timeline is kept per backstage.io/kubernetes-id',
      };
    if (match.cluster && query.cluster && match.cluster !== query.cluster)
      return base;
    let page;
    try {
      page = await store.list({
        kubernetesId: match.kubernetesId,
        namespaces: match.namespaces,
        cluster: query.cluster ?? match.cluster,
        limit,
        before: query.before,
      });
    } catch (e) {
      // Only the timeline depends on the database: say so, clearly; its
      // error (host, port, user) goes to the log, not to the browser.
      this.deps.logger.error(`The timeline database cannot be read: ${e}`);
      throw new ServiceUnavailableError(
        'The timeline database cannot be read; the backend log says why',
      );
    }
    const entries = page.entries.map(e => {
      const environment = this.deps.environmentOf(e.cluster);
      const entry = environment ? { ...e, environment } : e;
      return restricted ? restrictEntry(entry) : entry;
    });
    return {
      ...base,
      entries,
      ...(page.nextBefore ? { nextBefore: page.nextBefore } : {}),
    };
  }
}

function parseLimit(limit: string | undefined) {
  if (limit === undefined) return DEFAULT_PAGE;
  const n = Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE)
    throw new InputError(`limit must be an integer from 1 to ${MAX_PAGE}`);
  return n;
}

/** A summary reader's entry: versions and statuses, no images, no Kubernetes messages. */
function restrictEntry(e: TimelineEntry): TimelineEntry {
  if (e.type === 'rollout')
    return { ...e, rollout: { ...e.rollout, fromImages: [], toImages: [] } };
  // autoscaler and workload names are part of the summary too
  if (e.type === 'scale') return e;
  return {
    ...e,
    transition: {
      ...e.transition,
      reasons: e.transition.reasons.map(restrictReason),
    },
  };
}
