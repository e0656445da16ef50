// The IPVS family's replies read into the model: services from a GET_SERVICE dump, destinations
// (with thresholds, tunnel settings, connection counts and counters) from a GET_DEST dump, the
// sync daemons, GET_INFO, and the controller's family id. Pure.
//
// Services come back with IP_VS_SVC_F_HASHED set (the kernel's own bookkeeping): it is masked
// off, as are bits this model has no word for. Firewall-mark services are left out (the
// interface's contract: the agent never makes them, and never touches them).
import { formatIpv6, normalizeIp } from '../../net/address.js';
import type {
  IpvsDestination,
  IpvsForwarding,
  IpvsProtocol,
  IpvsService,
  IpvsTunnelChecksum,
  IpvsTunnelType,
} from '../model.js';
import {
  AF_INET6,
  CTRL_ATTR_FAMILY_ID,
  DAEMON_STATE,
  FORWARDING_CODE,
  IP_VS_CONN_F_FWD_MASK,
  IP_VS_SVC_F_ONEPACKET,
  IP_VS_SVC_F_PERSISTENT,
  IP_VS_SVC_F_SCHED,
  IPVS_CMD_ATTR,
  IPVS_DAEMON_ATTR,
  IPVS_DEST_ATTR,
  IPVS_INFO_ATTR,
  IPVS_STATS_ATTR,
  IPVS_SVC_ATTR,
  PROTOCOL_NUMBER,
  TUNNEL_FLAG,
  TUNNEL_TYPE_CODE,
} from './constants.js';
import { decodeAttrs, decodeGenl, getBe16, getString, getU16, getU32, getU64, getU8 } from './wire.js';

export interface DecodedDestination {
  destination: IpvsDestination;
  activeConnections: number;
  inactiveConnections: number;
  counters: { connections: number; inPackets: number; outPackets: number; inBytes: number; outBytes: number };
}

const PROTOCOL_NAME = new Map<number, IpvsProtocol>(
  Object.entries(PROTOCOL_NUMBER).map(([name, n]) => [n, name as IpvsProtocol]),
);
const FORWARDING_NAME = new Map<number, IpvsForwarding>(
  Object.entries(FORWARDING_CODE).map(([name, n]) => [n, name as IpvsForwarding]),
);
const TUNNEL_TYPE_NAME = new Map<number, IpvsTunnelType>(
  Object.entries(TUNNEL_TYPE_CODE).map(([name, n]) => [n, name as IpvsTunnelType]),
);

/** union nf_inet_addr of the given family as ipvsadm prints it. */
export function addressText(bytes: Buffer, af: number): string {
  if (af === AF_INET6) {
    if (bytes.length < 16) throw new Error(`IPv6 address of ${bytes.length} bytes`);
    const words = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2));
    return normalizeIp(formatIpv6(words)) ?? formatIpv6(words);
  }
  if (bytes.length < 4) throw new Error(`IPv4 address of ${bytes.length} bytes`);
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/** The nested IPVS_CMD_ATTR_<kind> of a reply message's payload. */
function nested(payload: Buffer, type: number): Map<number, Buffer> | undefined {
  const inner = decodeGenl(payload).attrs.get(type);
  return inner && decodeAttrs(inner);
}

/** Scheduler flag bits as generic names (flag-N); canonicalService gives them the scheduler's names. */
function schedulerFlagNames(flags: number): string[] {
  return IP_VS_SVC_F_SCHED.flatMap((bit, i) => (flags & bit ? [`flag-${i + 1}`] : []));
}

/**
 * One service of a GET_SERVICE dump, without destinations (the caller dumps them per service);
 * undefined for a firewall-mark service or a protocol the model has no name for.
 */
export function decodeService(payload: Buffer): IpvsService | undefined {
  const a = nested(payload, IPVS_CMD_ATTR.SERVICE);
  if (!a) throw new Error('a service reply without IPVS_CMD_ATTR_SERVICE');
  if (getU32(a, IPVS_SVC_ATTR.FWMARK)) return undefined;
  const protocol = PROTOCOL_NAME.get(getU16(a, IPVS_SVC_ATTR.PROTOCOL) ?? 0);
  const addr = a.get(IPVS_SVC_ATTR.ADDR);
  if (!protocol || !addr) return undefined;
  const af = getU16(a, IPVS_SVC_ATTR.AF) ?? 0;
  const address = addressText(addr, af);
  const flagsBuf = a.get(IPVS_SVC_ATTR.FLAGS);
  const flags = flagsBuf && flagsBuf.length >= 4 ? flagsBuf.readUInt32LE(0) : 0;
  const scheduler = getString(a, IPVS_SVC_ATTR.SCHED_NAME) ?? '';
  const s: IpvsService = { protocol, address, port: getBe16(a, IPVS_SVC_ATTR.PORT) ?? 0, scheduler, destinations: [] };
  const schedulerFlags = schedulerFlagNames(flags);
  if (schedulerFlags.length) s.schedulerFlags = schedulerFlags;
  if (flags & IP_VS_SVC_F_PERSISTENT) {
    s.persistence = { timeout: getU32(a, IPVS_SVC_ATTR.TIMEOUT) ?? 0 };
    const mask = a.get(IPVS_SVC_ATTR.NETMASK);
    if (mask && mask.length >= 4)
      s.persistence.netmask = af === AF_INET6 ? String(mask.readUInt32LE(0)) : addressText(mask, af);
  }
  if (flags & IP_VS_SVC_F_ONEPACKET) s.onePacket = true;
  return s;
}

