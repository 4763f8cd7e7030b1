/**
 * A local HTTPS proxy that answers for a cloud's own hosts, so a provider SDK
 * can run unchanged against an emulated endpoint whose URL it does not let
 * you configure (Google's key token endpoint is hard-coded in gtoken;
 * MSAL's instance discovery always asks login.microsoftonline.com).
 *
 * Both SDKs' HTTP clients (gaxios, Azure's core pipeline) honour HTTPS_PROXY.
 * The proxy accepts CONNECT only to the named hosts, port 443, and serves
 * them itself with a certificate for those names from a CA made per test
 * run. The SDKs still verify TLS: the test adds that CA to Node's default
 * trust with tls.setDefaultCACertificates, the in-process equivalent of the
 * NODE_EXTRA_CA_CERTS with which a backend behind a TLS-inspecting corporate
 * proxy trusts it. Anything else is refused, so a request that would leave
 * the machine fails the test instead.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { selfSigned } from './selfSigned';

const run = promisify(execFile);

export interface InterceptingProxy {
  /** For HTTPS_PROXY. */
  url: string;
  /** The hosts clients asked the proxy to connect to, in order. */
  connects: string[];
  /** Stops the proxy and restores Node's default CA certificates. */
  close(): Promise<void>;
}

/** A CA and a server certificate for `hosts` signed by it (PEM). */
async function makeCertificates(hosts: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-proxy-'));
  const f = (n: string) => path.join(dir, n);
  try {
    await selfSigned({
      key: f('ca.key'),
      cert: f('ca.crt'),
      commonName: 'shipyard-test-ca',
      days: 1,
      extensions: [
        'basicConstraints=critical,CA:TRUE',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
    });
    await run('openssl', [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${hosts[0]}`,
      '-keyout',
      f('server.key'),
      '-out',
      f('server.csr'),
    ]);
    fs.writeFileSync(
      f('ext.cnf'),
      `subjectAltName=${hosts.map(h => `DNS:${h}`).join(',')}\n` +
        'extendedKeyUsage=serverAuth\n',
    );
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      f('server.csr'),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      f('ext.cnf'),
      '-out',
      f('server.crt'),
    ]);
    return {
      ca: fs.readFileSync(f('ca.crt'), 'utf8'),
      key: fs.readFileSync(f('server.key')),
      cert: fs.readFileSync(f('server.crt')),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts the proxy: `handler` answers every request to `hosts` (its
 * `req.headers.host` says which). Node's default CAs include the proxy's CA
 * until `close()`.
 */
export async function startInterceptingProxy(
  hosts: string[],
  handler: http.RequestListener,
): Promise<InterceptingProxy> {
  const { ca, key, cert } = await makeCertificates(hosts);
  const site = https.createServer({ key, cert }, handler);
  const connects: string[] = [];
  const proxy = http.createServer((_req, res) => {
    res.writeHead(405).end(); // plain-HTTP proxying: never expected
  });
  proxy.on('connect', (req: http.IncomingMessage, socket, head: Buffer) => {
    const [host, port] = (req.url ?? '').split(':');
    connects.push(host);
    if (!hosts.includes(host) || port !== '443') {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    site.emit('connection', socket);
  });
  await new Promise<void>(r => proxy.listen(0, '127.0.0.1', r));
  const before = tls.getCACertificates('default');
  tls.setDefaultCACertificates([...before, ca]);
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    connects,
    async close() {
      tls.setDefaultCACertificates(before);
      proxy.closeAllConnections();
      site.closeAllConnections();
      await new Promise(r => proxy.close(r));
    },
  };
}
