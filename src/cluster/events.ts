// The Kubernetes Events a user must see, from how a status changed between two passes. Pure.
import type { RealServerStatus, VirtualServiceStatus } from './status.js';

export interface EventSpec {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

const conditionOf = (s: { conditions?: { type: string; reason: string; message: string }[] } | undefined, t: string) =>
  s?.conditions?.find((c) => c.type === t);

/** An invalid spec is reported once per distinct message, not on every pass. */
function invalidSpecEvents(
  before: VirtualServiceStatus | RealServerStatus | undefined,
  after: VirtualServiceStatus | RealServerStatus,
): EventSpec[] {
  const now = conditionOf(after, 'Degraded');
  const then = conditionOf(before, 'Degraded');
  if (now?.reason !== 'InvalidSpec' || (then?.reason === 'InvalidSpec' && then.message === now.message)) return [];
  return [{ type: 'Warning', reason: 'InvalidSpec', message: now.message }];
}

export function virtualServiceEvents(
  before: VirtualServiceStatus | undefined,
  after: VirtualServiceStatus,
): EventSpec[] {
  const events = invalidSpecEvents(before, after);
  const from = before?.master;
  const to = after.master;
  if (from && to && from !== to)
    events.push({ type: 'Normal', reason: 'VIPMoved', message: `the VIP moved from ${from} to ${to}` });
  else if (!from && to) events.push({ type: 'Normal', reason: 'VIPHeld', message: `${to} holds the VIP` });
  else if (from && !to)
    events.push({ type: 'Warning', reason: 'VIPLost', message: `no director holds the VIP (it was ${from})` });
  return events;
}

export function realServerEvents(before: RealServerStatus | undefined, after: RealServerStatus): EventSpec[] {
  const events = invalidSpecEvents(before, after);
  for (const d of after.directors ?? []) {
    const was = before?.directors?.find((b) => b.node === d.node)?.healthy;
    if (was !== false && d.healthy === false) {
      events.push({
        type: 'Warning',
        reason: 'RealServerDown',
        message: `unhealthy on ${d.node}${d.message ? `: ${d.message}` : ''}`,
      });
    } else if (was === false && d.healthy === true) {
      events.push({ type: 'Normal', reason: 'RealServerUp', message: `healthy again on ${d.node}` });
    }
  }
  return events;
}
