import { createBackendFeatureLoader } from '@backstage/backend-plugin-api';
import { shipyardLocalRepoUrlReader } from './catalog/localRepoUrlReader';
import { scaffolderModule } from './module';

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
