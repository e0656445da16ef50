// The IPVS table in our own nouns (as kube-proxy's ipvs interface does): virtual services and
// their destinations. Pure data; render/parse/diff live beside it and never touch the system.
import { normalizeIp } from '../net/address.js';

export type IpvsProtocol = 'TCP' | 'UDP' | 'SCTP';
export type IpvsForwarding = 'DR' | 'NAT' | 'TUN';
export type IpvsTunnelType = 'ipip' | 'gue' | 'gre';
export type IpvsTunnelChecksum = 'nocsum' | 'csum' | 'remcsum';

export interface IpvsPersistence {
  /** Seconds (ipvsadm -p); ipvsadm accepts 1..2678400 and uses 360 for a bare -p. */
  timeout: number;
  /** Netmask for grouping clients (ipvsadm -M); IPv4 dotted quad, or a prefix length for IPv6. Absent = host. */
  netmask?: string;
}

export interface IpvsDestination {
  /** Real server address: IPv4 dotted quad or IPv6 (without brackets). */
  address: string;
  port: number;
  forwarding: IpvsForwarding;
  /**
   * 0 = quiesced (no new connections). We only ever ask for 0..65535 (ipvsadm's man page), but
   * ipvsadm 1.31 really accepts and prints up to 2147483647, so parsed tables may hold more.
   */
  weight: number;
  /** Connection thresholds (ipvsadm -x / -y); absent = 0 (unlimited). */
  upperThreshold?: number;
  lowerThreshold?: number;
  /** TUN encapsulation (ipvsadm --tun-type); absent = ipip. Only meaningful for forwarding TUN. */
  tunnelType?: IpvsTunnelType;
  /** GUE only (ipvsadm --tun-port, 1..65535): UDP port of the encapsulation; required for gue. */
  tunnelPort?: number;
  /** GUE/GRE only (--tun-nocsum|--tun-csum|--tun-remcsum, remcsum GUE only); absent = nocsum. */
  tunnelChecksum?: IpvsTunnelChecksum;
}

export interface IpvsService {
  protocol: IpvsProtocol;
  /** Virtual address: IPv4 dotted quad or IPv6 (without brackets). */
  address: string;
  port: number;
  /** Kernel scheduler name (rr, wrr, ..., mh). */
  scheduler: string;
  /** Scheduler flags (ipvsadm -b), e.g. mh-fallback, mh-port, sh-fallback, sh-port. */
  schedulerFlags?: string[];
  persistence?: IpvsPersistence;
  /** One-packet scheduling (ipvsadm -o/--ops), UDP only; absent = off. */
  onePacket?: boolean;
  destinations: IpvsDestination[];
}

/**
 * Services the parser saw that we never manage ourselves (firewall-mark services, e.g. from a
 * user's own setup). Kept so that a round trip of someone else's table loses nothing.
 */
export interface IpvsForeignLine {
  line: string;
}

export interface IpvsTable {
  services: IpvsService[];
}

/** Identity of a virtual service: what ipvsadm uses to find it (-t/-u/--sctp-service addr:port). */
export function serviceKey(s: Pick<IpvsService, 'protocol' | 'address' | 'port'>): string {
  return `${s.protocol}/${formatHostPort(s.address, s.port)}`;
}

/**
 * A serviceKey with its address as serviceKey writes it (`TCP/[2001:DB8::A]:80` ->
 * `TCP/[2001:db8::a]:80`), or undefined for anything else (a firewall mark, a typo).
 */
export function canonicalServiceKey(key: string): string | undefined {
  const m = /^(TCP|UDP|SCTP)\/(?:\[([^\]]+)\]|([^:/[\]]+)):(\d+)$/.exec(key);
  const address = m && normalizeIp(m[2] ?? m[3] ?? '');
  return address ? serviceKey({ protocol: m[1] as IpvsProtocol, address, port: Number(m[4]) }) : undefined;
}

/** Identity of a destination within its service. */
export function destinationKey(d: Pick<IpvsDestination, 'address' | 'port'>): string {
  return formatHostPort(d.address, d.port);
}

/** `a.b.c.d:port`, or `[v6]:port` as ipvsadm prints and reads IPv6. */
export function formatHostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
