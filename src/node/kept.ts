// What left the plan but the node still holds for a while, and why: destinations kept at weight 0
// while their connections end (core/ipvs/drain.ts), and a real server's VIPs, tunnels and sysctls
// kept while the directors drain it (retiring.ts). The agent asks this on every pass; it is saved
// with the state (KeptState), so a restarted agent keeps each item only for what is left of its
// timeout.
import type { LVSNodeSpec } from '../core/api/objects.js';
import { canonicalKeyOf } from '../core/ipvs/change-set.js';
import { keepDraining, removalCandidates, serviceOfDrainKey } from '../core/ipvs/drain.js';
import { tableFromPlan } from '../core/ipvs/from-plan.js';
import type { IpvsTable } from '../core/ipvs/model.js';
import { keepRetiring, type Retiring } from './retiring.js';
import type { KeptState, RetiringRecord } from './state.js';

/** What was applied last of one kind, and which of it is retiring since when. */
interface RetiringSet<T> {
  applied: T[];
  since: Map<string, Retiring<T>>;
}
const retiringSet = <T>(saved: RetiringRecord<T> | undefined): RetiringSet<T> => ({
  applied: saved?.applied ?? [],
  since: new Map(Object.entries(saved?.since ?? {})),
});
const retiringRecord = <T>(set: RetiringSet<T>): RetiringRecord<T> => ({
  applied: set.applied,
  since: Object.fromEntries(set.since),
});

type RetiringKind = 'addresses' | 'tunnels' | 'sysctls';
type ItemOf<K extends RetiringKind> = NonNullable<LVSNodeSpec[K]>[number];

export interface KeptOptions {
  /** How long an item may stay after it left the plan. */
  timeoutMs: number;
  now: () => number;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

export class KeptItems {
  /** Destinations kept at weight 0 until their connections end, since when (drainKey -> epoch ms). */
  private draining: Map<string, number>;
  private readonly retiring: { [K in RetiringKind]: RetiringSet<ItemOf<K>> };

  /** saved: what an agent before this one kept (the state file); it goes on from when it started. */
  constructor(
    saved: Partial<KeptState> | undefined,
    private readonly o: KeptOptions,
  ) {
    this.draining = new Map(Object.entries(saved?.draining ?? {}));
    this.retiring = {
      addresses: retiringSet(saved?.addresses),
      tunnels: retiringSet(saved?.tunnels),
      sysctls: retiringSet(saved?.sysctls),
    };
  }

  /**
   * The plan's items of one kind, plus those that left it less than the timeout ago. leaving: the
   * node is left for good, so nothing is kept (no agent would be here to remove it afterwards).
   */
  keep<K extends RetiringKind>(kind: K, desired: ItemOf<K>[], key: (item: ItemOf<K>) => string, leaving: boolean) {
    const r = this.retiring[kind] as RetiringSet<ItemOf<K>>;
    const result = keepRetiring(r.applied, desired, r.since, key, this.o.now(), leaving ? 0 : this.o.timeoutMs);
    const started = [...result.retiring.keys()].filter((k) => !r.since.has(k));
    if (started.length) this.o.log?.('keeping while directors drain', { kind, items: started });
    r.applied = result.items;
    r.since = result.retiring;
    return result.items;
  }

  /** The services (canonical keys) with destinations draining: every pass must look at them. */
  drainingServices(): string[] {
    return [...new Set([...this.draining.keys()].map(serviceOfDrainKey))];
  }

  /**
   * The drain policy: destinations that left the plan stay at weight 0 while they still have
   * connections. desired and actual may be the part of the table a pass looks at; spec is the
   * whole plan; connections are read only when a destination is about to go.
   */
  async drain(
    actual: IpvsTable,
    desired: IpvsTable,
    spec: LVSNodeSpec,
    connections: () => Promise<ReadonlyMap<string, number>>,
  ): Promise<IpvsTable> {
    const looked = new Set(desired.services.map(canonicalKeyOf));
    const planned = (spec.ipvs?.services ?? []).filter((s) => looked.has(canonicalKeyOf(s)));
    const candidates = removalCandidates(desired, tableFromPlan({ ipvs: { services: planned } }), actual);
    // Entries of services this pass did not look at stay (none today: draining services are always looked at).
    const others = [...this.draining].filter(([k]) => !looked.has(serviceOfDrainKey(k)));
    if (candidates.length === 0) {
      this.draining = new Map(others);
      return desired;
    }
    const before = new Set(this.draining.keys());
    const result = keepDraining({
      desired,
      actual,
      candidates,
      connections: await connections(),
      drainingSince: this.draining,
      now: this.o.now(),
      timeoutMs: this.o.timeoutMs,
    });
    this.draining = new Map([...others, ...result.draining]);
    const started = [...result.draining.keys()].filter((k) => !before.has(k));
    const ended = [...before].filter((k) => !this.draining.has(k));
    if (started.length) this.o.log?.('draining', { destinations: started });
    if (ended.length) this.o.log?.('drained', { destinations: ended });
    return result.desired;
  }

  /** What is kept, for the status: `ipvs SERVICE DESTINATION`, `address ...`, `tunnel ...`, `sysctl ...`. */
  items(): string[] {
    return [
      ...[...this.draining.keys()].map((k) => `ipvs ${k}`),
      ...[...this.retiring.addresses.since.keys()].map((k) => `address ${k}`),
      ...[...this.retiring.tunnels.since.keys()].map((k) => `tunnel ${k}`),
      ...[...this.retiring.sysctls.since.keys()].map((k) => `sysctl ${k}`),
    ].sort();
  }

  /** For the state file. */
  saved(): KeptState {
    return {
      draining: Object.fromEntries(this.draining),
      addresses: retiringRecord(this.retiring.addresses),
      tunnels: retiringRecord(this.retiring.tunnels),
      sysctls: retiringRecord(this.retiring.sysctls),
    };
  }
}
