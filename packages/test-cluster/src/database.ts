/**
 * A PostgreSQL database of its own for a test that claims production
 * behaviour (replicas sharing one database), on the local services of
 * `scripts/services` (started if needed; SHIPYARD_PG_PORT chooses the port).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import knexFactory, { Knex } from 'knex';

const run = promisify(execFile);
// eslint-disable-next-line no-restricted-syntax -- test helper, never bundled
const services = path.resolve(__dirname, '../../../scripts/services');

/** A fresh database `<prefix>_<time>`; `drop()` removes it (connections and all). */
export interface TestDatabase {
  knex: Knex;
  drop(): Promise<void>;
}

export async function startTestDatabase(prefix: string): Promise<TestDatabase> {
  await run(services, ['up'], { timeout: 600_000 });
  const env = JSON.parse((await run(services, ['env', '--json'])).stdout);
  const connection = {
    host: env.POSTGRES_HOST,
    port: Number(env.POSTGRES_PORT),
    user: env.POSTGRES_USER,
    password: env.POSTGRES_PASSWORD,
  };
  const database = `${prefix}_${Date.now().toString(36)}`;
  const admin = knexFactory({
    client: 'pg',
    connection: { ...connection, database: 'postgres' },
  });
  await admin.raw(`CREATE DATABASE ${database}`);
  const knex = knexFactory({
    client: 'pg',
    connection: { ...connection, database },
  });
  return {
    knex,
    async drop() {
      await knex.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}
