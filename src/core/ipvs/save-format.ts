// The `ipvsadm -S -n` text format, both ways. The line formats were checked byte for byte
// against ipvsadm 1.31 on a Debian 6.1 kernel (test/golden/ipvs/capture.sh and *.save):
//   -A -t 192.0.2.50:8080 -s sh -p 300 -M 255.255.255.0 -o -b sh-fallback,sh-port
//   -a -t 192.0.2.50:8080 -r 10.1.0.21:8080 -m -w 1
//   -a -t 192.0.2.60:80 -r 198.51.100.63:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum
// One deliberate difference: ipvsadm -S never prints the -x/-y thresholds (they are lost on a
// save/restore); we print them when nonzero so that our lines restore what they describe.
import { destinationKey, formatHostPort, serviceKey } from './model.js';
import type { IpvsDestination, IpvsForwarding, IpvsService, IpvsTable } from './model.js';
import { canonicalTable } from './canonical.js';
import { parseRestoreLine, SaveFormatError } from './restore-line.js';
import type { ServiceTarget } from './restore-line.js';

export { SaveFormatError };

const PROTOCOL_OPTION = { TCP: '-t', UDP: '-u', SCTP: '--sctp-service' } as const;
const FORWARDING_FLAG: Record<IpvsForwarding, string> = { DR: '-g', NAT: '-m', TUN: '-i' };

/** `-t 192.0.2.1:80`, `-u [2001:db8::1]:53`, `--sctp-service 192.0.2.1:9000`. */
export function serviceOption(s: Pick<IpvsService, 'protocol' | 'address' | 'port'>): string {
  return `${PROTOCOL_OPTION[s.protocol]} ${formatHostPort(s.address, s.port)}`;
}

/** A service line with its full spec (ipvsadm -E resets whatever it is not given). */
export function renderServiceLine(command: '-A' | '-E', s: Omit<IpvsService, 'destinations'>): string {
  let line = `${command} ${serviceOption(s)} -s ${s.scheduler}`;
  if (s.persistence) {
    line += ` -p ${s.persistence.timeout}`;
    if (s.persistence.netmask !== undefined) line += ` -M ${s.persistence.netmask}`;
  }
  if (s.onePacket) line += ' -o';
  if (s.schedulerFlags && s.schedulerFlags.length > 0) line += ` -b ${s.schedulerFlags.join(',')}`;
  return line;
}

/**
 * A destination line with its full spec: ipvsadm -e resets what it is not given (no -m turns
 * NAT into DR, no -w means weight 1, no --tun-type means ipip, no -x/-y means 0).
 */
export function renderDestinationLine(
  command: '-a' | '-e',
  s: Pick<IpvsService, 'protocol' | 'address' | 'port'>,
  d: IpvsDestination,
): string {
  let line = `${command} ${serviceOption(s)} -r ${formatHostPort(d.address, d.port)} ${FORWARDING_FLAG[d.forwarding]} -w ${d.weight}`;
  if (d.upperThreshold) line += ` -x ${d.upperThreshold}`;
  if (d.lowerThreshold) line += ` -y ${d.lowerThreshold}`;
  if (d.forwarding === 'TUN') {
    // ipvsadm prints --tun-type for every TUN destination, ipip included.
    const type = d.tunnelType ?? 'ipip';
    line += ` --tun-type ${type}`;
    if (type === 'gue') line += ` --tun-port ${d.tunnelPort ?? 0}`;
    if (type !== 'ipip') line += ` --tun-${d.tunnelChecksum ?? 'nocsum'}`;
  }
  return line;
}

/** `-d` names a destination by address and port only. */
export function renderDeleteDestinationLine(
  s: Pick<IpvsService, 'protocol' | 'address' | 'port'>,
  d: Pick<IpvsDestination, 'address' | 'port'>,
): string {
  return `-d ${serviceOption(s)} -r ${formatHostPort(d.address, d.port)}`;
}

export function renderDeleteServiceLine(s: Pick<IpvsService, 'protocol' | 'address' | 'port'>): string {
  return `-D ${serviceOption(s)}`;
}

/**
 * The table as `ipvsadm -S -n` prints it: per service its -A line, then its -a lines, each line
 * ending in "\n". Order (canonicalTable): IPv4 services before IPv6, then TCP, UDP, SCTP, then
 * address and port numerically; destinations by address (IPv4 first) then port. This is
 * ipvsadm's order too, except where its comparison wraps (addresses 2^31 or more apart).
 */
export function renderSave(table: IpvsTable): string {
  let out = '';
  for (const s of canonicalTable(table).services) {
    out += renderServiceLine('-A', s) + '\n';
    for (const d of s.destinations) out += renderDestinationLine('-a', s, d) + '\n';
  }
  return out;
}

/**
 * Parses `ipvsadm -S -n` output or hand-written restore lines that only add (-A/-a; long
 * option forms welcome) into the canonical table. Firewall-mark services and their
 * destinations (which we never manage) are checked and returned verbatim in `foreign`.
 * Throws SaveFormatError, and nothing else, for anything it does not understand.
 */
export function parseSave(text: string): { table: IpvsTable; foreign: string[] } {
  const services = new Map<string, IpvsService>();
  const destinationKeys = new Map<string, Set<string>>(); // per service: a Set, not a scan (10,000 dests)
  const fwmarks = new Set<string>();
  const foreign: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const lineNumber = i + 1;
    const command = parseRestoreLine(line, lineNumber);
    if (!command) continue;
    if (command.op !== 'add-service' && command.op !== 'add-dest') {
      throw new SaveFormatError(
        lineNumber,
        line.trim().split(/\s+/)[0] ?? '',
        'a saved table only has -A and -a lines',
      );
    }
    const key = targetKey(command.target);
    const targetToken = line.trim();
    if (command.target.kind === 'fwmark') {
      if (command.op === 'add-service' && fwmarks.has(key))
        throw new SaveFormatError(lineNumber, targetToken, 'service defined twice');
      if (command.op === 'add-dest' && !fwmarks.has(key))
        throw new SaveFormatError(lineNumber, targetToken, 'destination of a service not defined above');
      fwmarks.add(key);
      foreign.push(line);
      continue;
    }
    const { protocol, address, port } = command.target;
    if (command.op === 'add-service') {
      if (services.has(key)) throw new SaveFormatError(lineNumber, targetToken, 'service defined twice');
      services.set(key, { protocol, address, port, ...command.spec, destinations: [] });
      destinationKeys.set(key, new Set());
      continue;
    }
    const service = services.get(key);
    if (!service) throw new SaveFormatError(lineNumber, targetToken, 'destination of a service not defined above');
    // Addresses come normalized from the line parser, so the printed form identifies them.
    const seen = destinationKeys.get(key) as Set<string>;
    if (seen.has(destinationKey(command.destination)))
      throw new SaveFormatError(lineNumber, targetToken, 'destination defined twice');
    seen.add(destinationKey(command.destination));
    service.destinations.push(command.destination);
  }
  return { table: canonicalTable({ services: [...services.values()] }), foreign };
}

/** Identity of a service target in one parse (virtual services use the model's serviceKey form). */
export function targetKey(t: ServiceTarget): string {
  return t.kind === 'fwmark' ? `FWM/${t.mark}/${t.ipv6 ? 6 : 4}` : serviceKey(t);
}
