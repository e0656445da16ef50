// The VirtualService's status as users read it (kubectl get virtualservices), written by the
// controller from the agents' reports: shared by the cluster path's drivers (processes and pods).
import { realServers } from '../env.js';
import { waitFor } from '../exec.js';
import { conditionOf, getObject, type Json } from '../kube.js';
import type { Check } from '../results.js';

export async function vsStatus(): Promise<Json> {
  return (await getObject('virtualservices', 'web'))?.status;
}

/** Ready, lvs01 the master, 2/2 real servers ready, both directors programmed; each RealServer healthy on both. */
export async function statusCheck(c: Check): Promise<void> {
  const { value: status, ms } = await waitFor(
    'the VirtualService to be Ready',
    async () => {
      const s = await vsStatus();
      return conditionOf({ status: s }, 'Ready')?.status === 'True' ? s : undefined;
    },
    60_000,
    500,
  ).catch(async (e: Error) => ({ value: await vsStatus(), ms: -1, error: e }));
  c.note(`VirtualService web status: ${JSON.stringify(status)}`);
  c.expect(ms >= 0, 'the VirtualService becomes Ready');
  c.expect(status?.master === 'lvs01', `the master is lvs01 (got ${status?.master})`);
  c.expect(status?.readyRealServers === '2/2', `2/2 real servers ready (got ${status?.readyRealServers})`);
  const programmed = (status?.directors ?? []).map((d: Json) => `${d.node}:${d.programmed}:${d.vrrpState}`).join(' ');
  c.expect(programmed === 'lvs01:true:MASTER lvs02:true:BACKUP', `both directors programmed (got ${programmed})`);
  for (const rs of realServers) {
    const s = (await getObject('realservers', rs))?.status;
    c.note(`RealServer ${rs}: healthy on ${s?.healthyDirectors}, Ready ${conditionOf({ status: s }, 'Ready')?.status}`);
    c.expect(s?.healthyDirectors === '2/2', `${rs} healthy on both directors`);
  }
}

/** Waits for the status to name host master; expects it; the ms it took (-1 when it never did). */
export async function expectStatusMaster(
  c: Check,
  host: string,
  timeoutMs: number,
  intervalMs: number,
): Promise<number> {
  const { ms } = await waitFor(
    `the status to name ${host} master`,
    async () => ((await vsStatus())?.master === host ? true : undefined),
    timeoutMs,
    intervalMs,
  ).catch(() => ({ ms: -1 }));
  c.expect(ms >= 0, `the VirtualService's status names ${host} master`);
  return ms;
}
