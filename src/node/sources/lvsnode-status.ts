// Writes the agent's status into its LVSNode's status subresource. Only the latest status matters:
// one written while another is in flight replaces it, and a failed write (the API server away) is
// retried with a backoff until it lands, so the status catches up when the server comes back.
import type { LVSNodeStatus } from '../../core/api/objects.js';
import { isNotFound, PATCH_MERGE, type KubeClient } from '../../kube/client.js';
import { LVS_NODES, resourcePath } from '../../kube/resources.js';
import type { Log } from '../../io/log.js';

export class StatusWriter {
  private latest: LVSNodeStatus | undefined;
  private writing = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private delayMs = 0;
  private stopped = false;

  constructor(
    private readonly client: KubeClient,
    private readonly node: string,
    private readonly log: Log,
    private readonly backoffMs = { base: 500, max: 30_000 },
  ) {}

  write(status: LVSNodeStatus): void {
    this.latest = status;
    if (!this.writing && !this.retryTimer) void this.flush();
  }

  /** Resolves once nothing is waiting to be written or in flight, or after timeoutMs (the server away). */
  async settled(timeoutMs: number, pollMs = 100): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.latest || this.writing) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, pollMs));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  private async flush(): Promise<void> {
    while (this.latest && !this.stopped) {
      const status = this.latest;
      this.latest = undefined;
      this.writing = true;
      try {
        // A merge patch of the status alone: the agent owns all of it (lists are replaced whole).
        await this.client.request({
          method: 'PATCH',
          path: resourcePath(LVS_NODES, { name: this.node }, 'status'),
          contentType: PATCH_MERGE,
          body: { status },
        });
        this.delayMs = 0;
      } catch (error) {
        // No LVSNode (the node takes part in nothing): nothing to report on until one exists.
        if (isNotFound(error)) continue;
        this.latest ??= status;
        this.delayMs = this.delayMs ? Math.min(this.delayMs * 2, this.backoffMs.max) : this.backoffMs.base;
        this.log('status not written', { error: String((error as Error).message), retryInMs: this.delayMs });
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          void this.flush();
        }, this.delayMs);
        return;
      } finally {
        this.writing = false;
      }
    }
  }
}
