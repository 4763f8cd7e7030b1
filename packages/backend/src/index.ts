/*
 * The Shipyard portal's backend: the Backstage plugins the portal uses, plus
 * Shipyard's deployment health and golden-path scaffolder actions. Configured
 * by app-config.yaml (and app-config.production.yaml in production).
 */
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

for (const feature of [
  import('@backstage/plugin-app-backend'),
  import('@backstage/plugin-proxy-backend'),
  import('@backstage/plugin-scaffolder-backend'),
  import('@backstage/plugin-scaffolder-backend-module-github'),
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
  import('@backstage/plugin-techdocs-backend'),
  // sign-in: app-config.yaml enables the guest provider only. The oauth2Proxy
  // provider trusts the x-forwarded-user header, so it stays unregistered (404)
  // unless a config file sets auth.providers.oauth2Proxy: only the tests'
  // app-config.two-users.yaml does, to sign in as users of different teams.
  import('@backstage/plugin-auth-backend'),
  import('@backstage/plugin-auth-backend-module-guest-provider'),
  import('@backstage/plugin-auth-backend-module-oauth2-proxy-provider'),
  import('@backstage/plugin-catalog-backend'),
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
  import('@backstage/plugin-catalog-backend-module-logs'),
  // permissions: Shipyard's policy (health summaries for everyone signed in,
  // details for the owning team and shipyard.tenancy.platformGroups, the rest
  // allowed as with create-app's allow-all policy)
  import('@backstage/plugin-permission-backend'),
  import(
    '@shipyard-platform/backstage-plugin-permission-backend-module-shipyard'
  ),
  import('@backstage/plugin-search-backend'),
  import('@backstage/plugin-search-backend-module-pg'),
  import('@backstage/plugin-search-backend-module-catalog'),
  import('@backstage/plugin-search-backend-module-techdocs'),
  import('@backstage/plugin-user-settings-backend'),
  import('@backstage/plugin-notifications-backend'),
  import('@backstage/plugin-signals-backend'),
  // The events bus: signals published on one replica (deployment health's
  // live updates) reach browsers connected to another, through the shared
  // PostgreSQL database (with SQLite, one process: an in-memory store).
  import('@backstage/plugin-events-backend'),
  import('@backstage/plugin-mcp-actions-backend'),
  // Kubernetes health comes from Shipyard's deployment health alone: upstream
  // @backstage/plugin-kubernetes-backend is not installed, as its /proxy and
  // object endpoints return raw objects (env values included) to any user.
  import('@shipyard-platform/backstage-plugin-deployment-health-backend'),
  import(
    '@shipyard-platform/backstage-plugin-scaffolder-backend-module-shipyard'
  ),
]) {
  backend.add(feature);
}

// A failed start exits instead of leaving an unready process behind, so the
// orchestrator restarts it (e.g. two replicas racing for a fresh database).
backend.start().catch(error => {
  console.error('Backend failed to start', error);
  process.exit(1);
});
