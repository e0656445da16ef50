// The control plane's processes die while the data plane serves: the controller crash-looping
// (killed again and again, before, around and after its first reconcile, holding the Lease or
// not), and a director's agent SIGKILLed right as a change reaches it. Under a steady client
// (a new connection every 20 ms) the VIP must keep serving with no failed request, and once a
// process runs again the change made meanwhile must reach both directors.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { sleep } from '../exec.js';
import { ANSWER_LIMIT_MS, Prober } from '../http.js';
import { agentPid, keepalivedPids, signalAgent, startAgent, vipHolders, waitExit } from '../cluster.js';
import { kubectl } from '../kube.js';
import type { Check } from '../results.js';
import { weightReached } from './weights.js';

/** How long each controller of the crash loop lives before its SIGKILL, ms. */
const LIVES_MS = [300, 1500, 4000, 800, 2500, 6000];

const patchWeight = (rs: string, weight: number) =>
  kubectl(['patch', 'realservers', rs, '--type=merge', '-p', JSON.stringify({ spec: { weight } })]);

async function kill(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = once(p, 'exit');
  p.kill('SIGKILL');
  await exited;
}

/** Checks the probe that ran across the event: no failed request. */
function expectServed(c: Check, prober: Prober, what: string): Promise<void> {
  return prober.stop().then((probe) => {
    c.figure('requests', probe.requests);
    c.figure('failedRequests', probe.failed);
    c.note(
      `${what}: ${probe.failed}/${probe.requests} requests failed ${JSON.stringify(probe.errors)}; longest gap ${probe.longestGapMs} ms; answers ${JSON.stringify(probe.servers)}`,
    );
    c.expect(probe.failed === 0, `the VIP served every request while ${what}`);
  });
}

/**
 * controller: the running one. Returns the controller that runs at the end (started anew, also
 * when the check fails half-way: the checks after it need one).
 */
export async function controllerCrashLoopCheck(
  c: Check,
  controller: ChildProcess,
  startController: () => ChildProcess,
): Promise<ChildProcess> {
  const prober = new Prober(ANSWER_LIMIT_MS, 20);
  let running: ChildProcess | undefined = controller;
  try {
    await sleep(500);
    await kill(controller);
    running = undefined;
    const since = Date.now();
    await patchWeight('nginx02', 3);
    c.note('controller SIGKILLed, then nginx02 patched to weight 3');
    for (const lifeMs of LIVES_MS) {
      const short = startController();
      await sleep(lifeMs);
      await kill(short);
    }
    c.note(`crash loop: ${LIVES_MS.length} controllers, each SIGKILLed after ${LIVES_MS.join(', ')} ms`);
    running = startController();
    const at = await weightReached('nginx02', 3, since, 180_000).catch(() => undefined);
    c.expect(at !== undefined, 'once a controller runs again, the change made meanwhile reaches both directors');
    if (at) {
      c.figure('changeOnLvs01S', at.lvs01! / 1000);
      c.note(
        `weight 3 on lvs01 ${(at.lvs01! / 1000).toFixed(1)} s, on lvs02 ${(at.lvs02! / 1000).toFixed(1)} s after the patch (the last controller waits out the Lease of a killed one)`,
      );
    }
    c.expect((await vipHolders()).join() === 'lvs01', 'lvs01 still holds the VIP, alone');
  } finally {
    running ??= startController();
    await expectServed(c, prober, 'the controller crash-looped');
  }
  await patchWeight('nginx02', 1);
  await weightReached('nginx02', 1, Date.now(), 120_000).catch(() => undefined);
  return running;
}

export async function agentKilledCheck(c: Check): Promise<void> {
  const keepalivedBefore = await keepalivedPids('lvs01');
  const prober = new Prober(ANSWER_LIMIT_MS, 20);
  try {
    await sleep(500);
    const since = Date.now();
    // The kill follows kubectl's return at once: the API server has the change, and its watch
    // event reaches the agent within milliseconds, so it dies before, in or after its pass and
    // IPVS batch; the outcome must hold in every case.
    await patchWeight('nginx01', 2);
    const patchedMs = Date.now() - since;
    const pid = signalAgent('lvs01', 'SIGKILL');
    await waitExit(pid, 10_000);
    c.note(`kubectl patch of nginx01 to weight 2 returned after ${patchedMs} ms; lvs01's agent SIGKILLed at once`);
    await sleep(3000);
    c.expect((await vipHolders()).join() === 'lvs01', 'with its agent dead, lvs01 keeps the VIP (keepalived runs on)');
    await startAgent('lvs01');
    const at = await weightReached('nginx01', 2, since, 120_000).catch(() => undefined);
    c.expect(at !== undefined, 'the restarted agent applies the change: weight 2 on both directors');
    if (at) c.note(`weight 2 on lvs01 ${(at.lvs01! / 1000).toFixed(1)} s after the patch (agent restarted after 3 s)`);
    const keepalivedAfter = await keepalivedPids('lvs01');
    c.note(
      `keepalived on lvs01: ${keepalivedBefore.join(',')} before, ${keepalivedAfter.join(',')} after; agent ${agentPid('lvs01')}`,
    );
    c.expect(
      keepalivedAfter.join() === keepalivedBefore.join(),
      'the new agent adopted the same keepalived (the VIP never moved)',
    );
    c.expect((await vipHolders()).join() === 'lvs01', 'lvs01 holds the VIP, alone');
  } finally {
    await expectServed(c, prober, "lvs01's agent was killed and restarted");
  }
  await patchWeight('nginx01', 1);
  await weightReached('nginx01', 1, Date.now(), 120_000).catch(() => undefined);
}
