// An in-memory IPVS for tests, built on the restore simulator (core/ipvs/restore-sim.ts), which
// was checked line for line against the real kernel and ipvsadm: an operation does here what it
// does there, and fails where it fails there, with the same message. Unlike ipvsadm -R it knows
// which operation failed, as a netlink implementation will. Thresholds are kept (the simulator
// has them), so readsThresholds is true.
import { canonicalTable } from '../../core/ipvs/canonical.js';
import { drainKey } from '../../core/ipvs/drain.js';
import { destinationKey, serviceKey } from '../../core/ipvs/model.js';
import { operationLine, type IpvsOperation } from '../../core/ipvs/operations.js';
import { applyRestoreLines } from '../../core/ipvs/restore-sim.js';
import type {
  DestinationState,
  DestinationStats,
  IpvsApplyResult,
  IpvsInterface,
  IpvsTable,
  SyncDaemon,
} from './interface.js';

type Counters = Omit<DestinationStats, 'service' | 'destination'>;

export class FakeIpvs implements IpvsInterface {
  readonly readsThresholds = true;
  /** The kernel's table; a test may set it (drift, someone else's services). */
  table: IpvsTable = { services: [] };
  daemons: SyncDaemon[] = [];
  /** Every batch applied, in order. */
  readonly batches: IpvsOperation[][] = [];
  /** Operations the "kernel" refuses, with its message; the others in the batch still apply. */
  refuse: (op: IpvsOperation) => string | false = () => false;
  /** Connections the kernel holds per drainKey (`TCP/192.0.2.1:80 10.0.0.1:80`); absent = none. */
  readonly connectionsNow = new Map<string, { active: number; inactive: number }>();
  /** Cumulative counters per drainKey; absent = zeros. */
  readonly counters = new Map<string, Counters>();
  /** Reads and writes, by method name, for tests that count them. */
  readonly calls: string[] = [];

  async services(): Promise<IpvsTable> {
    this.calls.push('services');
    return canonicalTable(this.table);
  }

  async apply(ops: readonly IpvsOperation[]): Promise<IpvsApplyResult> {
    this.calls.push('apply');
    this.batches.push([...ops]);
    const results = ops.map((op) => {
      const refusal = this.refuse(op);
      if (refusal) return { op, error: refusal };
      try {
        this.table = applyRestoreLines(this.table, [operationLine(op)]);
        return { op };
      } catch (error) {
        return { op, error: (error as Error).message };
      }
    });
    return { results };
  }

  async connections(): Promise<DestinationState[]> {
    this.calls.push('connections');
    return this.destinations().map(({ service, destination, weight }) => {
      const now = this.connectionsNow.get(drainKey(service, destination));
      const [activeConnections, inactiveConnections] = [now?.active ?? 0, now?.inactive ?? 0];
      return { service, destination, weight, activeConnections, inactiveConnections };
    });
  }

  async stats(): Promise<DestinationStats[]> {
    this.calls.push('stats');
    const zero: Counters = { connections: 0, inPackets: 0, outPackets: 0, inBytes: 0, outBytes: 0 };
    return this.destinations().map(({ service, destination }) => ({
      service,
      destination,
      ...(this.counters.get(drainKey(service, destination)) ?? zero),
    }));
  }

  async syncDaemons(): Promise<SyncDaemon[]> {
    this.calls.push('syncDaemons');
    return this.daemons.map((d) => ({ ...d }));
  }

  /** The kernel runs one daemon per role: a second start is EEXIST. */
  async startSyncDaemon(daemon: SyncDaemon): Promise<void> {
    this.calls.push(`startSyncDaemon ${daemon.role}`);
    if (this.daemons.some((d) => d.role === daemon.role)) throw new Error(`${daemon.role} sync daemon: File exists`);
    this.daemons.push({ ...daemon });
  }

  /** Stopping one that does not run is ESRCH. */
  async stopSyncDaemon(role: SyncDaemon['role']): Promise<void> {
    this.calls.push(`stopSyncDaemon ${role}`);
    if (!this.daemons.some((d) => d.role === role)) throw new Error(`${role} sync daemon: No such process`);
    this.daemons = this.daemons.filter((d) => d.role !== role);
  }

  private destinations() {
    return canonicalTable(this.table).services.flatMap((s) =>
      s.destinations.map((d) => ({ service: serviceKey(s), destination: destinationKey(d), weight: d.weight })),
    );
  }
}
