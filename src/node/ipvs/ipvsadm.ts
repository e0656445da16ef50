// The IPVS interface through ipvsadm: the one file of the project that runs it, always as an argv
// array (never a shell). Reads parse its listings (core/ipvs/list-format.ts, save-format.ts).
//
// Writes go as ONE `ipvsadm -R` batch, one restore line per operation: one process for 10,000
// destinations instead of 10,000. But ipvsadm -R names no line when one fails: it carries on,
// and exits 0, after a line the kernel refused ("already exists") or one failing option parsing,
// and stops (exit 2, later lines not applied) at a line failing its own checks. So a batch that
// said nothing and exited 0 is taken as done; any other is checked by reading the table again,
// and each operation whose effect is not there gets the batch's complaints as its error.
import { parseStateListing, parseStatsListing } from '../../core/ipvs/list-format.js';
import { operationLine, operationsVisible, type IpvsOperation } from '../../core/ipvs/operations.js';
import { parseSave } from '../../core/ipvs/save-format.js';
import { runChecked, runCommand, type RunCommand } from '../dataplane/command.js';
import type {
  DestinationState,
  DestinationStats,
  IpvsApplyResult,
  IpvsInterface,
  IpvsReadOptions,
  IpvsTable,
  SyncDaemon,
} from './interface.js';

export class Ipvsadm implements IpvsInterface {
  /** `ipvsadm -S` never prints the -x/-y thresholds. */
  readonly readsThresholds = false;

  constructor(private readonly run: RunCommand = runCommand) {}

  async services(): Promise<IpvsTable> {
    return parseSave(await runChecked(this.run, ['ipvsadm', '-S', '-n'])).table;
  }

  async apply(ops: readonly IpvsOperation[]): Promise<IpvsApplyResult> {
    if (ops.length === 0) return { results: [] };
    const lines = ops.map(operationLine);
    const batch = await this.run(['ipvsadm', '-R'], { input: lines.join('\n') + '\n' });
    const complaints = batch.stderr
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    if (batch.code !== 0) complaints.push(`ipvsadm -R exited ${batch.code}`);
    if (complaints.length === 0) return { results: ops.map((op) => ({ op })) };
    const table = await this.services();
    const visible = operationsVisible(table, ops, !this.readsThresholds);
    const failed = lines.filter((_, i) => !visible[i]);
    // ipvsadm does not say which line a complaint is about: every failed operation gets them all.
    const error = explainFailures(failed, complaints).join('; ');
    return { results: ops.map((op, i) => (visible[i] ? { op } : { op, error })), table };
  }

  /** `-L -n --exact`: --exact changes no figure of this listing, but keeps it the one the metrics read. */
  async connections(options?: IpvsReadOptions): Promise<DestinationState[]> {
    return parseStateListing(await runChecked(this.run, ['ipvsadm', '-L', '-n', '--exact'], options));
  }

  /** --exact: without it, large counters print as 123K, 45M. */
  async stats(options?: IpvsReadOptions): Promise<DestinationStats[]> {
    return parseStatsListing(await runChecked(this.run, ['ipvsadm', '-L', '-n', '--exact', '--stats'], options));
  }

  async syncDaemons(): Promise<SyncDaemon[]> {
    return parseDaemonList(await runChecked(this.run, ['ipvsadm', '-L', '--daemon']));
  }

  async startSyncDaemon(daemon: SyncDaemon): Promise<void> {
    await runChecked(this.run, [
      'ipvsadm',
      '--start-daemon',
      daemon.role,
      '--mcast-interface',
      daemon.interface,
      '--syncid',
      String(daemon.syncID),
    ]);
  }

  async stopSyncDaemon(role: SyncDaemon['role']): Promise<void> {
    await runChecked(this.run, ['ipvsadm', '--stop-daemon', role]);
  }
}

/** Parses `ipvsadm -L --daemon`: "master sync daemon (mcast=eth0, syncid=10)". */
export function parseDaemonList(text: string): SyncDaemon[] {
  const out: SyncDaemon[] = [];
  for (const line of text.split('\n')) {
    const m = /^(master|backup) sync daemon \(mcast=([^,\s]+), syncid=(\d+)/.exec(line.trim());
    if (m) out.push({ role: m[1] as SyncDaemon['role'], interface: m[2]!, syncID: Number(m[3]) });
  }
  return out;
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
