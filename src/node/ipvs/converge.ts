// The IPVS driver: observe with `ipvsadm -S -n`, apply the diff as ONE `ipvsadm -R` batch, observe
// again. ipvsadm -R exits 0 when a line fails in the kernel ("already exists") or in option
// parsing, and goes on; but it stops at the first line that fails its own checks (exit 2, later
// lines not applied). So success is judged by the second observation, never by the exit status;
// its stderr is kept for the report.
//
// Reading the whole table costs about 0.7 s at 10,000 destinations in the VM lab, so a pass that
// was not asked to observe (a plan change, a health change) diffs against the table as last
// known: the last observation with the batches since applied by the restore simulator (checked
// against the kernel line by line). A batch that complains on stderr, or that the simulator
// cannot follow, falls back to observing, diffing and applying again. Resyncs always observe:
// they are what repairs drift (someone ran ipvsadm -C).
import { diffTables } from '../../core/ipvs/diff.js';
import type { IpvsTable } from '../../core/ipvs/model.js';
import { parseConnectionCounts } from '../../core/ipvs/list-format.js';
import { applyRestoreLines } from '../../core/ipvs/restore-sim.js';
import { parseSave } from '../../core/ipvs/save-format.js';
import { runChecked, runCommand, type RunCommand } from '../dataplane/command.js';

export interface IpvsConvergeResult {
  /** The lines sent in the batch (empty when the table already matched). */
  applied: string[];
  /** Lines a second diff still wants: what did not take, with ipvsadm's own complaints. */
  failed: string[];
  errors: string[];
  /** The table as observed after applying. */
  actual: IpvsTable;
}

export class IpvsDriver {
  /** The table as last observed, with the batches applied since; undefined = observe next time. */
  private known: IpvsTable | undefined;

  constructor(private readonly run: RunCommand = runCommand) {}

  async observe(): Promise<IpvsTable> {
    this.known = parseSave(await runChecked(this.run, ['ipvsadm', '-S', '-n'])).table;
    return this.known;
  }

  /** Active + inactive connections per destination (drain.ts's drainKey). */
  async connectionCounts(): Promise<Map<string, number>> {
    return parseConnectionCounts(await runChecked(this.run, ['ipvsadm', '-L', '-n']));
  }

  /**
   * Converges the services in `desired` (and deletes the `owned` ones no longer desired); every
   * other service in the kernel (kube-proxy's, a user's) is left as it is. Never flushes.
   * `adjust` may change the desired table once the actual one is known (destinations draining).
   */
  async converge(
    wanted: IpvsTable,
    owned: Set<string>,
    adjust?: (actual: IpvsTable, desired: IpvsTable) => Promise<IpvsTable>,
    observe = true,
  ): Promise<IpvsConvergeResult> {
    const trusted = observe ? undefined : this.known;
    const result = await this.convergeFrom(trusted ?? (await this.observe()), wanted, owned, adjust, !trusted);
    // A batch that did not take against the known table may have met drift: once more, observed.
    if (trusted && result.failed.length) return this.convergeFrom(await this.observe(), wanted, owned, adjust, true);
    return result;
  }

  private async convergeFrom(
    before: IpvsTable,
    wanted: IpvsTable,
    owned: Set<string>,
    adjust: ((actual: IpvsTable, desired: IpvsTable) => Promise<IpvsTable>) | undefined,
    observed: boolean,
  ): Promise<IpvsConvergeResult> {
    // `ipvsadm -S` never prints thresholds, so they cannot be compared (see diff.ts).
    const options = { owned, actualLacksThresholds: true };
    const desired = adjust ? await adjust(before, wanted) : wanted;
    const applied = diffTables(before, desired, options);
    if (applied.length === 0) return { applied, failed: [], errors: [], actual: before };
    const batch = await this.run(['ipvsadm', '-R'], { input: applied.join('\n') + '\n' });
    // An observing pass checks its batch by observing again; the others trust a batch ipvsadm
    // took without a word, as the simulator applies it.
    const clean = !observed && batch.code === 0 && batch.stderr.trim() === '';
    const simulated = clean ? simulate(before, applied) : undefined;
    this.known = simulated;
    const actual = simulated ?? (await this.observe());
    const failed = diffTables(actual, desired, options);
    const errors = batch.stderr
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    if (batch.code !== 0) errors.push(`ipvsadm -R exited ${batch.code}`);
    return { applied, failed, errors: failed.length ? explainFailures(failed, errors) : [], actual };
  }
}

/** The table after a batch that ipvsadm took without a word, or undefined if the simulator disagrees. */
function simulate(before: IpvsTable, lines: string[]): IpvsTable | undefined {
  try {
    return applyRestoreLines(before, lines);
  } catch {
    return undefined;
  }
}

/**
 * ipvsadm's complaint for a scheduler the kernel lacks names neither the scheduler nor the line
 * ("Scheduler or persistence engine not found"; Debian's 6.1 kernel has no twos): say which.
 */
export function explainFailures(failed: readonly string[], errors: readonly string[]): string[] {
  if (!errors.some((e) => /Scheduler or persistence engine not found/i.test(e))) return [...errors];
  const schedulers = new Set(failed.flatMap((line) => /^-[AE] .* -s (\S+)/.exec(line)?.[1] ?? []));
  const missing = [...schedulers].map((s) => `the kernel has no IPVS scheduler ${s} (module ip_vs_${s})`);
  return [...missing, ...errors];
}
