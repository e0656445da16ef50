// The IPVS table in our own nouns (as kube-proxy's ipvs interface does): virtual services and
// their destinations. Pure data; render/parse/diff live beside it and never touch the system.

export type IpvsProtocol = 'TCP' | 'UDP' | 'SCTP';
export type IpvsForwarding = 'DR' | 'NAT' | 'TUN';
export type IpvsTunnelType = 'ipip' | 'gue' | 'gre';

export interface IpvsPersistence {
  /** Seconds (ipvsadm -p). */
  timeout: number;
  /** Netmask for grouping clients (ipvsadm -M); IPv4 dotted quad, or a prefix length for IPv6. Absent = host. */
  netmask?: string;
}

export interface IpvsDestination {
  /** Real server address: IPv4 dotted quad or IPv6 (without brackets). */
  address: string;
  port: number;
  forwarding: IpvsForwarding;
  /** 0..65535; 0 = quiesced (no new connections). */
  weight: number;
  /** Connection thresholds (ipvsadm -x / -y); absent = 0 (unlimited). */
  upperThreshold?: number;
  lowerThreshold?: number;
  /** TUN encapsulation (ipvsadm --tun-type); absent = ipip. */
  tunnelType?: IpvsTunnelType;
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

/** Identity of a destination within its service. */
export function destinationKey(d: Pick<IpvsDestination, 'address' | 'port'>): string {
  return formatHostPort(d.address, d.port);
}

/** `a.b.c.d:port`, or `[v6]:port` as ipvsadm prints and reads IPv6. */
export function formatHostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
