// The controller's metrics: each key's reconcile (timed around the work queue's handler), whether
// this replica leads, and the writes it made to the API server (Controller.writes, read at scrape
// time).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The kinds of work-queue keys (controller.ts). */
export const RECONCILE_KINDS = ['LVSNode', 'VirtualService', 'RealServer', 'Node'] as const;

export class ControllerMetrics {
  private writes: (() => Readonly<Record<string, number>>) | undefined;
  private readonly duration: Histogram<'kind'>;
  private readonly errors: Counter<'kind'>;
  private readonly leader: Gauge;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.duration = new Histogram({
      name: 'lvs_controller_reconcile_duration_seconds',
      help: 'How long one key took to reconcile, by kind (LVSNode, VirtualService, RealServer, Node).',
      labelNames: ['kind'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.errors = new Counter({
      name: 'lvs_controller_reconcile_errors_total',
      help: 'Reconciles that failed (and were retried with a backoff), by kind.',
      labelNames: ['kind'],
      registers,
    });
    // Every kind from the start, so that rate() sees the first error as an increase from 0.
    for (const kind of RECONCILE_KINDS) this.errors.inc({ kind }, 0);
    this.leader = new Gauge({
      name: 'lvs_controller_leader',
      help: 'Whether this replica holds the leader Lease and reconciles (1) or waits (0).',
      registers,
    });
    const writes = () => this.writes?.() ?? {};
    new Counter({
      name: 'lvs_controller_writes_total',
      help: 'Writes to the API server, by kind of write (lvsNodeApply, lvsNodeDelete, status, finalizer, event).',
      labelNames: ['write'],
      registers,
      collect() {
        const counts = writes();
        this.reset();
        for (const [write, count] of Object.entries(counts)) this.inc({ write }, count);
      },
    });
  }

  /** Reads the write counts at every scrape (Controller.writes). */
  watchWrites(writes: () => Readonly<Record<string, number>>): void {
    this.writes = writes;
  }

  setLeader(leading: boolean): void {
    this.leader.set(leading ? 1 : 0);
  }

  readonly observeReconcile = (reconcile: { kind: string; seconds: number; failed: boolean }): void => {
    this.duration.observe({ kind: reconcile.kind }, reconcile.seconds);
    if (reconcile.failed) this.errors.inc({ kind: reconcile.kind });
  };
}
