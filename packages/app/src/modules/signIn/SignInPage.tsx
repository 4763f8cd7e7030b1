import { useCallback } from 'react';
import { ProxiedSignInPage, SignInPage } from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import type { SignInPageProps } from '@backstage/plugin-app-react';

/**
 * The portal's sign-in page. By default it is upstream's guest sign-in, as in
 * a fresh Backstage app. When `shipyard.signIn.proxyProvider` names a proxy
 * auth provider (the tests' app-config.two-users.yaml sets `oauth2Proxy`),
 * the identity the authenticating proxy forwards is asked for first; a request
 * that carries none (the provider refuses it) falls back to the guest sign-in,
 * so the guest set-up works the same with or without the proxy.
 */
export function ShipyardSignInPage(props: SignInPageProps) {
  const provider = useApi(configApiRef).getOptionalString(
    'shipyard.signIn.proxyProvider',
  );
  // A stable component type, so a re-render does not remount the guest page.
  const GuestSignIn = useCallback(
    () => <SignInPage {...props} providers={['guest']} />,
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [props.onSignInSuccess],
  );
  if (!provider) return <GuestSignIn />;
  return (
    <ProxiedSignInPage
      {...props}
      provider={provider}
      ErrorComponent={GuestSignIn}
    />
  );
}
