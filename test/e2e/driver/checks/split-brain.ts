// Split brain: VRRP between the directors is cut while both links stay up (their switch ports
// isolated from each other, so the adverts, and the connection sync with them, no longer pass,
// while the client, the real servers and the API server still reach both). Each director then
// claims MASTER and holds the VIP. The status must say so; on the heal exactly one master must
// remain, announce itself (gratuitous ARP: the client's neighbour entry names its MAC), and the
// client be served. Measured: the time to both masters, to one master after the heal, and the
// requests a client lost (a new connection every 20 ms) across the whole episode.
import { ns, VIP } from '../env.js';
import { must, run, sleep, waitFor } from '../exec.js';
import { Prober } from '../http.js';
import { macOf, vipHolders } from '../cluster.js';
import { conditionOf } from '../kube.js';
import type { Check } from '../results.js';
import { vsStatus } from './status.js';

const VIP_PROBE_MS = 50;

/** Bridge port isolation (Linux 4.18+): isolated ports reach every port but each other. */
async function isolateDirectors(on: boolean): Promise<void> {
  for (const port of ['v-lvs01', 'v-lvs02'])
    await must([
      'ip',
      '-n',
      ns('sw'),
      'link',
      'set',
      'dev',
      port,
      'type',
      'bridge_slave',
      'isolated',
      on ? 'on' : 'off',
    ]);
}

/** The MAC the client's neighbour table has for the VIP, or undefined (the prober keeps the entry in use). */
async function clientNeighbourOfVip(): Promise<string | undefined> {
  const out = (await run(['ip', '-n', ns('client'), 'neigh', 'show', VIP])).stdout;
  return /lladdr (\S+)/.exec(out)?.[1];
}

export async function splitBrainCheck(c: Check): Promise<void> {
  const prober = new Prober(2000, 20);
  let isolated = false;
  try {
    await sleep(1000);
    const cut = Date.now();
    await isolateDirectors(true);
    isolated = true;
    const both = await waitFor(
      'both directors to hold the VIP',
      async () => ((await vipHolders()).length === 2 ? true : undefined),
      30_000,
      VIP_PROBE_MS,
    ).catch(() => ({ ms: -1 }));
    c.expect(both.ms >= 0, 'with VRRP cut, both directors claim MASTER and hold the VIP');
    if (both.ms >= 0) {
      c.figure('bothMastersAfterS', both.ms / 1000);
      c.note(
        `VRRP cut (the directors' switch ports isolated): both hold the VIP ${(both.ms / 1000).toFixed(2)} s later`,
      );
    }
    const degraded = await waitFor(
      'the status to report two masters',
      async () => {
        const d = conditionOf({ status: await vsStatus() }, 'Degraded');
        return d?.status === 'True' && /lvs01/.test(d.message ?? '') && /lvs02/.test(d.message ?? '') ? d : undefined;
      },
      60_000,
      500,
    ).catch(() => undefined);
    c.expect(degraded !== undefined, 'the VirtualService is Degraded and its message names both directors');
    if (degraded)
      c.note(`status ${((Date.now() - cut) / 1000).toFixed(1)} s after the cut: Degraded, "${degraded.value.message}"`);

    const heal = Date.now();
    await isolateDirectors(false);
    isolated = false;
    const one = await waitFor(
      'one director to hold the VIP',
      async () => {
        const holders = await vipHolders();
        return holders.length === 1 ? holders[0] : undefined;
      },
      30_000,
      VIP_PROBE_MS,
    ).catch(() => undefined);
    c.expect(
      one?.value === 'lvs01',
      `after the heal one master remains, lvs01 (priority 100) (got ${one?.value ?? 'two'})`,
    );
    if (one) {
      c.figure('oneMasterAfterHealS', one.ms / 1000);
      c.note(
        `healed: ${one.value} alone holds the VIP ${(one.ms / 1000).toFixed(2)} s later (polled every ${VIP_PROBE_MS} ms)`,
      );
    }
    const mac = await macOf('lvs01');
    const announced = await waitFor(
      "the client's neighbour entry for the VIP to name lvs01",
      async () => ((await clientNeighbourOfVip()) === mac ? true : undefined),
      10_000,
      100,
    ).catch(() => ({ ms: -1 }));
    c.expect(announced.ms >= 0, `the client's neighbour entry for ${VIP} names lvs01's MAC ${mac}`);
    if (announced.ms >= 0)
      c.note(`the client's ARP entry named lvs01 ${((Date.now() - heal) / 1000).toFixed(2)} s after the heal`);
    await sleep(3000);
    const probe = await prober.stop();
    const after = prober.answers.filter((a) => a.start > Date.now() - 2000);
    c.expect(
      after.length > 0 && after.every((a) => a.ok),
      `the client is served after the heal (last 2 s: ${after.filter((a) => a.ok).length}/${after.length})`,
    );
    c.figure('requests', probe.requests);
    c.figure('failedRequests', probe.failed);
    c.note(
      `client, a new connection every 20 ms (2 s timeout) from before the cut to 3 s after the heal: ${probe.failed}/${probe.requests} failed ${JSON.stringify(probe.errors)}; longest gap ${probe.longestGapMs} ms; answers ${JSON.stringify(probe.servers)}`,
    );
    const healthy = await waitFor(
      'the status to name one master again',
      async () => {
        const s = await vsStatus();
        const d = conditionOf({ status: s }, 'Degraded');
        return s?.master === 'lvs01' && !/more than one director/.test(d?.message ?? '') ? true : undefined;
      },
      60_000,
      500,
    ).catch(() => ({ ms: -1 }));
    c.expect(healthy.ms >= 0, 'the status names lvs01 master and no longer reports two');
  } finally {
    if (isolated) await isolateDirectors(false);
    await prober.stop();
  }
}
