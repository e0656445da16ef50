// Check 5: the master goes away. (a) crash: its agent and keepalived are SIGKILLed and its link goes
// down; (b) a connection opened before the crash goes on through the backup (IPVS connection sync);
// (c) graceful: SIGTERM to its agent (keepalived, demoted, hands the VIP to the backup, then stops).
import { sleep } from '../exec.js';
import { ANSWER_LIMIT_MS, HeldConnection, Prober, getMany } from '../http.js';
import { describe } from '../ipvs.js';
import {
  crashHost,
  keepalivedPids,
  setLink,
  signalAgent,
  startAgent,
  statusLine,
  waitExit,
  waitVip,
} from '../cluster.js';
import { webService } from '../converge.js';
import type { Check } from '../results.js';

const rel = (t: number, zero: number) => `${t >= zero ? '+' : ''}${((t - zero) / 1000).toFixed(2)} s`;

export async function crashChecks(ca: Check, cb: Check): Promise<void> {
  const held = new HeldConnection();
  let firstServer: string | undefined;
  let crashed = false;
  let stopProber: (() => Promise<unknown>) | undefined;
  try {
    firstServer = await held.request();
    cb.note(`held connection (client port ${held.localPort}) first answer: ${firstServer}`);
    // the lab's prober: a new connection every 20 ms, 300 ms timeout (resolution ~50 ms under TCG)
    const prober = new Prober(300, 20);
    stopProber = () => prober.stop();
    await sleep(1500); // also lets the sync daemon send the held connection to the backup
    // The link goes first, as in the lab (see crashHost).
    const { at: crash, linkDownMs, victims } = await crashHost('lvs01');
    crashed = true;
    ca.note(
      `set lvs01's link down (${linkDownMs} ms: ip(8) is slow under TCG), then SIGKILLed ${victims.join(',')} (agent, keepalived); times are from the link-down`,
    );
    const vipMs = await waitVip('lvs02', 20_000, false).finally(() => sleep(3000));
    const probe = await prober.stop();
    ca.figure('vipOnBackupAfterS', vipMs / 1000);
    ca.figure('outageLongestGapS', probe.longestGapMs / 1000);
    ca.figure('failedRequests', probe.failed);
    ca.note(
      `lvs02 holds the VIP ${rel(crash + vipMs, crash)} after the link-down; longest gap between answers ${probe.longestGapMs} ms from ${rel(probe.gapFrom, crash)}; ${probe.failed}/${probe.requests} requests failed (300 ms timeout)`,
    );
    const failures = prober.answers.filter((a) => !a.ok).map((a) => `${rel(a.start, crash)} ${a.error}`);
    ca.note(`failed requests (start relative to the link-down): ${failures.join('; ') || 'none'}`);
    ca.note(`answers by real server: ${JSON.stringify(probe.servers)}`);
    // The verdict is on order and outcome, never on the 300 ms that makes the outage figure: the
    // backup holds the VIP (waitVip: lvs01's link is down, so the VIP's answers are lvs02's), then
    // fresh requests, each with the time only a hang reaches, all succeed; in the last 2 s of the
    // probe (the takeover long done) nothing is refused or reset, while an answer slower than
    // 300 ms is load, counted. The answers the probe got after the takeover are a figure.
    const takeover = crash + vipMs;
    const servedAfter = prober.answers.filter((a) => a.ok && a.start >= takeover).length;
    const end = prober.answers.at(-1)?.end ?? Date.now();
    const last = prober.answers.filter((a) => a.start > end - 2000);
    const slow = last.filter((a) => !a.ok && a.error === 'timeout 300 ms');
    const refused = last.filter((a) => !a.ok && a.error !== 'timeout 300 ms');
    const fresh = await getMany(4);
    ca.figure('answersAfterTakeover', servedAfter);
    ca.figure('lastTwoSecondsSlow', slow.length);
    ca.note(
      `${servedAfter} answers after the takeover; last 2 s of the probe: ${last.filter((a) => a.ok).length}/${last.length} ok, ${slow.length} slower than 300 ms${refused.length ? `, failed: ${refused.map((a) => a.error).join('; ')}` : ''}; then 4 requests: ${fresh.map((a) => (a.ok && a.server) || `FAIL(${a.error})`).join(' ')}`,
    );
    ca.note(`lvs02: ${describe(await webService('lvs02'))}; ${statusLine('lvs02')}`);
    ca.expect(refused.length === 0, 'in the last 2 s of the probe no request is refused or reset');
    ca.expect(
      fresh.every((a) => a.ok),
      'the backup serves after the takeover',
    );
  } finally {
    await stopProber?.();
    // 5b gets its verdict whatever happened to 5a
    if (!crashed || !firstServer) {
      cb.expect(
        false,
        `not tried: ${firstServer ? 'the crash did not happen (see 5a)' : 'the connection never answered'}`,
      );
    } else {
      try {
        const second = await held.request();
        cb.note(`after the crash the held connection (port ${held.localPort}) answered: ${second}`);
        cb.expect(second === firstServer, 'the same real server answers on the held connection');
      } catch (e) {
        cb.expect(false, `the held connection after the crash: ${(e as Error).message}`);
      }
    }
    held.close();
  }
}

