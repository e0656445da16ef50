// ipvsadm's listings, parsed. Pure. As ipvsadm 1.31 prints them (ipvsadm.c print_title /
// print_service_entry; the real thing: test/unit/metrics/fixtures):
//
// `ipvsadm -L -n [--exact]`: the weight and the connections the kernel holds now. The agent reads
// it when a destination may need to drain (drain.ts), and the metrics at every scrape.
//   IP Virtual Server version 1.2.1 (size=4096)
//   Prot LocalAddress:Port Scheduler Flags
//     -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
//   TCP  192.0.2.100:80 rr persistent 5
//     -> 192.0.2.11:80                Route   1      2          7
//
// `ipvsadm -L -n --exact --stats`: cumulative counters since the service or destination was added,
// for the metrics. --exact prints whole numbers (without it, large ones become 123K, 45M...).
//   Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
//     -> RemoteAddress:Port
//   TCP  198.51.100.100:80                   3       18       18     1194     1593
//     -> 192.0.2.11:80                       3       18       18     1194     1593
//
// Service lines start with the protocol at column 0 (`TCP  `, `UDP  `, but `SCTP `), destinations
// with `  ->`. Firewall-mark services (`FWM  1`, `FWM  2 IPv6`) and their destinations are skipped:
// the agent never makes them. Numbers are whitespace-separated in both: ipvsadm pads every --exact
// number to at least 9 columns and always leaves a blank before it, even after a wide IPv6 address.
import { normalizeIp } from '../net/address.js';
import { drainKey } from './drain.js';
import { formatHostPort } from './model.js';

export interface DestinationStats {
  /** `TCP/192.0.2.100:80` (serviceKey). */
  service: string;
  /** `192.0.2.11:80`, `[2001:db8::11]:80` (formatHostPort). */
  destination: string;
  connections: number;
  inPackets: number;
  outPackets: number;
  inBytes: number;
  outBytes: number;
}

export interface DestinationState {
  service: string;
  destination: string;
  weight: number;
  activeConnections: number;
  inactiveConnections: number;
}

/** `[v6]:port` or `v4:port` in ipvsadm's spelling (normalizeIp), or undefined. */
export function hostPort(text: string): string | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]+):(\d+)$/.exec(text);
  const address = m && normalizeIp(m[1]!);
  return address ? formatHostPort(address, Number(m[2])) : undefined;
}

/** The destination label of an address and a port. */
export function destinationLabel(address: string, port: number): string {
  return formatHostPort(normalizeIp(address) ?? address, port);
}

/** Each destination line with its service, and the whitespace-separated fields after the address. */
function destinationLines(listing: string): { service: string; destination: string; fields: string[] }[] {
  const out: { service: string; destination: string; fields: string[] }[] = [];
  let service: string | undefined;
  for (const line of listing.split('\n')) {
    const head = /^(TCP|UDP|SCTP|FWM)\s+(\S+)/.exec(line);
    if (head) {
      const hp = head[1] === 'FWM' ? undefined : hostPort(head[2]!);
      service = hp && `${head[1]}/${hp}`;
      continue;
    }
    const dest = /^\s+->\s+(\S+)(.*)$/.exec(line);
    const destination = dest && hostPort(dest[1]!);
    if (service && destination) out.push({ service, destination, fields: dest[2]!.trim().split(/\s+/) });
  }
  return out;
}

const whole = (text: string | undefined) => (text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined);

/** The destinations of `ipvsadm -L -n --exact --stats`; a line whose counters are not 5 whole numbers is skipped. */
export function parseStatsListing(listing: string): DestinationStats[] {
  return destinationLines(listing).flatMap(({ service, destination, fields }) => {
    const n = fields.map(whole);
    if (n.length !== 5 || n.some((v) => v === undefined)) return [];
    const [connections, inPackets, outPackets, inBytes, outBytes] = n as number[];
    return [{ service, destination, connections, inPackets, outPackets, inBytes, outBytes } as DestinationStats];
  });
}

/** The destinations of `ipvsadm -L -n [--exact]`: Forward Weight ActiveConn InActConn. */
export function parseStateListing(listing: string): DestinationState[] {
  return destinationLines(listing).flatMap(({ service, destination, fields }) => {
    const [, weight, active, inactive] = fields.map(whole);
    if (fields.length !== 4 || weight === undefined || active === undefined || inactive === undefined) return [];
    return [{ service, destination, weight, activeConnections: active, inactiveConnections: inactive }];
  });
}

/** drainKey -> active + inactive connections, of `ipvsadm -L -n [--exact]`. */
export function parseConnectionCounts(listing: string): Map<string, number> {
  return connectionCounts(parseStateListing(listing));
}

/** drainKey -> active + inactive connections: what the drain asks of each destination. */
export function connectionCounts(destinations: readonly DestinationState[]): Map<string, number> {
  return new Map(
    destinations.map((d) => [drainKey(d.service, d.destination), d.activeConnections + d.inactiveConnections]),
  );
}
