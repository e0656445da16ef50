// One director crash as the e2e check 5a does it (the link goes down, then the agent and
// keepalived are SIGKILLed), measured by the client: the longest time without an answer, and
// when the backup held the VIP. Also the connections opened before it that still answer after it.
import { crashHost, waitVip } from '../../test/e2e/driver/cluster.js';
import { addressOf } from '../../test/e2e/driver/env.js';
import { log, sleep } from '../../test/e2e/driver/exec.js';
import { connections } from '../../test/e2e/driver/ipvs.js';
import { HeldConnection, Prober } from '../../test/e2e/driver/http.js';

export interface CrashResult {
  /** the longest gap between two answers of the request loop, s */
  outageS: number;
  /** from the link-down to the backup holding the VIP, s */
  vipS: number;
  failed: number;
  requests: number;
  /** held connections that answered after the crash, of `held` */
  survived: number;
  held: number;
  /** the client's ESTABLISHED connections in the backup's table right after it took the VIP */
  backupKnew: number;
}

export async function crashMaster(options: { withAgent: boolean; held: number }): Promise<CrashResult> {
  const held = Array.from({ length: options.held }, () => new HeldConnection());
  try {
    const firsts = await Promise.all(held.map((h) => h.request().catch(() => undefined)));
    // the lab's prober: a new connection every 20 ms, 300 ms timeout
    const prober = new Prober(300, 20);
    await sleep(2500); // the IPVS sync daemon sends a partly filled buffer every 2 s
    await crashHost('lvs01', options.withAgent);
    const vipMs = await waitVip('lvs02', 30_000, false);
    const known = await connections('lvs02').catch(() => []);
    const backupKnew = known.filter(
      (c) => c.state === 'ESTABLISHED' && c.source.startsWith(`${addressOf.client}:`),
    ).length;
    await sleep(2500);
    const probe = await prober.stop();
    let survived = 0;
    for (const [i, h] of held.entries()) {
      const after = await h.request(3000).catch(() => undefined);
      if (firsts[i] !== undefined && after === firsts[i]) survived += 1;
    }
    log(
      `bench crash: vip ${vipMs} ms, gap ${probe.longestGapMs} ms, ${probe.failed}/${probe.requests} failed, ${survived}/${held.length} survived, the backup knew ${backupKnew}`,
    );
    return {
      outageS: probe.longestGapMs / 1000,
      vipS: vipMs / 1000,
      failed: probe.failed,
      requests: probe.requests,
      survived,
      held: held.length,
      backupKnew,
    };
  } finally {
    held.forEach((h) => h.close());
  }
}
