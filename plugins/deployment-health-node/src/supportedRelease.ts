import { createRequire } from 'node:module';
import path from 'node:path';
import semver from 'semver';

/** The parts of a Shipyard backend package's own package.json that the check reads. @public */
export type ShipyardPackageInfo = {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
};

const BACKEND_API = '@backstage/backend-plugin-api';

/**
 * Refuses to load into a backend of another Backstage release line than the
 * package was built for, naming the range it needs.
 *
 * Yarn would otherwise install a second copy of the backend API beside the app's
 * older one, and the backend would fail later on a missing service with a stack
 * trace that never names the cause. The host's version is the one resolved from
 * the backend's working directory (packages/backend, or the image's /app).
 *
 * @public
 */
export function assertSupportedBackstageRelease(
  pkg: ShipyardPackageInfo,
  backendDir: string = process.cwd(),
): void {
  const range = pkg.dependencies?.[BACKEND_API];
  if (!range) return;
  let hostVersion: string;
  try {
    const requireFromBackend = createRequire(
      path.join(backendDir, 'package.json'),
    );
    hostVersion = requireFromBackend(`${BACKEND_API}/package.json`).version;
  } catch {
    return; // not run from a backend package (e.g. a script): nothing to compare
  }
  // A backend on the next line (1.13.0-next.1) is on the supported line too.
  if (semver.satisfies(hostVersion, range, { includePrerelease: true })) return;
  const error = new Error(
    `${pkg.name} ${pkg.version} needs a backend with ${BACKEND_API} ${range} ` +
      `(the Backstage release line it is built and tested for), but this backend ` +
      `has ${hostVersion}. Move the app to that release line ` +
      `(yarn backstage-cli versions:bump), or install a ${pkg.name} release made for yours.`,
  );
  // The message is the whole story; a stack trace would bury it.
  error.stack = `${error.name}: ${error.message}`;
  throw error;
}
