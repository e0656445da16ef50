// Check 8: the master's agent restarts (SIGUSR2: it exits and leaves keepalived and the data plane
// running; a new agent adopts them) while a client sends requests.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { runDir } from '../env.js';
import { sleep, waitFor } from '../exec.js';
import { ANSWER_LIMIT_MS, Prober } from '../http.js';
import { saved } from '../ipvs.js';
import { alive, keepalivedPids, signalAgent, startAgent, status, vipHolders, waitExit } from '../cluster.js';
import type { Check } from '../results.js';

export async function restartCheck(c: Check): Promise<void> {
  const before = await saved('lvs01');
  const kaBefore = await keepalivedPids('lvs01');
  // a request fails when refused, reset or hung, not when slow (ANSWER_LIMIT_MS)
  const prober = new Prober(ANSWER_LIMIT_MS, 20);
  let vipLost = 0;
  let samples = 0;
  let watching = true;
  // light on spawns (each costs CPU the agents need): one look at both directors every 0.5 s;
  // the prober catches any shorter move of the VIP as failed requests
  const watch = (async () => {
    while (watching) {
      samples++;
      if ((await vipHolders()).join() !== 'lvs01') vipLost++;
      await sleep(500);
    }
  })();
  try {
    await sleep(1000);
    const oldPid = signalAgent('lvs01', 'SIGUSR2');
    try {
      const exitMs = await waitExit(oldPid, 30_000);
      c.figure('oldAgentExitS', exitMs / 1000);
      c.note(`agent ${oldPid} exited ${(exitMs / 1000).toFixed(2)} s after SIGUSR2`);
    } catch {
      c.expect(false, `agent ${oldPid} was still running 30 s after SIGUSR2 (SIGKILLed to go on)`);
      process.kill(oldPid, 'SIGKILL');
    }
    const kaAlive = kaBefore.filter(alive);
    c.note(`keepalived before: ${kaBefore.join(',')}, alive after the agent's exit: ${kaAlive.join(',') || 'none'}`);
    c.expect(kaBefore.length > 0 && kaAlive.length === kaBefore.length, 'keepalived keeps running after SIGUSR2');
    const started = Date.now();
    const newPid = await startAgent('lvs01');
    const statusFile = join(runDir, 'agents', 'lvs01', 'status.json');
    const adopted = await waitFor(
      'the new agent to write its status (MASTER, no error)',
      async () => {
        const s = status('lvs01');
        const fresh = statSync(statusFile, { throwIfNoEntry: false })?.mtimeMs ?? 0;
        return fresh > started && s?.vrrp?.[0]?.state === 'MASTER' && !s.lastError ? true : undefined;
      },
      90_000,
      250,
    );
    c.figure('newAgentReadyS', adopted.ms / 1000);
    c.note(`new agent ${newPid} reported MASTER ${(adopted.ms / 1000).toFixed(1)} s after its start`);
    await sleep(2000);
  } finally {
    watching = false;
    await watch;
    const probe = await prober.stop();
    c.figure('requests', probe.requests);
    c.figure('failedRequests', probe.failed);
    c.figure('longestGapMs', probe.longestGapMs);
    c.note(
      `requests ${probe.requests}, failed ${probe.failed} ${probe.firstErrors.join('; ')}, longest gap ${probe.longestGapMs} ms`,
    );
    c.note(`VIP samples ${samples}, not (only) on lvs01 in ${vipLost}`);
    c.expect(probe.failed === 0, 'no failed request');
    c.expect(vipLost === 0, 'the VIP stays on lvs01');
  }
  const after = await saved('lvs01');
  const kaAfter = await keepalivedPids('lvs01');
  c.note(
    `keepalived after: ${kaAfter.join(',')} (before ${kaBefore.join(',')}: ${kaAfter.join() === kaBefore.join() ? 'adopted' : 'restarted'})`,
  );
  c.expect(
    after === before,
    `the IPVS table is unchanged${after === before ? '' : `:\nbefore:\n${before}after:\n${after}`}`,
  );
}
