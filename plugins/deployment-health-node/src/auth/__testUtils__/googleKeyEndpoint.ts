/**
 * Google's OAuth token endpoint for service account keys, emulated: the
 * JWT-bearer grant (RFC 7523) that google-auth-library's gtoken sends, signed
 * with the key's private key. Only a JWT that verifies with the public key of
 * a registered service account, for Google's audience and the cloud-platform
 * scope, and not expired, gets an access token.
 */
import crypto from 'node:crypto';
import http from 'node:http';

/** Where gtoken posts, whatever the key file's token_uri says (gtoken 7). */
export const GOOGLE_TOKEN_URL = 'https://www.googleapis.com/oauth2/v4/token';
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

/** A new service account key, as the JSON file Google's console downloads. */
export function serviceAccountKey(email: string) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
  });
  const json = {
    type: 'service_account',
    project_id: 'shipyard-it',
    private_key_id: crypto.randomBytes(20).toString('hex'),
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    client_email: email,
    client_id: '100000000000000000001',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: 'https://oauth2.googleapis.com/token',
  };
  return { json, publicKey };
}

const part = (s: string) =>
  JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

/** The service account a JWT-bearer assertion proves, or undefined. */
function verifyAssertion(
  assertion: string,
  publicKeys: Map<string, crypto.KeyObject>,
): string | undefined {
  const [header, payload, signature] = assertion.split('.');
  if (!signature || part(header).alg !== 'RS256') return undefined;
  const claims = part(payload);
  const key = publicKeys.get(claims.iss);
  const now = Date.now() / 1000;
  const valid =
    key &&
    crypto.verify(
      'RSA-SHA256',
      Buffer.from(`${header}.${payload}`),
      key,
      Buffer.from(signature, 'base64url'),
    ) &&
    claims.aud === GOOGLE_TOKEN_URL &&
    String(claims.scope).split(' ').includes(CLOUD_PLATFORM) &&
    claims.exp > now &&
    claims.iat <= now + 60;
  return valid ? claims.iss : undefined;
}

/**
 * A request handler for www.googleapis.com: POST /oauth2/v4/token. Issued
 * tokens are added to `issued`, so the token webhook can accept them.
 */
export function googleKeyEndpoint(
  publicKeys: Map<string, crypto.KeyObject>,
  issued: Set<string>,
): http.RequestListener {
  return (req, res) => {
    let body = '';
    req.on('data', c => (body += c));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const reply = (status: number, json: object) =>
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify(json));
      let account: string | undefined;
      try {
        account =
          req.method === 'POST' &&
          req.url === '/oauth2/v4/token' &&
          form.get('grant_type') ===
            'urn:ietf:params:oauth:grant-type:jwt-bearer'
            ? verifyAssertion(form.get('assertion') ?? '', publicKeys)
            : undefined;
      } catch {
        account = undefined;
      }
      if (!account) {
        reply(400, {
          error: 'invalid_grant',
          error_description: 'Invalid JWT Signature.',
        });
        return;
      }
      const token = `ya29.key-${crypto.randomBytes(16).toString('hex')}`;
      issued.add(token);
      reply(200, {
        access_token: token,
        expires_in: 3599,
        token_type: 'Bearer',
      });
    });
  };
}