/** Brings lvs01 back after the crash: link up, a new agent; lvs01 preempts (priority 100). */
export async function recover(c: Check): Promise<void> {
  const start = Date.now();
  await setLink('lvs01', true);
  await startAgent('lvs01');
  const ms = await waitVip('lvs01', 60_000);
  c.figure('recoveredAfterS', (Date.now() - start) / 1000);
  c.note(`lvs01 back (link up, new agent): holds the VIP again after ${(ms / 1000).toFixed(1)} s`);
}

export async function gracefulCheck(c: Check): Promise<void> {
  const kaBefore = await keepalivedPids('lvs01');
  // a request fails when refused, reset or hung, not when slow (ANSWER_LIMIT_MS)
  const prober = new Prober(ANSWER_LIMIT_MS, 20);
  const stop = Date.now();
  try {
    await sleep(1000);
    const pid = signalAgent('lvs01', 'SIGTERM');
    const sent = Date.now();
    const vipMs = await waitVip('lvs02', 30_000);
    c.figure('vipOnBackupAfterS', vipMs / 1000);
    c.note(`SIGTERM: lvs02 alone holds the VIP ${(vipMs / 1000).toFixed(2)} s later`);
    await waitExit(pid, 30_000);
    c.figure('agentExitS', (Date.now() - sent) / 1000);
    c.note(`the agent exited ${((Date.now() - sent) / 1000).toFixed(2)} s after SIGTERM`);
    await sleep(3000);
  } finally {
    const probe = await prober.stop();
    c.figure('longestGapS', probe.longestGapMs / 1000);
    c.figure('failedRequests', probe.failed);
    c.note(
      `${probe.requests} requests (${ANSWER_LIMIT_MS / 1000} s limit), ${probe.failed} failed ${probe.firstErrors.join('; ')}; longest gap ${probe.longestGapMs} ms from ${rel(probe.gapFrom, stop + 1000)}`,
    );
    // The kernel's IPVS sync daemon flushes a partly filled buffer only every 2 s, so a request
    // whose connection opened on lvs01 in the last moments before the handover is unknown to
    // lvs02, which answers its next packet with a reset. One such reset is that kernel window
    // (counted in the figures and the note); a timeout, any other error or a second failure fails.
    const resets = probe.firstErrors.filter((e) => e.endsWith('ECONNRESET')).length;
    const onlySyncWindow = probe.failed === 1 && resets === 1;
    if (onlySyncWindow) c.note("one request reset: a connection opened inside the sync daemon's 2 s flush window");
    c.expect(probe.failed === 0 || onlySyncWindow, 'no failed request (but one reset inside the sync window)');
  }
  const kaAfter = await keepalivedPids('lvs01');
  c.note(`keepalived on lvs01 before: ${kaBefore.join(',')}, after: ${kaAfter.join(',') || 'none'}`);
}
