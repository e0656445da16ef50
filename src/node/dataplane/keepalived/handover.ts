// A planned handover that never leaves a VIP unheld (make-before-break). Stopping keepalived makes
// it send priority-0 adverts and drop its VIPs at once; the backup takes over only after its skew
// time, and until then nobody answers ARP for the VIP: on the e2e's real kubelets clients saw
// EHOSTUNREACH in that gap (a leaving director with ip_forward on routes the VIP's packets on and,
// when nobody answers its ARP, sends host-unreachable back). Instead, the leaving keepalived is
// first reloaded with the lowest priority: still MASTER, it keeps the VIP and serves, while a
// backup with preempt stops taking its adverts as the master's and takes over after its
// master-down interval; the leaving keepalived yields (BACKUP, VIP dropped) on the new master's
// first advert. Only then is it stopped.
//
// Pure: which instances to demote, the spec to reload with, and how long to wait for them to
// yield. Not demoted: an instance that is not MASTER here, or whose backups would not preempt
// (preempt false; or a preempt delay, which would hold the stop for that long): those are
// stopped at once, as before.
import type { LVSNodeSpec } from '../../../core/api/objects.js';
import type { VrrpState } from '../../../core/api/vrrp.js';

/** keepalived's lowest priority: any backup (1-254) outranks it, or ties it at worst. */
export const HANDOVER_PRIORITY = 1;

export interface HandoverPlan {
  /** The instances that hand over. */
  instances: string[];
  /** The spec to reload keepalived with: theirs at HANDOVER_PRIORITY, the rest as they are. */
  spec: LVSNodeSpec;
  /**
   * How long to wait for them to yield before stopping anyway (no backup is there, or it cannot
   * hear us): a backup's master-down interval is at most 4 adverts (3 and the skew), plus time
   * for a loaded machine; at least 2 s, at most 10 s (the stop's own bound is 25 s; slower adverts
   * than 2 s fall back to the stop's priority-0 handover).
   */
  timeoutMs: number;
}

export function handoverPlan(
  spec: LVSNodeSpec,
  stateOf: (instance: string) => VrrpState | undefined,
): HandoverPlan | undefined {
  const all = spec.vrrp?.instances ?? [];
  const leaving = all.filter((i) => stateOf(i.name) === 'MASTER' && i.preempt && i.preemptDelay === 0);
  if (leaving.length === 0) return undefined;
  const names = new Set(leaving.map((i) => i.name));
  const slowestAdvertS = Math.max(...leaving.map((i) => i.advertInterval));
  return {
    instances: [...names],
    spec: {
      ...spec,
      vrrp: {
        ...spec.vrrp,
        instances: all.map((i) => (names.has(i.name) ? { ...i, priority: HANDOVER_PRIORITY } : i)),
      },
    },
    timeoutMs: Math.min(10_000, Math.max(2_000, Math.round(4_000 * slowestAdvertS + 1_500))),
  };
}
