// The agent's IPVS convergence, over the IPVS interface: know the table, let the drain policy
// adjust the desired one, diff, apply the operations as one batch, verify. Which tool reaches
// the kernel is the interface's business; what to send and whether it took is this module's.
//
// Reading the whole table costs about 0.7 s at 10,000 destinations in the VM lab, so a pass that
// was not asked to observe (a plan change, a health change) diffs against the table as last
// known: the last observation with the batches since applied by the restore simulator (checked
// against the kernel line by line). A batch with a failed operation, or that the simulator
// cannot follow, falls back to observing, diffing and applying again. Resyncs always observe:
// they are what repairs drift (someone ran ipvsadm -C). An observing pass checks its batch by
// reading the table again, so success is always judged by the kernel's table, never by a reply.
import { diffOperations, diffTables } from '../../core/ipvs/diff.js';
import { connectionCounts as countsByDrainKey } from '../../core/ipvs/list-format.js';
import { changeSet, knownTable, mergeKnown, serviceFingerprints, tableByKey } from '../../core/ipvs/change-set.js';
import { serviceKey, type IpvsService, type IpvsTable } from '../../core/ipvs/model.js';
import { operationLine } from '../../core/ipvs/operations.js';
import { applyRestoreLines } from '../../core/ipvs/restore-sim.js';
import type { IpvsInterface } from './interface.js';

export interface IpvsConvergeResult {
  /** The operations sent, as ipvsadm -R lines (empty when the table already matched). */
  applied: string[];
  /** Lines a second diff still wants: what did not take. */
  failed: string[];
  /** Why, as the operations' errors said (empty when nothing failed). */
  errors: string[];
  /** The table after applying, as observed or as simulated from the last observation. */
  actual: IpvsTable;
  /**
   * Services of ours, still wanted, that were in the table as last known and that this pass's
   * observation no longer found: another program deleted them (kube-proxy in IPVS mode does, at
   * each sync, unless their address is in its --ipvs-exclude-cidrs). They are added back all the
   * same; the caller says so, as a deletion drops the service's connections.
   */
  removedElsewhere: string[];
}

/** The agent's drain policy: may change the desired table once the actual one is known. */
export type AdjustDesired = (actual: IpvsTable, desired: IpvsTable) => Promise<IpvsTable>;

export class IpvsConverger {
  /** The table as last observed, with the batches applied since, by canonical key; undefined = observe next time. */
  private known: Map<string, IpvsService> | undefined;
  /**
   * The services the last pass converged, as wanted then (canonical key -> JSON): a service wanted
   * the same way again need not be diffed (change-set.ts). Empty after a pass that did not fully
   * take, so the next one diffs everything.
   */
  private converged = new Map<string, string>();

  constructor(private readonly ipvs: IpvsInterface) {}

  async observe(): Promise<IpvsTable> {
    const table = await this.ipvs.services();
    this.known = tableByKey(table);
    return table;
  }

  /**
   * Converges the services in `desired` (and deletes the `owned` ones no longer desired); every
   * other service in the kernel (kube-proxy's, a user's) is left as it is. Never flushes.
   * observe: false diffs only what changed since the last pass (a plan or health change), against
   * the table as last known; true reads the whole table and diffs all of it.
   * alsoCheck: canonical service keys to diff even when unchanged (destinations draining).
   */
  async converge(
    wanted: IpvsTable,
    owned: Set<string>,
    adjust?: AdjustDesired,
    observe = true,
    alsoCheck: Iterable<string> = [],
  ): Promise<IpvsConvergeResult> {
    const previous = this.known;
    if (!observe && previous) {
      const result = await this.convergeChanged(previous, wanted, owned, adjust, alsoCheck);
      if (result) return { ...result, removedElsewhere: [] };
      // A batch that did not take against the known table may have met drift: once more, observed.
    }
    const seen = await this.observe();
    const result = await this.convergeFrom(seen, wanted, owned, adjust, true);
    this.converged = result.failed.length ? new Map() : serviceFingerprints(wanted);
    return { ...result, removedElsewhere: previous ? removedSince(previous, seen, owned, wanted) : [] };
  }

  /** The services that changed, diffed against the known table; undefined when the batch did not fully take. */
  private async convergeChanged(
    known: Map<string, IpvsService>,
    wanted: IpvsTable,
    owned: Set<string>,
    adjust: AdjustDesired | undefined,
    alsoCheck: Iterable<string>,
  ): Promise<Omit<IpvsConvergeResult, 'removedElsewhere'> | undefined> {
    const change = changeSet({ wanted, converged: this.converged, known, owned, alsoCheck });
    const result = await this.convergeFrom(change.known, change.wanted, change.owned, adjust, false);
    if (result.failed.length || !this.known) return undefined;
    this.converged = change.fingerprints;
    return { ...result, actual: knownTable(this.known) };
  }

  /** Diffs before against wanted, applies, and records the table after; `before` and `wanted` may be a part of the table (the same services in both). */
  private async convergeFrom(
    before: IpvsTable,
    wanted: IpvsTable,
    owned: Set<string>,
    adjust: AdjustDesired | undefined,
    observed: boolean,
  ): Promise<Omit<IpvsConvergeResult, 'removedElsewhere'>> {
    const options = { owned, actualLacksThresholds: !this.ipvs.readsThresholds };
    const desired = adjust ? await adjust(before, wanted) : wanted;
    const ops = diffOperations(before, desired, options);
    const applied = ops.map(operationLine);
    if (ops.length === 0) return { applied, failed: [], errors: [], actual: before };
    const { results, table } = await this.ipvs.apply(ops);
    const errors = [...new Set(results.flatMap((r) => r.error ?? []))];
    // An observing pass checks its batch by observing again; the others trust a batch whose
    // every operation succeeded, as the simulator applies it.
    const simulated = !observed && errors.length === 0 ? simulate(before, applied) : undefined;
    if (simulated && this.known) {
      const touched = [...before.services, ...simulated.services].map(serviceKey);
      this.known = mergeKnown(this.known, touched, simulated);
    } else if (observed && table) this.known = tableByKey(table);
    else if (!simulated) await this.observe();
    const actual = observed || !simulated ? knownTable(this.known!) : simulated;
    const failed = diffTables(actual, desired, options);
    return { applied, failed, errors: failed.length ? errors : [], actual };
  }
}

/** Active + inactive connections per destination (drain.ts's drainKey), for the drain policy. */
export async function connectionCounts(ipvs: Pick<IpvsInterface, 'connections'>): Promise<Map<string, number>> {
  return countsByDrainKey(await ipvs.connections());
}

/** Owned and wanted services of `previous` that `seen` lacks, by key. */
function removedSince(
  previous: ReadonlyMap<string, IpvsService>,
  seen: IpvsTable,
  owned: Set<string>,
  wanted: IpvsTable,
): string[] {
  const present = new Set(seen.services.map(serviceKey));
  const stillWanted = new Set(wanted.services.map(serviceKey));
  return [...previous.keys()].filter((k) => owned.has(k) && stillWanted.has(k) && !present.has(k)).sort();
}

/** The table after a batch that fully succeeded, or undefined if the simulator disagrees. */
function simulate(before: IpvsTable, lines: string[]): IpvsTable | undefined {
  try {
    return applyRestoreLines(before, lines);
  } catch {
    return undefined;
  }
}
