/*
 * Config read by the Shipyard portal's frontend (packages/app).
 */
export interface Config {
  shipyard?: {
    signIn?: {
      /**
       * Sign in through an authenticating proxy in front of the portal: the id
       * of the backend's proxy auth provider (e.g. `oauth2Proxy`), which must be
       * configured under `auth.providers`. The sign-in page asks that provider
       * for the proxy's identity first and shows the guest sign-in when the
       * request carries none. Unset (the default): guest sign-in only.
       * @visibility frontend
       */
      proxyProvider?: string;
    };
  };
}
