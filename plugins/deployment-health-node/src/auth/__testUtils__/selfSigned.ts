import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A new RSA key and a certificate for it, signed by itself (`openssl req
 * -x509`), written to `key` and `cert` (PEM). `extensions` are openssl
 * `-addext` values, e.g. `subjectAltName=IP:127.0.0.1`.
 */
export async function selfSigned(options: {
  key: string;
  cert: string;
  commonName: string;
  days: number;
  extensions: string[];
}) {
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    String(options.days),
    '-subj',
    `/CN=${options.commonName}`,
    '-keyout',
    options.key,
    '-out',
    options.cert,
    ...options.extensions.flatMap(e => ['-addext', e]),
  ]);
}
