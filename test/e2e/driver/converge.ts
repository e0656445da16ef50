// Waiting for the agents to program what a manifests variant asks for.
import { VIP, agentHosts, directors, realServers } from './env.js';
import { inNs, log, run, waitFor } from './exec.js';
import { type Service, describe, table } from './ipvs.js';
import { status, statusLine, vipHolders } from './cluster.js';

export const SERVICE_KEY = `TCP ${VIP}:80`;

export interface Expected {
  forward: 'Route' | 'Masq' | 'Tunnel';
  /** the flags column of `ipvsadm -Ln`: "persistent 5" or "" */
  flags: string;
  /** where the real servers' agents put the VIP (DR: lo, TUN: tunl0, NAT: nowhere) */
  rsDevice?: 'lo' | 'tunl0';
}

export function matches(s: Service | undefined, e: Expected): boolean {
  if (!s || s.scheduler !== 'rr' || s.flags !== e.flags) return false;
  const dests = s.destinations.map((d) => `${d.address} ${d.forward} ${d.weight}`).sort();
  return dests.join(',') === [`192.0.2.11:80 ${e.forward} 1`, `192.0.2.12:80 ${e.forward} 1`].join(',');
}

export async function webService(host: (typeof directors)[number]): Promise<Service | undefined> {
  return (await table(host)).find((s) => s.key === SERVICE_KEY);
}

/** Waits until lvs01 alone holds the VIP, both directors hold the expected service and the real
 * servers hold the VIP where they must. First the agents' status documents are watched (no process
 * spawn: under TCG the starting agents need the CPU), then the data plane is checked once a second. */
export async function waitConverged(
  e: Expected,
  timeoutMs: number,
  statusFiles = true,
): Promise<{ ms: number; seen: string }> {
  const start = Date.now();
  let seen = '';
  // (agents in pods write no status file: their status is the LVSNode's)
  if (statusFiles)
    await waitFor(
      'every agent to report an applied plan, lvs01 MASTER',
      async () => {
        const ready = agentHosts.every((h) => status(h)?.appliedGeneration !== undefined && !status(h)?.lastError);
        return ready && status('lvs01')?.vrrp?.[0]?.state === 'MASTER' ? true : undefined;
      },
      timeoutMs,
      250,
    ).catch(() => log(`status documents never all ready: ${agentHosts.map(statusLine).join('; ')}`));
  try {
    await waitFor(
      'the data plane to match',
      async () => {
        const holders = await vipHolders();
        const services = await Promise.all(directors.map((d) => webService(d)));
        const rs = e.rsDevice
          ? await Promise.all(
              realServers.map(
                async (r) => (await run(inNs(r, ['ip', '-4', '-o', 'addr', 'show', 'dev', e.rsDevice!]))).stdout,
              ),
            )
          : [];
        seen = `VIP on [${holders.join(' ')}]; ${directors.map((d, i) => `${d}: ${describe(services[i])}`).join('; ')}`;
        if (e.rsDevice) {
          seen += `; VIP on ${e.rsDevice} of [${realServers.filter((_, i) => rs[i]!.includes(`${VIP}/32`)).join(' ')}]`;
        }
        const ok =
          holders.join() === 'lvs01' &&
          services.every((s) => matches(s, e)) &&
          rs.every((out) => out.includes(`${VIP}/32`));
        return ok ? true : undefined;
      },
      Math.max(30_000, timeoutMs - (Date.now() - start)),
      1000,
    );
    return { ms: Date.now() - start, seen };
  } catch (err) {
    const statuses = agentHosts.map(statusLine).join('; ');
    throw new Error(`${(err as Error).message}; last seen: ${seen}; status: ${statuses}`, { cause: err });
  }
}
