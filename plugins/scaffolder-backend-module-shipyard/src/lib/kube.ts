import { InputError } from '@backstage/errors';
import type { ShipyardClustersService } from '@shipyard-platform/backstage-plugin-deployment-health-node';
import { KubeConfig } from '@kubernetes/client-node';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** DNS-1123 label (namespaces, release names). */
export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Kubernetes label value. */
export const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/**
 * A short, token-free description of a Kubernetes client error
 * (`HTTP 403: namespaces is forbidden: ...`).
 */
export function describeKubeError(e: unknown): string {
  const err = e as any;
  const code = err?.code ?? err?.statusCode ?? err?.response?.statusCode;
  let message: string | undefined;
  const body = err?.body;
  if (typeof body === 'string') {
    try {
      message = JSON.parse(body).message;
    } catch {
      message = body.slice(0, 300);
    }
  } else if (body && typeof body === 'object') {
    message = body.message;
  }
  message ??= String(err?.message ?? err)
    .split('\n')[0]
    .slice(0, 300);
  return code ? `HTTP ${code}: ${message}` : message;
}

/** HTTP status of a Kubernetes client error, if any. */
export function kubeErrorCode(e: unknown): number | undefined {
  const err = e as any;
  const code = err?.code ?? err?.statusCode ?? err?.response?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Picks the clusters an action may touch: `requested` names (or every usable
 * cluster), restricted to `allowed` when configured. Unknown or disallowed
 * names are an InputError naming `field`.
 */
export async function selectClusters(
  service: ShipyardClustersService,
  requested: string[] | undefined,
  allowed: string[] | undefined,
  field: string,
): Promise<string[]> {
  const all = await service.listClusters();
  const usable = all.filter(
    c => !c.configError && (!allowed || allowed.includes(c.name)),
  );
  if (!requested || requested.length === 0) {
    if (usable.length === 0) {
      throw new InputError(
        `No cluster is configured for Shipyard actions (kubernetes.clusterLocatorMethods)`,
      );
    }
    return usable.map(c => c.name);
  }
  for (const name of requested) {
    const c = all.find(x => x.name === name);
    if (!c) {
      throw new InputError(
        `Invalid ${field}: unknown cluster "${name}" (configured: ${
          all.map(x => x.name).join(', ') || 'none'
        })`,
      );
    }
    if (allowed && !allowed.includes(name)) {
      throw new InputError(
        `Invalid ${field}: cluster "${name}" is not in shipyard.deploy.allowedClusters`,
      );
    }
    if (c.configError) {
      throw new Error(`Cluster "${name}" is misconfigured: ${c.configError}`);
    }
  }
  return [...new Set(requested)];
}

/**
 * Writes a kubeconfig for an external process (helm) into a private temp
 * directory (mode 0700/0600), runs `fn`, and deletes it afterwards.
 */
export async function withTempKubeconfig<T>(
  kc: KubeConfig,
  fn: (file: string) => Promise<T>,
): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shipyard-kube-'));
  const file = path.join(dir, 'kubeconfig');
  try {
    await fs.chmod(dir, 0o700);
    await fs.writeFile(file, kc.exportConfig(), { mode: 0o600 });
    return await fn(file);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
