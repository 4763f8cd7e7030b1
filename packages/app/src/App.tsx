import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import deploymentHealthPlugin from '@shipyard-platform/backstage-plugin-deployment-health/alpha';
import { navModule } from './modules/nav';
import { homeModule } from './modules/home';
import { signInModule } from './modules/signIn';

export default createApp({
  features: [
    catalogPlugin,
    deploymentHealthPlugin,
    navModule,
    homeModule,
    signInModule,
  ],
});
