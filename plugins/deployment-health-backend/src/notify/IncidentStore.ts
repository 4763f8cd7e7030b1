import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex, migratedClient } from '../database';
import { Incident } from './incident';

const TABLE = 'health_incidents';

interface Row {
  entity_ref: string;
  environment: string;
  state: Incident['state'];
  status: Incident['status'];
  since: number | string;
  well_since: number | string | null;
  reasons: string;
}

/**
 * The open and pending incidents, in the plugin's database: they must
 * outlive a restart and be the same for every replica (whichever replica
 * the scheduler gives the next look to).
 */
export class IncidentStore {
  static async create(database: DatabaseService): Promise<IncidentStore> {
    return new IncidentStore(await migratedClient(database));
  }

  constructor(private readonly knex: Knex) {}

  async all(): Promise<Incident[]> {
    const rows: Row[] = await this.knex(TABLE).select();
    return rows.map(r => ({
      entityRef: r.entity_ref,
      environment: r.environment,
      state: r.state,
      status: r.status,
      since: Number(r.since),
      ...(r.well_since === null ? {} : { wellSince: Number(r.well_since) }),
      reasons: JSON.parse(r.reasons),
    }));
  }

  async put(incident: Incident): Promise<void> {
    const row: Row = {
      entity_ref: incident.entityRef,
      environment: incident.environment,
      state: incident.state,
      status: incident.status,
      since: incident.since,
      well_since: incident.wellSince ?? null,
      reasons: JSON.stringify(incident.reasons),
    };
    await this.knex(TABLE)
      .insert(row)
      .onConflict(['entity_ref', 'environment'])
      .merge();
  }

  async delete(key: { entityRef: string; environment: string }) {
    await this.knex(TABLE)
      .where({ entity_ref: key.entityRef, environment: key.environment })
      .delete();
  }
}
