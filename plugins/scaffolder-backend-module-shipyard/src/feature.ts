import { createBackendFeatureLoader } from '@backstage/backend-plugin-api';
import { assertSupportedBackstageRelease } from '@shipyard-platform/backstage-plugin-deployment-health-node';
import packageJson from '../package.json';
import { shipyardLocalRepoUrlReader } from './catalog/localRepoUrlReader';
import { scaffolderModule } from './module';

// On import, before anything registers: a backend of another Backstage release
// line fails here with the range this package needs, not later with a stack trace.
assertSupportedBackstageRelease(packageJson);

/**
 * The Shipyard scaffolder actions ({@link scaffolderModule}) together with the
 * `file://` UrlReader for locally published repositories
 * ({@link shipyardLocalRepoUrlReader}).
 *
 * @public
 */
export default createBackendFeatureLoader({
  loader() {
    return [scaffolderModule, shipyardLocalRepoUrlReader];
  },
});
