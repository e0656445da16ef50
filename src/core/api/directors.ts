// Which Nodes direct a VirtualService, and the facts about a Node the planner needs.
import { isIPv4, isIPv6 } from 'node:net';
import { normalizeIp } from '../net/ip.js';
import { DIRECTOR_LABEL, INTERFACE_ANNOTATION, SEGMENT_LABEL, type KubeNode, type VirtualService } from './objects.js';

export const DEFAULT_DIRECTOR_SELECTOR: Record<string, string> = { [DIRECTOR_LABEL]: 'true' };

/** The Nodes whose labels match the VirtualService's director selector, sorted by name. */
export function selectDirectors(vs: VirtualService, nodes: readonly KubeNode[]): KubeNode[] {
  const selector = vs.spec.directors?.nodeSelector ?? DEFAULT_DIRECTOR_SELECTOR;
  return nodes
    .filter((node) => Object.entries(selector).every(([key, value]) => node.metadata.labels?.[key] === value))
    .sort((a, b) => compareNames(a.metadata.name, b.metadata.name));
}

/** The Node's InternalIP of the same family as `like` (an address), else its first InternalIP. */
export function nodeAddress(node: KubeNode, like?: string): string | undefined {
  const internal = (node.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address);
  const sameFamily = like === undefined ? internal : internal.filter((a) => sameIpFamily(a, like));
  return sameFamily[0];
}

/** Whether the Node has this address among its InternalIPs (any spelling of it). */
export function hasInternalIp(node: KubeNode, address: string): boolean {
  const wanted = normalizeIp(address);
  return (node.status?.addresses ?? []).some((a) => a.type === 'InternalIP' && normalizeIp(a.address) === wanted);
}

/** The L2 segment a Node is on (its lvs-operator.io/l2-segment label, else "default"). */
export function nodeSegment(node: KubeNode): string {
  return node.metadata.labels?.[SEGMENT_LABEL] ?? 'default';
}

/** The interface a Node holds VIPs on when the VirtualService names none (annotation), if any. */
export function nodeInterface(node: KubeNode): string | undefined {
  return node.metadata.annotations?.[INTERFACE_ANNOTATION];
}

export function sameIpFamily(a: string, b: string): boolean {
  return (isIPv4(a) && isIPv4(b)) || (isIPv6(a) && isIPv6(b));
}

/** Byte-order comparison, so plans do not depend on the locale. */
export function compareNames(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
