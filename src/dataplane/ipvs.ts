// The IPVS driver: observe with `ipvsadm -S -n`, apply the diff as ONE `ipvsadm -R` batch, observe
// again. ipvsadm -R exits 0 when a line fails in the kernel ("already exists") or in option
// parsing, and goes on; but it stops at the first line that fails its own checks (exit 2, later
// lines not applied). So success is judged by the second observation, never by the exit status;
// its stderr is kept for the report.
import { diffTables } from '../ipvs/diff.js';
import type { IpvsTable } from '../ipvs/model.js';
import { parseConnectionCounts } from '../ipvs/list-format.js';
import { parseSave } from '../ipvs/save-format.js';
import { runChecked, runCommand, type RunCommand } from './command.js';

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
  constructor(private readonly run: RunCommand = runCommand) {}

  async observe(): Promise<IpvsTable> {
    return parseSave(await runChecked(this.run, ['ipvsadm', '-S', '-n'])).table;
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
  ): Promise<IpvsConvergeResult> {
    // `ipvsadm -S` never prints thresholds, so they cannot be compared (see diff.ts).
    const options = { owned, actualLacksThresholds: true };
    const before = await this.observe();
    const desired = adjust ? await adjust(before, wanted) : wanted;
    const applied = diffTables(before, desired, options);
    if (applied.length === 0) return { applied, failed: [], errors: [], actual: before };
    const batch = await this.run(['ipvsadm', '-R'], { input: applied.join('\n') + '\n' });
    const actual = await this.observe();
    const failed = diffTables(actual, desired, options);
    const errors = batch.stderr
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    if (batch.code !== 0) errors.push(`ipvsadm -R exited ${batch.code}`);
    return { applied, failed, errors: failed.length ? explainFailures(failed, errors) : [], actual };
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
