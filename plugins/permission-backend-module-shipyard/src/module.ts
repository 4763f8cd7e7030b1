import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { assertSupportedBackstageRelease } from '@shipyard-platform/backstage-plugin-deployment-health-node';
import packageJson from '../package.json';
import { ShipyardPermissionPolicy } from './ShipyardPermissionPolicy';

// On import, before anything registers: a backend of another Backstage release
// line fails here with the range this package needs, not later with a stack trace.
assertSupportedBackstageRelease(packageJson);

/**
 * Sets {@link ShipyardPermissionPolicy} as the permission backend's policy
 * (instead of the allow-all policy; a backend can have only one).
 *
 * @public
 */
export const permissionModuleShipyardPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'shipyard-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        logger: coreServices.logger,
      },
      async init({ policy, config, userInfo, catalog, auth, logger }) {
        policy.setPolicy(
          ShipyardPermissionPolicy.fromConfig(config, {
            userInfo,
            catalog,
            auth,
            logger,
          }),
        );
      },
    });
  },
});
