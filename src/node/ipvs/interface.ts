// Every IPVS read and write of the node agent goes through this one interface, in the kernel's
// nouns (kube-proxy's pkg/util/ipvs Interface is the model): virtual services, their
// destinations, the connection-sync daemons, and the counters the kernel keeps per destination.
// The agent's loop, the drain, the metrics and the sync daemons see only this, so an
// implementation can be swapped: generic netlink (netlink.ts, the agent's default), ipvsadm
// (ipvsadm.ts, --ipvs ipvsadm), and an in-memory fake for tests (fake.ts).
//
// Writes are typed operations applied as a batch (one ipvsadm -R, or one netlink socket with a
// message per operation), with one result per operation: which one failed and why, not a batch's
// text. A batch is not a transaction: the operations that succeeded stay done.
import type { DestinationState, DestinationStats } from '../../core/ipvs/list-format.js';
import type { IpvsTable } from '../../core/ipvs/model.js';
import type { IpvsOperation } from '../../core/ipvs/operations.js';

export type { DestinationState, DestinationStats, IpvsOperation, IpvsTable };

export interface IpvsOperationResult {
  op: IpvsOperation;
  /** Why the kernel (or the tool) did not do it; absent: done. */
  error?: string;
}

export interface IpvsApplyResult {
  /** One per operation, in the order given. */
  results: IpvsOperationResult[];
  /**
   * The whole table as read after the batch, when the implementation had to read it to tell which
   * operations failed (ipvsadm); the caller need not read it again. Absent otherwise.
   */
  table?: IpvsTable;
}

/** A connection-sync daemon (ipvsadm --start-daemon); the kernel runs at most one per role. */
export interface SyncDaemon {
  role: 'master' | 'backup';
  /** The interface its multicast goes out of (master) or comes in on (backup). */
  interface: string;
  syncID: number;
}

export interface IpvsReadOptions {
  /** Give up after this many milliseconds (a scrape must not hang on a stuck kernel). */
  timeoutMs?: number;
}

export interface IpvsInterface {
  /**
   * Whether services() shows destination thresholds. ipvsadm's listing never prints -x/-y, so a
   * threshold cannot be compared with what was asked (diff.ts's actualLacksThresholds).
   */
  readonly readsThresholds: boolean;

  /** Every virtual service with its destinations, canonical; firewall-mark services are left out. */
  services(): Promise<IpvsTable>;
  /**
   * Applies the operations in order and says, per operation, whether it was done. Rejects only
   * when nothing could be tried (no tool, no socket); what the kernel refused is a result.
   */
  apply(ops: readonly IpvsOperation[]): Promise<IpvsApplyResult>;

  /** Per destination of every service: its weight and the connections the kernel holds now. */
  connections(options?: IpvsReadOptions): Promise<DestinationState[]>;
  /** Per destination of every service: cumulative counters since it was added. */
  stats(options?: IpvsReadOptions): Promise<DestinationStats[]>;

  syncDaemons(): Promise<SyncDaemon[]>;
  startSyncDaemon(daemon: SyncDaemon): Promise<void>;
  stopSyncDaemon(role: SyncDaemon['role']): Promise<void>;
}
