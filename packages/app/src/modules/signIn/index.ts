import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';

/** Replaces the app plugin's sign-in page (same extension id, sign-in-page:app). */
const signInPage = SignInPageBlueprint.make({
  params: {
    loader: async () => import('./SignInPage').then(m => m.ShipyardSignInPage),
  },
});

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [signInPage],
});
