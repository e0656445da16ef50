// Graceful removal: a destination the plan no longer names (its RealServer was deleted or moved
// to another service) is first kept at weight 0, so that it gets no new connections while its
// established ones finish, and only removed once the kernel counts no connection to it or the
// drain timeout has passed. kube-proxy's graceful termination does the same for Services.
// Removing at once would cut those connections: with expire_nodest_conn=1 (set on directors) the
// kernel drops a connection to a removed destination at its next packet.
//
// Not drained: a destination health checks took out (onFailure Remove: the server is dead, its
// connections with it), every destination of a service that left the plan (the VIP goes too),
// and UDP (no connection ends: kube-proxy removes UDP destinations at once for the same reason).
import { canonicalTable } from './canonical.js';
import type { IpvsTable } from './model.js';
import { destinationKey, serviceKey } from './model.js';

/** `serviceKey destinationKey`, the key of a destination across services. */
export function drainKey(service: string, destination: string): string {
  return `${service} ${destination}`;
}

/** The service part of a drainKey. */
export function serviceOfDrainKey(key: string): string {
  const space = key.indexOf(' ');
  return space < 0 ? key : key.slice(0, space);
}

export interface DrainInput {
  /** The table to program: the plan with health applied. */
  desired: IpvsTable;
  /** The kernel's table now. */
  actual: IpvsTable;
  /** removalCandidates(desired, planned, actual): computed once by the caller, who needs it first. */
  candidates: readonly string[];
  /** Active + inactive connections per drainKey (the IPVS interface's connections()); absent = none. */
  connections: ReadonlyMap<string, number>;
  /** When each destination started draining (epoch ms), from the previous pass. */
  drainingSince: ReadonlyMap<string, number>;
  now: number;
  timeoutMs: number;
}

export interface DrainResult {
  /** `desired` plus the destinations still draining, at weight 0. */
  desired: IpvsTable;
  /** Destinations draining after this pass, with their start. */
  draining: Map<string, number>;
}

/** The destinations that would be removed now and may need to drain first (no connection counts needed otherwise). */
export function removalCandidates(desiredTable: IpvsTable, plannedTable: IpvsTable, actualTable: IpvsTable): string[] {
  // Compared in the kernel's spelling (an IPv6 plan may spell addresses otherwise).
  const [desired, planned, actual] = [desiredTable, plannedTable, actualTable].map(canonicalTable) as [
    IpvsTable,
    IpvsTable,
    IpvsTable,
  ];
  const plannedKeys = new Set(
    planned.services.flatMap((s) => s.destinations.map((d) => drainKey(serviceKey(s), destinationKey(d)))),
  );
  const actualByKey = new Map(actual.services.map((s) => [serviceKey(s), s]));
  const out: string[] = [];
  for (const service of desired.services) {
    const key = serviceKey(service);
    const have = actualByKey.get(key);
    if (!have || service.protocol === 'UDP') continue;
    const wanted = new Set(service.destinations.map(destinationKey));
    for (const d of have.destinations) {
      const k = drainKey(key, destinationKey(d));
      if (!wanted.has(destinationKey(d)) && !plannedKeys.has(k)) out.push(k);
    }
  }
  return out;
}

export function keepDraining(input: DrainInput): DrainResult {
  const candidates = new Set(input.candidates);
  const draining = new Map<string, number>();
  const actualByKey = new Map(canonicalTable(input.actual).services.map((s) => [serviceKey(s), s]));
  const services = canonicalTable(input.desired).services.map((service) => {
    const key = serviceKey(service);
    const keep = (actualByKey.get(key)?.destinations ?? []).filter((d) => {
      const k = drainKey(key, destinationKey(d));
      if (!candidates.has(k)) return false;
      const since = input.drainingSince.get(k) ?? input.now;
      if ((input.connections.get(k) ?? 0) === 0 || input.now - since >= input.timeoutMs) return false;
      draining.set(k, since);
      return true;
    });
    if (keep.length === 0) return service;
    return { ...service, destinations: [...service.destinations, ...keep.map((d) => ({ ...d, weight: 0 }))] };
  });
  return { desired: { services }, draining };
}
