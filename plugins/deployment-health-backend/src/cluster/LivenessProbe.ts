import { setTimeout as sleep } from 'node:timers/promises';
import {
  classifyError,
  ClusterConnection,
  KubeRequestError,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';
import { Informer } from './Informer';
import { SyncStatus } from './SyncStatus';

/**
 * Asks one cluster's API server for `/version` every `intervalMs`, over the
 * same connection (address, proxy, credentials, timeouts) as the watches,
 * and then each informer whether its open watch delivers what changed.
 *
 * An open watch proves nothing on its own: a frozen API server, a network
 * path that drops packets, or a proxy that stops forwarding all keep the
 * socket open and silent, and a quiet service sends no events either. An
 * answer confirms the open watches that deliver as current
 * (SyncStatus.alive); no answer within the request timeout closes the
 * connection, so every watch and list on it fails with that error and the
 * informers reconnect once the server answers again (client-go does the
 * same with its HTTP/2 pings).
 */
export class LivenessProbe {
  private readonly stopping = new AbortController();

  constructor(
    private readonly connection: ClusterConnection,
    private readonly informers: readonly Informer[],
    private readonly sync: SyncStatus,
    private readonly intervalMs: number,
  ) {}

  /** The API server's version (gitVersion) as the last check read it: for the version skew rules. */
  serverVersion?: string;

  start() {
    void this.run();
  }

  stop() {
    this.stopping.abort();
  }

  private async run() {
    const { signal } = this.stopping;
    while (!signal.aborted) {
      await sleep(this.intervalMs, undefined, { signal }).catch(() => {});
      if (signal.aborted) return;
      const sentAt = Date.now();
      try {
        const http = await this.connection.http();
        const version = await http.getJson<{ gitVersion?: string }>(
          '/version',
          {},
          signal,
        );
        this.serverVersion = version?.gitVersion ?? this.serverVersion;
        const delivering = await Promise.all(
          this.informers.map(i => i.delivers(http, signal)),
        );
        this.sync.alive(
          sentAt,
          this.informers.filter((_, n) => delivering[n]).map(i => i.kind),
        );
      } catch (e) {
        if (signal.aborted) return;
        const { type, message, statusCode } = classifyError(e);
        this.connection.close(
          new KubeRequestError(
            type,
            `${message} (liveness check of /version)`,
            statusCode,
          ),
        );
      }
    }
  }
}