/** STATS64 when the kernel gives it (every counter u64), else STATS (u32 counts, u64 bytes); zeros when neither. */
function counters(a: Map<number, Buffer>, stats64: number, stats32: number): DecodedDestination['counters'] {
  const raw64 = a.get(stats64);
  const raw = raw64 ?? a.get(stats32);
  const s = raw ? decodeAttrs(raw) : new Map<number, Buffer>();
  const count = (t: number) => (raw64 ? getU64(s, t) : getU32(s, t)) ?? 0;
  return {
    connections: count(IPVS_STATS_ATTR.CONNS),
    inPackets: count(IPVS_STATS_ATTR.INPKTS),
    outPackets: count(IPVS_STATS_ATTR.OUTPKTS),
    inBytes: getU64(s, IPVS_STATS_ATTR.INBYTES) ?? 0,
    outBytes: getU64(s, IPVS_STATS_ATTR.OUTBYTES) ?? 0,
  };
}

function tunnelSettings(a: Map<number, Buffer>, d: IpvsDestination): void {
  const type = TUNNEL_TYPE_NAME.get(getU8(a, IPVS_DEST_ATTR.TUN_TYPE) ?? 0) ?? 'ipip';
  if (type === 'ipip') return;
  d.tunnelType = type;
  if (type === 'gue') d.tunnelPort = getBe16(a, IPVS_DEST_ATTR.TUN_PORT) ?? 0;
  const flags = getU16(a, IPVS_DEST_ATTR.TUN_FLAGS) ?? 0;
  const checksum: IpvsTunnelChecksum =
    flags & TUNNEL_FLAG.remcsum ? 'remcsum' : flags & TUNNEL_FLAG.csum ? 'csum' : 'nocsum';
  if (checksum !== 'nocsum') d.tunnelChecksum = checksum;
}

/**
 * One destination of a GET_DEST dump. serviceAf: the family of its service, for kernels that do
 * not send IPVS_DEST_ATTR_ADDR_FAMILY. Undefined for a forwarding method the model has no name
 * for (local node, bypass).
 */
export function decodeDestination(payload: Buffer, serviceAf: number): DecodedDestination | undefined {
  const a = nested(payload, IPVS_CMD_ATTR.DEST);
  if (!a) throw new Error('a destination reply without IPVS_CMD_ATTR_DEST');
  const forwarding = FORWARDING_NAME.get((getU32(a, IPVS_DEST_ATTR.FWD_METHOD) ?? 0) & IP_VS_CONN_F_FWD_MASK);
  const addr = a.get(IPVS_DEST_ATTR.ADDR);
  if (!forwarding || !addr) return undefined;
  const af = getU16(a, IPVS_DEST_ATTR.ADDR_FAMILY) ?? serviceAf;
  const destination: IpvsDestination = {
    address: addressText(addr, af),
    port: getBe16(a, IPVS_DEST_ATTR.PORT) ?? 0,
    forwarding,
    // The kernel keeps an int; a negative one never comes from ipvsadm or us.
    weight: (getU32(a, IPVS_DEST_ATTR.WEIGHT) ?? 0) | 0,
  };
  const upper = getU32(a, IPVS_DEST_ATTR.U_THRESH) ?? 0;
  const lower = getU32(a, IPVS_DEST_ATTR.L_THRESH) ?? 0;
  if (upper) destination.upperThreshold = upper;
  if (lower) destination.lowerThreshold = lower;
  if (forwarding === 'TUN') tunnelSettings(a, destination);
  return {
    destination,
    activeConnections: getU32(a, IPVS_DEST_ATTR.ACTIVE_CONNS) ?? 0,
    inactiveConnections: getU32(a, IPVS_DEST_ATTR.INACT_CONNS) ?? 0,
    counters: counters(a, IPVS_DEST_ATTR.STATS64, IPVS_DEST_ATTR.STATS),
  };
}

/** The address family of a dumped service (AF_INET or AF_INET6), for its destinations. */
export function serviceFamily(payload: Buffer): number {
  const a = nested(payload, IPVS_CMD_ATTR.SERVICE);
  return (a && getU16(a, IPVS_SVC_ATTR.AF)) ?? 0;
}

export interface DecodedDaemon {
  role: 'master' | 'backup';
  interface: string;
  syncID: number;
}

/** One daemon of a GET_DAEMON dump. */
export function decodeDaemon(payload: Buffer): DecodedDaemon | undefined {
  const a = nested(payload, IPVS_CMD_ATTR.DAEMON);
  if (!a) return undefined;
  const state = getU32(a, IPVS_DAEMON_ATTR.STATE);
  const role = state === DAEMON_STATE.master ? 'master' : state === DAEMON_STATE.backup ? 'backup' : undefined;
  if (!role) return undefined;
  return {
    role,
    interface: getString(a, IPVS_DAEMON_ATTR.MCAST_IFN) ?? '',
    syncID: getU32(a, IPVS_DAEMON_ATTR.SYNC_ID) ?? 0,
  };
}

/** GET_INFO's reply: the IPVS version (0x010201 = 1.2.1) and the connection table's size. */
export function decodeInfo(payload: Buffer): { version: string; connTableSize: number } {
  const { attrs } = decodeGenl(payload);
  const v = getU32(attrs, IPVS_INFO_ATTR.VERSION) ?? 0;
  return {
    version: `${(v >> 16) & 0xff}.${(v >> 8) & 0xff}.${v & 0xff}`,
    connTableSize: getU32(attrs, IPVS_INFO_ATTR.CONN_TAB_SIZE) ?? 0,
  };
}

/** CTRL_CMD_NEWFAMILY's family id. */
export function decodeFamilyId(payload: Buffer): number {
  const id = getU16(decodeGenl(payload).attrs, CTRL_ATTR_FAMILY_ID);
  if (id === undefined) throw new Error('the controller replied without CTRL_ATTR_FAMILY_ID');
  return id;
}
