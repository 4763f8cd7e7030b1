import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';

/** The plugin's knex client. */
export type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

/**
 * The plugin's database, migrated: the knex migrations in the package's
 * `migrations` (the timeline's and the incidents' tables), in a migrations
 * table of their own. The timeline and the notifications both call it; the
 * second call finds nothing to do.
 */
export async function migratedClient(database: DatabaseService): Promise<Knex> {
  const knex = await database.getClient();
  if (!database.migrations?.skip) {
    await knex.migrate.latest({
      directory: resolvePackagePath(
        '@shipyard-platform/backstage-plugin-deployment-health-backend',
        'migrations',
      ),
      tableName: 'deployment_health_knex_migrations',
    });
  }
  return knex;
}
