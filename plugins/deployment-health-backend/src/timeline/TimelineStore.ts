import { DatabaseService } from '@backstage/backend-plugin-api';
import type {
  HealthReason,
  HealthStatus,
  RolloutChange,
  RolloutResult,
  ScaleChange,
  TimelineEntry,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { Knex, migratedClient } from '../database';

const TABLE = 'timeline_entries';

/** A service (kubernetes-id) in one namespace of one cluster: what a timeline is kept for. */
export interface ServiceKey {
  cluster: string;
  namespace: string;
  kubernetesId: string;
}

/**
 * The stored results each result replaces: a rollout finishes, gets stuck
 * or is rolled back; a stuck one may still complete. Nothing moves a row
 * back (a replica that observes late must not undo what one saw first).
 */
const REPLACES: Record<RolloutResult, RolloutResult[]> = {
  progressing: [],
  superseded: ['progressing'],
  stuck: ['progressing', 'superseded'],
  complete: ['progressing', 'superseded', 'stuck'],
  'rolled back': ['progressing', 'superseded', 'stuck', 'complete'],
};

interface Row {
  id: number | string;
  cluster: string;
  namespace: string;
  kubernetes_id: string;
  entry_key: string;
  type: 'rollout' | 'transition' | 'scale';
  at: number | string;
  ended_at: number | string | null;
  status: string;
  seq: number | null;
  data: string;
}

const ms = (iso: string | undefined) =>
  iso === undefined ? undefined : Date.parse(iso);

/**
 * The timeline table. Every write is idempotent on a natural key, so any
 * number of backend replicas may record what they observe: the unique
 * constraint keeps one row per rollout revision and per status transition.
 */
export class TimelineStore {
  static async create(database: DatabaseService): Promise<TimelineStore> {
    return new TimelineStore(await migratedClient(database));
  }

  constructor(private readonly knex: Knex) {}

  private base(service: ServiceKey) {
    return {
      cluster: service.cluster,
      namespace: service.namespace,
      kubernetes_id: service.kubernetesId,
    };
  }

  /**
   * Records these rollouts of the service: a new revision is inserted
   * (its start is its ReplicaSet's creation, else `now`: the first replica
   * to see it decides); a known one only moves its result forward.
   */
  async recordRollouts(
    service: ServiceKey,
    rollouts: RolloutChange[],
    now: Date,
  ): Promise<void> {
    for (const r of rollouts) {
      const key = `rollout/${r.workload.uid}/${r.revision}`;
      const endedAt = ms(r.endedAt) ?? null;
      await this.knex(TABLE)
        .insert({
          ...this.base(service),
          entry_key: key,
          type: 'rollout',
          at: ms(r.startedAt) ?? now.getTime(),
          ended_at: endedAt,
          status: r.result,
          data: JSON.stringify(r),
        })
        .onConflict(['cluster', 'namespace', 'kubernetes_id', 'entry_key'])
        .ignore();
      const earlier = REPLACES[r.result];
      if (!earlier.length) continue;
      // Same value from every replica: updating twice is harmless.
      await this.knex(TABLE)
        .where({ ...this.base(service), entry_key: key })
        .whereIn('status', earlier)
        .update({
          status: r.result,
          ended_at: endedAt,
          data: JSON.stringify(r),
        });
    }
  }

  /**
   * Records the service's status if it differs from the last one recorded:
   * as transition number last + 1, so that replicas which see the same
   * change at the same time insert the same key and one row lands. Returns
   * whether a row was written by this call.
   */
  async recordStatus(
    service: ServiceKey,
    status: { status: HealthStatus; reasons: HealthReason[] },
    now: Date,
  ): Promise<boolean> {
    const last = await this.knex<Row>(TABLE)
      .where({ ...this.base(service), type: 'transition' })
      .orderBy('seq', 'desc')
      .first('seq', 'status');
    if (last?.status === status.status) return false;
    const seq = (last?.seq ?? 0) + 1;
    const transition = {
      ...(last ? { from: last.status as HealthStatus } : {}),
      to: status.status,
      reasons: status.reasons,
    };
    const inserted = await this.knex(TABLE)
      .insert({
        ...this.base(service),
        entry_key: `transition/${seq}`,
        type: 'transition',
        at: now.getTime(),
        status: status.status,
        seq,
        data: JSON.stringify(transition),
      })
      .onConflict(['cluster', 'namespace', 'kubernetes_id', 'entry_key'])
      .ignore()
      .returning('id');
    return inserted.length > 0;
  }

  /**
   * Records an autoscaler's rescale under its time (which every replica
   * reads from the same object), with the replicas of the rescale recorded
   * before it as `from`.
   */
  async recordScale(
    service: ServiceKey,
    scale: { at: string; change: Omit<ScaleChange, 'from'> },
  ): Promise<void> {
    const at = Date.parse(scale.at);
    const prefix = `scale/${scale.change.hpa.uid}/`;
    const previous = await this.knex<Row>(TABLE)
      .where({ ...this.base(service), type: 'scale' })
      .where('entry_key', 'like', `${prefix}%`)
      .where('at', '<', at)
      .orderBy('at', 'desc')
      .first('data');
    let from: number | undefined;
    try {
      from = previous ? JSON.parse(previous.data).to : undefined;
    } catch {
      from = undefined; // an unreadable row says nothing about before
    }
    const change: ScaleChange = {
      ...scale.change,
      ...(typeof from === 'number' ? { from } : {}),
    };
    await this.knex(TABLE)
      .insert({
        ...this.base(service),
        entry_key: `${prefix}${at}`,
        type: 'scale',
        at,
        status: String(change.to),
        data: JSON.stringify(change),
      })
      .onConflict(['cluster', 'namespace', 'kubernetes_id', 'entry_key'])
      .ignore();
  }

  /**
   * A page of the timeline of a kubernetes-id in these namespaces, newest
   * first (ties by id). `before` is the cursor a previous page returned.
   */
  async list(query: {
    kubernetesId: string;
    namespaces: readonly string[];
    cluster?: string;
    limit: number;
    before?: string;
  }): Promise<{ entries: TimelineEntry[]; nextBefore?: string }> {
    let q = this.knex<Row>(TABLE)
      .where('kubernetes_id', query.kubernetesId)
      .whereIn('namespace', [...query.namespaces]);
    if (query.cluster) q = q.where('cluster', query.cluster);
    const cursor = parseCursor(query.before);
    if (cursor) {
      q = q.where(w =>
        w
          .where('at', '<', cursor.at)
          .orWhere(x => x.where('at', cursor.at).where('id', '<', cursor.id)),
      );
    }
    const rows: Row[] = await q
      .orderBy([
        { column: 'at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    const entries = page.flatMap(toEntry);
    const last = page[page.length - 1];
    return {
      entries,
      ...(rows.length > query.limit && last
        ? { nextBefore: `${Number(last.at)}.${Number(last.id)}` }
        : {}),
    };
  }

  /**
   * Deletes entries older than `olderThan`, then, per service and cluster,
   * all but the newest `maxPerService`, except each service's last
   * transition. Returns how many rows went.
   */
  async prune(options: {
    olderThan: Date;
    maxPerService: number;
  }): Promise<number> {
    // Each service's last transition stays, however old: it is the status
    // the next transition starts from ("Healthy → Failed", not "first seen
    // Failed" after a quiet month).
    const lastTransitions = () =>
      this.knex(TABLE)
        .max('id')
        .where('type', 'transition')
        .groupBy('cluster', 'namespace', 'kubernetes_id');
    let deleted = await this.knex(TABLE)
      .where('at', '<', options.olderThan.getTime())
      .whereNotIn('id', lastTransitions())
      .delete();
    const over: Array<Pick<Row, 'cluster' | 'namespace' | 'kubernetes_id'>> =
      await this.knex(TABLE)
        .select('cluster', 'namespace', 'kubernetes_id')
        .groupBy('cluster', 'namespace', 'kubernetes_id')
        .havingRaw('count(*) > ?', [options.maxPerService]);
    for (const s of over) {
      const service = {
        cluster: s.cluster,
        namespace: s.namespace,
        kubernetes_id: s.kubernetes_id,
      };
      const keep = this.knex(TABLE)
        .select('id')
        .where(service)
        .orderBy([
          { column: 'at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(options.maxPerService);
      deleted += await this.knex(TABLE)
        .where(service)
        .whereNotIn('id', keep)
        .whereNotIn('id', lastTransitions())
        .delete();
    }
    return deleted;
  }
}

function parseCursor(before: string | undefined) {
  const m = /^(\d+)\.(\d+)$/.exec(before ?? '');
  return m ? { at: Number(m[1]), id: Number(m[2]) } : undefined;
}

/**
 * The API form of a row; a row whose data cannot be read is left out (and
 * never breaks the page: the rest of the timeline still shows).
 */
function toEntry(row: Row): TimelineEntry[] {
  let data: any;
  try {
    data = JSON.parse(row.data);
  } catch {
    return [];
  }
  if (!data || typeof data !== 'object') return [];
  const common = {
    id: String(row.id),
    cluster: row.cluster,
    namespace: row.namespace,
    at: new Date(Number(row.at)).toISOString(),
  };
  if (row.type === 'rollout')
    return [{ ...common, type: 'rollout', rollout: data }];
  if (row.type === 'transition')
    return [{ ...common, type: 'transition', transition: data }];
  if (row.type === 'scale') return [{ ...common, type: 'scale', scale: data }];
  return [];
}
