/**
 * Errors of cluster requests, classified and safe to show: messages come from
 * status and socket error codes, never from response bodies or headers.
 */
import http from 'node:http';
import { ClusterErrorType } from '@shipyard-platform/backstage-plugin-deployment-health-common';

/**
 * A classified cluster request failure. The message is built from status
 * codes and socket error codes only, never from response bodies or headers,
 * so it is safe to log and return.
 *
 * @public
 */
export class KubeRequestError extends Error {
  constructor(
    /** What kind of failure it is. */
    readonly type: ClusterErrorType,
    message: string,
    /** The HTTP status of the failed request, when there was an answer. */
    readonly statusCode?: number,
  ) {
    super(message);
    this.name = 'KubeRequestError';
  }
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EAI_AGAIN',
  'EPIPE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

// A credential value runs up to whitespace, a quote or a separator.
const SCRUBBERS: Array<[RegExp, string]> = [
  // `Authorization: Bearer X`, `"authorization":"Basic X"`, `authorization=X`:
  // the whole value, including a scheme word, so X cannot survive behind it.
  [/(authorization["']?\s*[:=]\s*["']?)(?:[\w-]+\s+)?[^\s"',;&]*/gi, '$1***'],
  // A bearer token anywhere else (`Bearer X`).
  [/(bearer\s+)[^\s"',;&]*/gi, '$1***'],
  // `token=X`, `token: X`, `"token":"X"`, `access_token=X`, ...
  [/(token["']?\s*[:=]\s*["']?)[^\s"',;&]*/gi, '$1***'],
];

/** Replaces credential values in a free-text message with `***`. */
export function scrubCredentials(message: string): string {
  return SCRUBBERS.reduce((m, [re, by]) => m.replace(re, by), message);
}

/**
 * Maps any error from a cluster request to a safe, classified error.
 *
 * @public
 */
export function classifyError(err: unknown): KubeRequestError {
  if (err instanceof KubeRequestError) return err;
  const e = err as {
    statusCode?: number;
    code?: string | number;
    message?: string;
  };
  const status =
    e?.statusCode ?? (typeof e?.code === 'number' ? e.code : undefined);
  if (status === 401)
    return new KubeRequestError(
      'unauthorized',
      'HTTP 401 Unauthorized: the token was rejected',
      401,
    );
  if (status === 403)
    return new KubeRequestError(
      'forbidden',
      'HTTP 403 Forbidden: the service account may not list/watch these objects',
      403,
    );
  if (typeof status === 'number')
    return new KubeRequestError(
      'unknown',
      `HTTP ${status} ${http.STATUS_CODES[status] ?? ''}`.trim(),
      status,
    );
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code === 'ETIMEDOUT')
    return new KubeRequestError('timeout', 'connection timed out');
  if (code && UNREACHABLE_CODES.has(code))
    return new KubeRequestError('unreachable', `cannot connect (${code})`);
  if (code === 'ENOENT' || code === 'EACCES')
    return new KubeRequestError(
      'misconfigured',
      `cannot read a configured token or CA file (${code})`,
    );
  // Node/client-node error messages carry no credentials, but scrub anything
  // token-like anyway before it reaches a log line or a response.
  const detail = scrubCredentials(e?.message ?? '').slice(0, 200);
  return new KubeRequestError(
    'unknown',
    `request failed${code ? ` (${code})` : ''}${detail ? `: ${detail}` : ''}`,
  );
}
