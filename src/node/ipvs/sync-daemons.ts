// The IPVS connection-sync daemons: every director runs a master (sends its connections) and a
// backup (receives the peer's), both with the node's sync id, so whichever director holds the VIP
// has the other's established connections when it takes over. The kernel allows one of each
// per network namespace.
import { runChecked, runCommand, type RunCommand } from '../dataplane/command.js';

export interface SyncDaemon {
  role: 'master' | 'backup';
  interface: string;
  syncID: number;
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

export async function convergeSyncDaemons(
  wanted: { interface: string; syncID: number } | undefined,
  run: RunCommand = runCommand,
): Promise<{ changed: boolean }> {
  const running = parseDaemonList(await runChecked(run, ['ipvsadm', '-L', '--daemon']));
  let changed = false;
  for (const role of ['master', 'backup'] as const) {
    const current = running.find((d) => d.role === role);
    const ok = wanted && current && current.interface === wanted.interface && current.syncID === wanted.syncID;
    if (ok) continue;
    if (current) {
      await runChecked(run, ['ipvsadm', '--stop-daemon', role]);
      changed = true;
    }
    if (wanted) {
      await runChecked(run, [
        'ipvsadm',
        '--start-daemon',
        role,
        '--mcast-interface',
        wanted.interface,
        '--syncid',
        String(wanted.syncID),
      ]);
      changed = true;
    }
  }
  return { changed };
}
