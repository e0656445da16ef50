// How an agent process runs, in local mode and in the cluster alike: changes trigger a pass
// against the IPVS table as last known, a periodic resync reads the table and repairs drift, and
// signals stop it:
//   SIGTERM, SIGINT  graceful stop: the VIP goes to a backup while still held (keepalived is
//                    reloaded with priority 1 until a backup took over), then keepalived exits;
//                    an in-cluster agent whose node is no longer labelled for it (leaving, see
//                    sources/node-membership.ts) first waits for the controller's emptied plan
//                    and applies it, so that nothing it created stays behind on the node;
//   SIGUSR2          exit for a restart: keepalived and the data plane stay as they are, and
//                    the next agent adopts them without moving the VIP or touching the table.
// A crash (SIGKILL) leaves everything running too: the backup takes over only if keepalived dies.
import type { Log } from '../io/log.js';
import type { NodeAgent } from './agent.js';

/**
 * How long a stop may wait for the pass in progress, the VIP handover (a backup's master-down
 * interval: about 0.4 s with the default adverts, up to 5.5 s with 1 s adverts) and keepalived's
 * exit. The chart's grace period (45 s) covers a leaving agent's wait (15 s) and this.
 */
const STOP_TIMEOUT_MS = 25_000;
/**
 * How long an agent leaving its node waits for the controller to empty its plan: the controller
 * and the DaemonSet controller both react to the node's new labels, in no set order (on the
 * e2e's loaded VM the controller took a few seconds). The chart's grace period covers this wait
 * plus the stop.
 */
export const LEAVE_WAIT_MS = 15_000;

export interface LifecycleOptions {
  resyncSeconds: number;
  log: Log;
  /** Starts watching the plan's source; calls changed() on every change; returns the stop function. */
  watch: (changed: () => void) => () => void | Promise<void>;
  /** On SIGTERM: whether the agent leaves its node for good (no agent follows). Absent: never. */
  leaving?: () => Promise<boolean>;
  /** Waits (bounded) until the reports made so far have landed; called before a leaving agent exits. */
  settled?: () => Promise<void>;
  leaveWaitMs?: number;
}

/** Runs the agent until a signal; resolves with the exit code. */
export async function runUntilSignalled(agent: NodeAgent, o: LifecycleOptions): Promise<number> {
  // Signals and the watch come before the first pass: a stop or a change during it (a first pass
  // at 10,000 destinations takes seconds) must be neither fatal nor lost until the next resync.
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    for (const s of ['SIGTERM', 'SIGINT', 'SIGUSR2'] as const) process.once(s, () => resolve(s));
  });
  // Bursts of changes (an editor's save, a controller's several writes) collapse into one pass.
  let pending: NodeJS.Timeout | undefined;
  const stopWatching = o.watch(() => {
    clearTimeout(pending);
    pending = setTimeout(() => void agent.reconcile({ observe: false }), 100);
  });
  const resync = setInterval(() => void agent.reconcile(), o.resyncSeconds * 1000);
  void agent.reconcile();

  const signal = await signalled;
  // The watch still runs here: the emptied plan the leaving agent waits for comes through it.
  if (signal === 'SIGTERM' && (await o.leaving?.())) {
    const cleared = await agent.leave(o.leaveWaitMs ?? LEAVE_WAIT_MS);
    o.log(cleared ? 'agent left the node clean' : 'agent leaving, but the node is still planned for: left as is', {});
    await o.settled?.();
  }
  await stopWatching();
  clearInterval(resync);
  clearTimeout(pending);
  const release = signal !== 'SIGUSR2';
  o.log('agent stopping', { signal, releaseVip: release });
  // A pass in progress is let finish, but a stop must not hang on a stuck tool: after the bound
  // the agent exits anyway (for SIGUSR2 there is nothing left to do; keepalived runs on).
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS)));
  if (await Promise.race([agent.stop(release).then(() => false), timedOut])) {
    o.log('agent stop timed out', { afterMs: STOP_TIMEOUT_MS });
    return 1;
  }
  clearTimeout(timer);
  return 0;
}
