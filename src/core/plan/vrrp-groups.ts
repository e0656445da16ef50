// VirtualServices that share a VIP share one VRRP instance: the VIP can only move as a whole.
// The first of a group by namespace/name (its "leader") decides the group's VRRP settings and
// directors; validation reports members that disagree.
import { normalizeIp } from '../net/ip.js';
import { compareNames, nodeSegment, selectDirectors } from '../api/directors.js';
import { objectRef, type KubeNode, type VirtualService } from '../api/objects.js';

export interface VrrpGroup {
  /** The normalized VIP. */
  vip: string;
  /** Members sorted by namespace/name; members[0] is the leader. */
  members: VirtualService[];
  directors: KubeNode[];
  /** L2 segments of the directors: VRIDs must be unique within each. */
  segments: Set<string>;
}

export function groupByVip(virtualServices: readonly VirtualService[], nodes: readonly KubeNode[]): VrrpGroup[] {
  const byVip = new Map<string, VirtualService[]>();
  for (const vs of [...virtualServices].sort((a, b) => compareNames(objectRef(a), objectRef(b)))) {
    const vip = normalizeIp(vs.spec.address);
    byVip.set(vip, [...(byVip.get(vip) ?? []), vs]);
  }
  return [...byVip.entries()]
    .sort(([a], [b]) => compareNames(a, b))
    .map(([vip, members]) => {
      const directors = selectDirectors(members[0]!, nodes);
      return { vip, members, directors, segments: new Set(directors.map(nodeSegment)) };
    });
}

export const PRIORITY_BY_ORDER_START = 100;
export const PRIORITY_BY_ORDER_STEP = 10;

/**
 * VRRP priority per director: the explicit one from spec.vrrp.priorities, else by the order of
 * the directors' names (100, 90, 80 ... never below 1), so that the default keepalived setup
 * with two directors comes out as lvs01 at 100 (the master) and lvs02 at 90.
 */
export function directorPriorities(leader: VirtualService, directors: readonly KubeNode[]): Map<string, number> {
  const explicit = new Map((leader.spec.vrrp?.priorities ?? []).map((p) => [p.node, p.priority]));
  const priorities = new Map<string, number>();
  directors.forEach((node, index) => {
    const name = node.metadata.name ?? '';
    const byOrder = Math.max(1, PRIORITY_BY_ORDER_START - PRIORITY_BY_ORDER_STEP * index);
    priorities.set(name, explicit.get(name) ?? byOrder);
  });
  return priorities;
}

/**
 * The director that starts as MASTER: the highest priority, ties to the first name (keepalived
 * breaks ties by the higher primary address, which we cannot know here; the state settles
 * within one advert either way). Without preemption, or with a preempt delay, every director
 * starts BACKUP: keepalived's nopreempt requires it, and `keepalived -t` warns "preempt delay
 * will not work with initial state MASTER" and drops the delay otherwise.
 */
export function initialMaster(
  priorities: Map<string, number>,
  preempt: boolean,
  preemptDelay: number,
): string | undefined {
  if (!preempt || preemptDelay > 0) return undefined;
  let best: [string, number] | undefined;
  for (const entry of priorities) if (!best || entry[1] > best[1]) best = entry;
  return best?.[0];
}
