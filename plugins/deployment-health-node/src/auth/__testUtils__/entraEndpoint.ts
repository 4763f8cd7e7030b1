/**
 * Microsoft Entra ID, emulated for MSAL (which @azure/identity uses), served
 * through the intercepting proxy for two hosts:
 * - login.microsoftonline.com: instance discovery, which MSAL asks about any
 *   authority host it does not know (upstream's DefaultAzureCredential has no
 *   disableInstanceDiscovery), answered with the test's authority host;
 * - the authority host (AZURE_AUTHORITY_HOST): the tenant's OpenID
 *   configuration and its token endpoint, client credentials grant for the
 *   AKS scope, with either a client secret or a client assertion (workload
 *   identity: the projected service account token, which `verifyAssertion`
 *   checks, as Entra checks a federated credential).
 * Issued access tokens are added to `issued` for the token webhook.
 */
import crypto from 'node:crypto';
import http from 'node:http';

export const INSTANCE_DISCOVERY_HOST = 'login.microsoftonline.com';
const AKS_SCOPE = '6dae42f8-4368-4678-94ff-3960e28e3630/.default';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface EntraOptions {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Whether a client assertion proves this client (workload identity). */
  verifyAssertion(assertion: string): Promise<boolean>;
  issued: Set<string>;
}

const sameSecret = (a: string, b: string) =>
  a.length === b.length &&
  crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function entraEndpoint(o: EntraOptions): http.RequestListener {
  const base = `https://${o.authorityHost}/${o.tenantId}`;
  const reply = (res: http.ServerResponse, status: number, json: object) =>
    res
      .writeHead(status, { 'content-type': 'application/json' })
      .end(JSON.stringify(json));
  const error = (res: http.ServerResponse, code: string) =>
    reply(res, 401, {
      error: code,
      error_description: `AADSTS7000215: ${code} (emulated)`,
    });

  /** Whether a token request proves the client, for the AKS scope. */
  async function authenticates(form: URLSearchParams): Promise<boolean> {
    if (
      form.get('grant_type') !== 'client_credentials' ||
      form.get('client_id') !== o.clientId ||
      !(form.get('scope') ?? '').split(' ').includes(AKS_SCOPE)
    ) {
      return false;
    }
    const secret = form.get('client_secret');
    if (secret !== null) return sameSecret(secret, o.clientSecret);
    if (form.get('client_assertion_type') !== ASSERTION_TYPE) return false;
    return o.verifyAssertion(form.get('client_assertion') ?? '');
  }

  return (req, res) => {
    let body = '';
    req.on('data', c => (body += c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', `https://${req.headers.host}`);
      if (
        url.hostname === INSTANCE_DISCOVERY_HOST &&
        url.pathname === '/common/discovery/instance'
      ) {
        reply(res, 200, {
          tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`,
          'api-version': '1.1',
          metadata: [
            {
              preferred_network: o.authorityHost,
              preferred_cache: o.authorityHost,
              aliases: [o.authorityHost],
            },
          ],
        });
      } else if (
        url.hostname === o.authorityHost &&
        url.pathname === `/${o.tenantId}/v2.0/.well-known/openid-configuration`
      ) {
        reply(res, 200, {
          issuer: `${base}/v2.0`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          token_endpoint: `${base}/oauth2/v2.0/token`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          jwks_uri: `${base}/discovery/v2.0/keys`,
          response_types_supported: ['code', 'token'],
        });
      } else if (
        url.hostname === o.authorityHost &&
        url.pathname === `/${o.tenantId}/oauth2/v2.0/token` &&
        req.method === 'POST'
      ) {
        const form = new URLSearchParams(body);
        if (!(await authenticates(form).catch(() => false))) {
          error(res, 'invalid_client');
          return;
        }
        const accessToken = `entra-${crypto.randomBytes(16).toString('hex')}`;
        o.issued.add(accessToken);
        reply(res, 200, {
          token_type: 'Bearer',
          expires_in: 3599,
          ext_expires_in: 3599,
          access_token: accessToken,
        });
      } else {
        reply(res, 404, { error: 'not_found' });
      }
    });
  };
}
