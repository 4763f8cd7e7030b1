import path from 'node:path';
import { ConfigSources } from '@backstage/config-loader';

/** The repository root, where the portal's config files are. */
export const repoRoot = path.resolve(__dirname, '../../../..');

/**
 * The merged config of the portal's config files (paths relative to the
 * repository root, as `--config` reads them), made ready for a test backend:
 * the catalog's file locations resolved from packages/backend, where the
 * backend runs (jest may run from the root), and its own listener and
 * in-memory database. Everything else is as the files say.
 */
export async function portalConfig(
  files: string[],
): Promise<Record<string, any>> {
  const config = await ConfigSources.toConfig(
    ConfigSources.defaultForTargets({
      rootDir: repoRoot,
      targets: files.map(f => ({
        type: 'path' as const,
        target: path.resolve(repoRoot, f),
      })),
    }),
  );
  const data = config.get<Record<string, any>>();
  config.close();
  for (const location of data.catalog?.locations ?? []) {
    if (location.type === 'file')
      location.target = path.resolve(
        repoRoot,
        'packages/backend',
        location.target,
      );
  }
  data.backend = {
    ...data.backend,
    baseUrl: 'http://localhost:0',
    listen: { port: 0 },
    database: { client: 'better-sqlite3', connection: ':memory:' },
  };
  return data;
}
