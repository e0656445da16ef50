// One canonical form per IPVS table, so that tables can be compared with a deep equality:
// addresses as ipvsadm prints them, default values left out, services and destinations sorted.
// Both parseSave and renderSave go through it; diff and the restore simulator compare in it.
import { addressOrderKey, normalizeIp } from '../net/address.js';
import type { IpvsDestination, IpvsProtocol, IpvsService, IpvsTable } from './model.js';

/** ipvsadm's defaults and limits (ipvsadm 1.31, checked against the real tool; see test/golden/ipvs). */
export const DEFAULT_SCHEDULER = 'wlc';
export const DEFAULT_WEIGHT = 1;
/** A bare `-p` (no timeout) means 360 s, not the 300 s of the man page. */
export const DEFAULT_PERSISTENCE_TIMEOUT = 360;
export const MAX_PERSISTENCE_TIMEOUT = 2_678_400;
/** What ipvsadm accepts for -w/-x/-y (INT_MAX); the man page's 65535 for -w is not enforced. */
export const MAX_IPVSADM_INT = 2_147_483_647;
export const IPV4_HOST_NETMASK = '255.255.255.255';
export const IPV6_HOST_PREFIX = '128';

/** Protocol numbers: ipvsadm sorts services of one family by them (TCP 6, UDP 17, SCTP 132). */
const PROTOCOL_NUMBER: Record<IpvsProtocol, number> = { TCP: 6, UDP: 17, SCTP: 132 };

/**
 * Printed names of the three scheduler flag bits (IP_VS_SVC_F_SCHED1..3). ipvsadm names them
 * after the scheduler (`-b flag-1` on mh prints as `-b mh-fallback`), refuses another
 * scheduler's names (`-s rr -b sh-port`: "incompatible scheduler flag"), and for sh and mh
 * never prints bit 3: `-s sh -b flag-3` is accepted but saved as a bare "-b " (undefined here).
 */
function flagNames(scheduler: string): readonly [string, string, string | undefined] {
  if (scheduler === 'sh') return ['sh-fallback', 'sh-port', undefined];
  if (scheduler === 'mh') return ['mh-fallback', 'mh-port', undefined];
  return ['flag-1', 'flag-2', 'flag-3'];
}

/** Flags that ipvsadm takes for the scheduler but `ipvsadm -S` cannot show (sh/mh bit 3). */
export function invisibleSchedulerFlags(scheduler: string, flags: readonly string[]): string[] {
  return flagNames(scheduler)[2] === undefined ? flags.filter((f) => f === 'flag-3') : [];
}

/**
 * Scheduler flags as ipvsadm prints them: the scheduler's names in bit order, no duplicates,
 * without the ones it cannot print. Returns the first flag it does not know as `{ invalid }`.
 */
export function canonicalSchedulerFlags(scheduler: string, flags: readonly string[]): string[] | { invalid: string } {
  const names = flagNames(scheduler);
  const bits = new Set<number>();
  for (const flag of flags) {
    const generic = /^flag-([123])$/.exec(flag);
    const bit = generic ? Number(generic[1]) - 1 : names.indexOf(flag);
    if (bit < 0) return { invalid: flag };
    bits.add(bit);
  }
  return [0, 1, 2].filter((b) => bits.has(b)).flatMap((b) => names[b] ?? []);
}

export function canonicalDestination(d: IpvsDestination): IpvsDestination {
  const out: IpvsDestination = {
    address: normalizeIp(d.address) ?? d.address,
    port: d.port,
    forwarding: d.forwarding,
    weight: d.weight,
  };
  if (d.upperThreshold) out.upperThreshold = d.upperThreshold;
  if (d.lowerThreshold) out.lowerThreshold = d.lowerThreshold;
  // Tunnel settings only exist for TUN destinations; ipip and nocsum are the defaults.
  if (d.forwarding === 'TUN' && d.tunnelType && d.tunnelType !== 'ipip') {
    out.tunnelType = d.tunnelType;
    if (d.tunnelType === 'gue' && d.tunnelPort !== undefined) out.tunnelPort = d.tunnelPort;
    if (d.tunnelChecksum && d.tunnelChecksum !== 'nocsum') out.tunnelChecksum = d.tunnelChecksum;
  }
  return out;
}

export function canonicalService(s: IpvsService): IpvsService {
  const out: IpvsService = {
    protocol: s.protocol,
    address: normalizeIp(s.address) ?? s.address,
    port: s.port,
    scheduler: s.scheduler,
    destinations: sortByKey(s.destinations.map(canonicalDestination), destinationOrderKey),
  };
  const flags = canonicalSchedulerFlags(s.scheduler, s.schedulerFlags ?? []);
  // Unknown flags are kept as given (validation reports them) rather than silently dropped.
  const flagList = Array.isArray(flags) ? flags : [...(s.schedulerFlags ?? [])];
  if (flagList.length > 0) out.schedulerFlags = flagList;
  if (s.persistence) {
    out.persistence = { timeout: s.persistence.timeout };
    const mask = s.persistence.netmask;
    if (mask !== undefined && mask !== IPV4_HOST_NETMASK && mask !== IPV6_HOST_PREFIX) {
      out.persistence.netmask = mask;
    }
  }
  if (s.onePacket) out.onePacket = true;
  return out;
}

export function canonicalTable(t: IpvsTable): IpvsTable {
  return { services: sortByKey(t.services.map(canonicalService), serviceOrderKey) };
}

/** Sorts by a key computed once per item (comparators that parse addresses are too slow). */
export function sortByKey<T>(items: T[], key: (item: T) => string): T[] {
  return items
    .map((item) => [key(item), item] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, item]) => item);
}

/**
 * The order ipvsadm -S prints (and our plans use): IPv4 before IPv6, then protocol number, then
 * address, then port (numerically; see addressOrderKey for the one place ipvsadm differs).
 */
export function serviceOrderKey(s: Pick<IpvsService, 'protocol' | 'address' | 'port'>): string {
  const address = addressOrderKey(s.address);
  return `${address[0]}${String(PROTOCOL_NUMBER[s.protocol]).padStart(3, '0')}${address}/${String(s.port).padStart(5, '0')}`;
}

/** Destinations: by address (IPv4 first, numeric), then port. Equal keys = same destination. */
export function destinationOrderKey(d: Pick<IpvsDestination, 'address' | 'port'>): string {
  return `${addressOrderKey(d.address)}/${String(d.port).padStart(5, '0')}`;
}
