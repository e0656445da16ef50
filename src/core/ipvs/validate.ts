// What a table we are about to ask for must satisfy, so that ipvsadm and the kernel accept
// every line of the plan and the table reads back as asked (no endless re-planning). These
// are the rules the real tool showed (test/golden/ipvs/facts), plus our own tighter ranges.
import { ipFamily, isUnicastDestination, normalizeIp } from '../net/address.js';
import {
  canonicalSchedulerFlags,
  invisibleSchedulerFlags,
  MAX_IPVSADM_INT,
  MAX_PERSISTENCE_TIMEOUT,
} from './canonical.js';
import { destinationKey, serviceKey } from './model.js';
import type { IpvsDestination, IpvsService, IpvsTable } from './model.js';

/** Our own limit for weights (ipvsadm's man page; the tool itself takes up to 2147483647). */
export const MAX_WEIGHT = 65535;

export class IpvsTableError extends Error {
  override readonly name = 'IpvsTableError';
  constructor(readonly problems: string[]) {
    super(`invalid IPVS table: ${problems.join('; ')}`);
  }
}

const isInt = (n: unknown, min: number, max: number): boolean =>
  Number.isInteger(n) && (n as number) >= min && (n as number) <= max;

/** Every problem found, each naming the service (and destination); empty when valid. */
export function tableProblems(table: IpvsTable): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const s of table.services) {
    const name = serviceKey(s);
    const key = serviceKey({ ...s, address: normalizeIp(s.address) ?? s.address });
    if (seen.has(key)) problems.push(`${name}: service listed twice`);
    seen.add(key);
    problems.push(...serviceProblems(s).map((p) => `${name}: ${p}`));
    const seenDest = new Set<string>();
    for (const d of s.destinations) {
      const destKey = destinationKey({ ...d, address: normalizeIp(d.address) ?? d.address });
      if (seenDest.has(destKey)) problems.push(`${name} -> ${destinationKey(d)}: destination listed twice`);
      seenDest.add(destKey);
      problems.push(...destinationProblems(s, d).map((p) => `${name} -> ${destinationKey(d)}: ${p}`));
    }
  }
  return problems;
}

export function assertValidTable(table: IpvsTable): void {
  const problems = tableProblems(table);
  if (problems.length > 0) throw new IpvsTableError(problems);
}

function serviceProblems(s: IpvsService): string[] {
  const p: string[] = [];
  const family = ipFamily(s.address);
  if (!['TCP', 'UDP', 'SCTP'].includes(s.protocol)) p.push(`unknown protocol ${String(s.protocol)}`);
  if (!family) p.push(`invalid address ${JSON.stringify(s.address)}`);
  if (!isInt(s.port, 0, 65535)) p.push(`port ${s.port} out of 0..65535`);
  // ipvsadm: "Zero port specified for non-persistent service".
  if (s.port === 0 && !s.persistence) p.push('port 0 (all ports) needs persistence');
  if (!/^[a-z][a-z0-9_]{0,14}$/.test(s.scheduler)) p.push(`invalid scheduler name ${JSON.stringify(s.scheduler)}`);
  const flags = canonicalSchedulerFlags(s.scheduler, s.schedulerFlags ?? []);
  if (!Array.isArray(flags)) p.push(`scheduler flag ${flags.invalid} does not go with ${s.scheduler}`);
  for (const f of invisibleSchedulerFlags(s.scheduler, s.schedulerFlags ?? [])) {
    p.push(`scheduler flag ${f} means nothing to ${s.scheduler} and ipvsadm -S cannot show it`);
  }
  if (s.persistence) {
    const { timeout, netmask } = s.persistence;
    if (!isInt(timeout, 1, MAX_PERSISTENCE_TIMEOUT))
      p.push(`persistence timeout ${timeout} out of 1..${MAX_PERSISTENCE_TIMEOUT}`);
    if (netmask !== undefined && family === 4 && ipFamily(netmask) !== 4)
      p.push(`netmask ${netmask} is not a dotted quad`);
    if (
      netmask !== undefined &&
      family === 6 &&
      !(/^\d{1,3}$/.test(netmask) && Number(netmask) >= 1 && Number(netmask) <= 128)
    ) {
      p.push(`IPv6 netmask ${netmask} is not a prefix length 1..128`);
    }
  }
  if (s.onePacket && s.protocol !== 'UDP') p.push('one-packet scheduling is only for UDP');
  return p;
}

function destinationProblems(s: IpvsService, d: IpvsDestination): string[] {
  const p: string[] = [];
  const family = ipFamily(d.address);
  if (!family) p.push(`invalid address ${JSON.stringify(d.address)}`);
  if (family && !isUnicastDestination(d.address))
    p.push('the kernel refuses it as a real server (address not unicast)');
  if (!['DR', 'NAT', 'TUN'].includes(d.forwarding)) p.push(`unknown forwarding ${String(d.forwarding)}`);
  if (family && d.forwarding !== 'TUN' && family !== ipFamily(s.address))
    p.push('other address family than the service needs TUN');
  if (!isInt(d.port, 0, 65535)) p.push(`port ${d.port} out of 0..65535`);
  // ipvsadm silently uses the service port for DR/TUN: another port would never read back.
  if (d.forwarding !== 'NAT' && d.port !== s.port)
    p.push(`${d.forwarding} destinations must use the service port ${s.port}`);
  if (!isInt(d.weight, 0, MAX_WEIGHT)) p.push(`weight ${d.weight} out of 0..${MAX_WEIGHT}`);
  const upper = d.upperThreshold ?? 0;
  const lower = d.lowerThreshold ?? 0;
  if (!isInt(upper, 0, MAX_IPVSADM_INT)) p.push(`upper threshold ${upper} out of 0..${MAX_IPVSADM_INT}`);
  if (!isInt(lower, 0, MAX_IPVSADM_INT)) p.push(`lower threshold ${lower} out of 0..${MAX_IPVSADM_INT}`);
  // The kernel answers ERANGE when lower > upper, also when upper is 0 (= unlimited).
  if (lower > upper) p.push(`lower threshold ${lower} above upper threshold ${upper}`);
  p.push(...tunnelProblems(d));
  return p;
}

function tunnelProblems(d: IpvsDestination): string[] {
  const hasTunnelFields = d.tunnelType !== undefined || d.tunnelPort !== undefined || d.tunnelChecksum !== undefined;
  if (d.forwarding !== 'TUN') return hasTunnelFields ? ['tunnel settings need TUN forwarding'] : [];
  const type = d.tunnelType ?? 'ipip';
  const p: string[] = [];
  if (!['ipip', 'gue', 'gre'].includes(type)) p.push(`unknown tunnel type ${String(type)}`);
  if (type === 'gue' && !isInt(d.tunnelPort, 1, 65535)) p.push('gue needs a tunnel port 1..65535');
  if (type !== 'gue' && d.tunnelPort !== undefined) p.push(`tunnel port is only for gue, not ${type}`);
  const checksum = d.tunnelChecksum ?? 'nocsum';
  if (!['nocsum', 'csum', 'remcsum'].includes(checksum)) p.push(`unknown tunnel checksum ${String(checksum)}`);
  if (type === 'ipip' && d.tunnelChecksum !== undefined) p.push('ipip has no checksum option');
  if (type === 'gre' && checksum === 'remcsum') p.push('gre has no remcsum');
  return p;
}
