// VRRP virtual router ids: given by the user or allocated, unique within every L2 segment the
// directors sit on (two instances with one VRID on one segment fight over the same virtual MAC),
// and never moved once allocated: allocations already on the wire are placed first.
import { objectRef } from '../api/objects.js';
import type { PlanProblem } from './problems.js';
import type { VrrpGroup } from './vrrp-groups.js';

export const MIN_VRID = 1;
export const MAX_VRID = 255;

export interface VridAllocation {
  /** VRID per group VIP. */
  byVip: Map<string, number>;
  /** VRID per VirtualService (namespace/name): what the controller records in status. */
  byVirtualService: Map<string, number>;
  problems: PlanProblem[];
}

function explicitVrid(group: VrrpGroup): number | undefined {
  return group.members.map((vs) => vs.spec.vrrp?.virtualRouterID).find((id) => id !== undefined);
}

function previousVrid(group: VrrpGroup, previous: ReadonlyMap<string, number>): number | undefined {
  return group.members.map((vs) => previous.get(objectRef(vs))).find((id) => id !== undefined);
}

export function allocateVrids(groups: readonly VrrpGroup[], previous: ReadonlyMap<string, number>): VridAllocation {
  const holderBySegment = new Map<string, Map<number, VrrpGroup>>();
  const byVip = new Map<string, number>();
  const problems: PlanProblem[] = [];

  const holderOf = (group: VrrpGroup, vrid: number): VrrpGroup | undefined => {
    for (const segment of group.segments) {
      const holder = holderBySegment.get(segment)?.get(vrid);
      if (holder && holder !== group) return holder;
    }
    return undefined;
  };
  const take = (group: VrrpGroup, vrid: number) => {
    byVip.set(group.vip, vrid);
    for (const segment of group.segments) {
      const held = holderBySegment.get(segment) ?? new Map<number, VrrpGroup>();
      held.set(vrid, group);
      holderBySegment.set(segment, held);
    }
  };

  // 1. What is already on the wire stays: a previous allocation the user did not override.
  for (const group of groups) {
    const prior = previousVrid(group, previous);
    const wanted = explicitVrid(group);
    if (prior !== undefined && (wanted === undefined || wanted === prior) && !holderOf(group, prior))
      take(group, prior);
  }
  // 2. Ids the user gave.
  for (const group of groups) {
    const wanted = explicitVrid(group);
    if (wanted === undefined || byVip.has(group.vip)) continue;
    const holder = holderOf(group, wanted);
    if (holder) {
      const leader = group.members.find((vs) => vs.spec.vrrp?.virtualRouterID !== undefined) ?? group.members[0]!;
      problems.push({
        object: `VirtualService ${objectRef(leader)}`,
        field: 'spec.vrrp.virtualRouterID',
        value: wanted,
        message: `is already used on the same L2 segment by VirtualService ${objectRef(holder.members[0]!)} (VIP ${holder.vip})`,
      });
      continue;
    }
    take(group, wanted);
  }
  // 3. New allocations: the lowest id free on every segment of the group. Groups without
  // directors get none (nothing would use it); they get one when a director appears.
  for (const group of groups) {
    if (byVip.has(group.vip) || explicitVrid(group) !== undefined || group.directors.length === 0) continue;
    let vrid = MIN_VRID;
    while (vrid <= MAX_VRID && holderOf(group, vrid)) vrid++;
    if (vrid > MAX_VRID) {
      problems.push({
        object: `VirtualService ${objectRef(group.members[0]!)}`,
        field: 'spec.vrrp.virtualRouterID',
        value: null,
        message: `no free virtual router id (1-255) is left on the directors' L2 segments ${[...group.segments].join(', ')}`,
      });
      continue;
    }
    take(group, vrid);
  }

  const byVirtualService = new Map<string, number>();
  for (const group of groups) {
    const vrid = byVip.get(group.vip);
    if (vrid !== undefined) for (const vs of group.members) byVirtualService.set(objectRef(vs), vrid);
  }
  return { byVip, byVirtualService, problems };
}
