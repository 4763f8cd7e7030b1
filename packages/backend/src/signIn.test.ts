/*
 * The portal's sign-in providers, from its real config files: the default
 * set-up (app-config.yaml, and with app-config.production.yaml) offers no
 * header-trusting sign-in; only the tests' app-config.two-users.yaml turns on
 * the oauth2Proxy provider, which signs in the catalog user that
 * x-forwarded-user names, with that user's teams. Real auth and catalog
 * backends (the catalog ingests examples/org.yaml as the portal does).
 */
import { AddressInfo } from 'node:net';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProvider from '@backstage/plugin-auth-backend-module-guest-provider';
import oauth2ProxyProvider from '@backstage/plugin-auth-backend-module-oauth2-proxy-provider';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import { portalConfig } from './__testUtils__/portalConfig';

async function startPortalAuth(files: string[]) {
  const data = await portalConfig(files);
  const backend = await startTestBackend({
    features: [
      mockServices.rootConfig.factory({ data }),
      // the sign-in modules of src/index.ts, and the catalog they resolve users in
      authPlugin,
      guestProvider,
      oauth2ProxyProvider,
      catalogPlugin,
      catalogTemplateKind,
    ],
  });
  const { port } = backend.server.address() as AddressInfo;
  const refresh = (user: string) =>
    fetch(`http://localhost:${port}/api/auth/oauth2Proxy/refresh`, {
      headers: { 'x-forwarded-user': user },
    });
  return { backend, refresh };
}

describe('portal sign-in', () => {
  it.each([
    ['app-config.yaml'],
    ['app-config.yaml + app-config.production.yaml'],
  ])(
    'with %s, x-forwarded-user signs nobody in',
    async configFiles => {
      const files = configFiles.split(' + ');
      const { backend, refresh } = await startPortalAuth(files);
      try {
        const res = await refresh('ada');
        expect(res.status).toBe(404);
        expect((await res.json()).error.message).toBe(
          "No auth provider registered for 'oauth2Proxy'",
        );
      } finally {
        await backend.stop();
      }
    },
    60_000,
  );

  it('app-config.two-users.yaml signs in the named catalog user, with their team', async () => {
    const { backend, refresh } = await startPortalAuth([
      'app-config.yaml',
      'app-config.two-users.yaml',
    ]);
    try {
      // The catalog ingests examples/org.yaml after start: a few seconds
      // alone, much longer while the rest of the suite shares the CPU.
      const deadline = Date.now() + 150_000;
      let res = await refresh('grace');
      while (res.status !== 200 && Date.now() < deadline) {
        await new Promise(r => setTimeout(r, 1000));
        res = await refresh('grace');
      }
      expect(res.status).toBe(200);
      const { identity, token } = (await res.json()).backstageIdentity;
      expect(token).toEqual(expect.any(String));
      expect(identity.userEntityRef).toBe('user:default/grace');
      expect(identity.ownershipEntityRefs).toEqual(
        expect.arrayContaining(['group:default/team-storefront']),
      );
      expect(identity.ownershipEntityRefs).not.toContain(
        'group:default/team-payments',
      );

      // A name that is no catalog user is refused, not signed in.
      const stranger = await refresh('mallory');
      // (upstream answers 500 for a user it cannot resolve)
      expect(stranger.ok).toBe(false);
      const body = await stranger.json();
      expect(body.backstageIdentity).toBeUndefined();
      expect(body.error.message).toMatch(/unable to resolve user identity/);
    } finally {
      await backend.stop();
    }
  }, 180_000);
});
