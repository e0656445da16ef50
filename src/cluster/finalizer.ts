// When a VirtualService being deleted may let go: once no node can still hold anything of it. Pure.
import { objectRef, type LVSNode, type VirtualService } from '../core/api/objects.js';
import { applied, neverReported, retiring, specHolds } from './desired.js';

/**
 * The nodes that may still hold something of a VirtualService: their LVSNode still names it (the
 * controller has not written the plan without it yet), their agent has not applied the current
 * spec, or it keeps items that left its plan while the directors drain them (status.retiring).
 * A node whose agent never reported (no status.appliedGeneration) has programmed nothing, and
 * holds nothing: a node without an agent does not block deletions forever.
 */
export function nodesHolding(vs: VirtualService, lvsNodes: readonly LVSNode[]): string[] {
  const ref = objectRef(vs);
  const vip = vs.spec.address;
  return lvsNodes
    .filter((n) => {
      if (neverReported(n)) return false;
      return specHolds(n.spec ?? {}, ref, vip) || retiring(n) || !applied(n);
    })
    .map((n) => n.metadata.name ?? '');
}
