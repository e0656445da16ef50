// The IPVS connection-sync daemons: every director runs a master (sends its connections) and a
// backup (receives the peer's), both with the node's sync id, so whichever director holds the VIP
// has the other's established connections when it takes over. The kernel allows one of each
// per network namespace, so a daemon with the wrong interface or id is stopped before the right
// one starts.
import type { IpvsInterface } from './interface.js';

export async function convergeSyncDaemons(
  ipvs: Pick<IpvsInterface, 'syncDaemons' | 'startSyncDaemon' | 'stopSyncDaemon'>,
  wanted: { interface: string; syncID: number } | undefined,
): Promise<{ changed: boolean }> {
  const running = await ipvs.syncDaemons();
  let changed = false;
  for (const role of ['master', 'backup'] as const) {
    const current = running.find((d) => d.role === role);
    const ok = wanted && current && current.interface === wanted.interface && current.syncID === wanted.syncID;
    if (ok) continue;
    if (current) {
      await ipvs.stopSyncDaemon(role);
      changed = true;
    }
    if (wanted) {
      await ipvs.startSyncDaemon({ role, ...wanted });
      changed = true;
    }
  }
  return { changed };
}
