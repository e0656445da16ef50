// The IPVS family's requests as bytes: one generic netlink message per typed operation
// (operations.ts), the dumps and the sync daemon commands. Pure.
//
// What ipvsadm did silently is done here, so that what reaches the kernel is what the model
// means (canonical.ts, restore-line.ts):
//  - a destination without a weight gets weight 1 (DEFAULT_WEIGHT);
//  - a DR or TUN destination's port is the service's port (the kernel would keep another, and
//    ipvsadm -R rewrote it; the model and the plan already use the service's port);
//  - one-packet scheduling is only sent for UDP services (ipvsadm refused it for the others;
//    validate.ts refuses it upstream);
//  - the kernel wants a full spec on NEW/SET_SERVICE (scheduler, flags, timeout and netmask all
//    present, else EINVAL) and NEW/SET_DEST (forwarding, weight, both thresholds): what the
//    operation leaves out goes as ipvsadm's default (wlc, no persistence, host netmask, 0).
import { ipFamily, ipv6Words } from '../../net/address.js';
import { DEFAULT_SCHEDULER, DEFAULT_WEIGHT, IPV4_HOST_NETMASK } from '../canonical.js';
import type { IpvsDestination } from '../model.js';
import type { IpvsDestinationId, IpvsOperation, IpvsServiceId, IpvsServiceSpec } from '../operations.js';
import {
  AF_INET,
  AF_INET6,
  CTRL_ATTR_FAMILY_NAME,
  CTRL_CMD_GETFAMILY,
  DAEMON_STATE,
  FORWARDING_CODE,
  GENL_ID_CTRL,
  IP_VS_SVC_F_ONEPACKET,
  IP_VS_SVC_F_PERSISTENT,
  IP_VS_SVC_F_SCHED,
  IPVS_CMD,
  IPVS_CMD_ATTR,
  IPVS_DAEMON_ATTR,
  IPVS_DEST_ATTR,
  IPVS_GENL_NAME,
  IPVS_GENL_VERSION,
  IPVS_SVC_ATTR,
  PROTOCOL_NUMBER,
  TUNNEL_FLAG,
  TUNNEL_TYPE_CODE,
} from './constants.js';
import {
  be16,
  cstring,
  encodeGenlMessage,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  u16,
  u32,
  u8,
  type NlAttr,
} from './wire.js';

export type DaemonRole = keyof typeof DAEMON_STATE;

/** 4 bytes for IPv4, 16 for IPv6; throws on anything else (the model never holds it). */
export function addressBytes(address: string): Buffer {
  const family = ipFamily(address);
  if (family === 4) return Buffer.from(address.split('.').map(Number));
  if (family !== 6) throw new Error(`not an IP address: ${address}`);
  const out = Buffer.alloc(16);
  ipv6Words(address).forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

/** Recent addresses' bytes (a batch names its service's address once per destination); never mutated. */
const inetAddrs = new Map<string, { bytes: Buffer; af: number }>();

/** union nf_inet_addr: 16 bytes whatever the family, as ipvsadm sends it; and the family. */
function inet(address: string): { bytes: Buffer; af: number } {
  let hit = inetAddrs.get(address);
  if (!hit) {
    const raw = addressBytes(address);
    hit =
      raw.length === 16 ? { bytes: raw, af: AF_INET6 } : { bytes: Buffer.concat([raw, Buffer.alloc(12)]), af: AF_INET };
    if (inetAddrs.size >= 65_536) inetAddrs.clear();
    inetAddrs.set(address, hit);
  }
  return hit;
}

const inetAddr = (address: string): Buffer => inet(address).bytes;
const familyOf = (address: string): number => inet(address).af;

/** Recent services' id attributes: every destination operation names its service again. Never mutated. */
const serviceIds = new Map<string, readonly NlAttr[]>();

/** What names a service: family, protocol, address, port. */
export function serviceIdAttrs(s: IpvsServiceId): readonly NlAttr[] {
  const key = `${s.protocol} ${s.address} ${s.port}`;
  let hit = serviceIds.get(key);
  if (!hit) {
    hit = serviceIdNew(s);
    if (serviceIds.size >= 4096) serviceIds.clear();
    serviceIds.set(key, hit);
  }
  return hit;
}

function serviceIdNew(s: IpvsServiceId): NlAttr[] {
  return [
    { type: IPVS_SVC_ATTR.AF, value: u16(familyOf(s.address)) },
    { type: IPVS_SVC_ATTR.PROTOCOL, value: u16(PROTOCOL_NUMBER[s.protocol]) },
    { type: IPVS_SVC_ATTR.ADDR, value: inetAddr(s.address) },
    { type: IPVS_SVC_ATTR.PORT, value: be16(s.port) },
  ];
}

/** The scheduler flag bits of canonical names (flag-N, or sh-/mh- fallback and port); unknown names are no bit. */
export function schedulerFlagBits(scheduler: string, flags: readonly string[]): number {
  let bits = 0;
  for (const flag of flags) {
    const generic = /^flag-([123])$/.exec(flag);
    const named = [`${scheduler}-fallback`, `${scheduler}-port`].indexOf(flag);
    const bit = generic ? Number(generic[1]) - 1 : (scheduler === 'sh' || scheduler === 'mh') && named;
    if (typeof bit === 'number' && bit >= 0) bits |= IP_VS_SVC_F_SCHED[bit]!;
  }
  return bits;
}

/** The netmask attribute: an IPv4 mask as its 4 network-order bytes, an IPv6 one as a prefix length. */
function netmaskAttr(s: IpvsServiceSpec): Buffer {
  const mask = s.persistence?.netmask;
  if (ipFamily(s.address) === 6) return u32(mask === undefined ? 128 : Number(mask));
  return addressBytes(mask ?? IPV4_HOST_NETMASK);
}

/** The full spec of a service (NEW/SET_SERVICE): the kernel wants every one of these. */
export function serviceSpecAttrs(s: IpvsServiceSpec): NlAttr[] {
  const scheduler = s.scheduler || DEFAULT_SCHEDULER;
  let flags = schedulerFlagBits(scheduler, s.schedulerFlags ?? []);
  if (s.persistence) flags |= IP_VS_SVC_F_PERSISTENT;
  if (s.onePacket && s.protocol === 'UDP') flags |= IP_VS_SVC_F_ONEPACKET;
  // struct ip_vs_flags { flags; mask }: a full mask sets every flag as given (ipvsadm does the same).
  const flagsValue = Buffer.concat([u32(flags), u32(0xffff_ffff)]);
  return [
    ...serviceIdAttrs(s),
    { type: IPVS_SVC_ATTR.SCHED_NAME, value: cstring(scheduler) },
    { type: IPVS_SVC_ATTR.FLAGS, value: flagsValue },
    { type: IPVS_SVC_ATTR.TIMEOUT, value: u32(s.persistence?.timeout ?? 0) },
    { type: IPVS_SVC_ATTR.NETMASK, value: netmaskAttr(s) },
  ];
}

/** A destination's port as the kernel must hold it: the service's for DR and TUN (as ipvsadm did). */
export function destinationPort(service: IpvsServiceId, d: Pick<IpvsDestination, 'port' | 'forwarding'>): number {
  return d.forwarding === 'NAT' ? d.port : service.port;
}

function destinationIdAttrs(service: IpvsServiceId, d: IpvsDestinationId & Partial<IpvsDestination>): NlAttr[] {
  const port = d.forwarding ? destinationPort(service, d as IpvsDestination) : d.port;
  return [
    { type: IPVS_DEST_ATTR.ADDR, value: inetAddr(d.address) },
    { type: IPVS_DEST_ATTR.PORT, value: be16(port) },
    { type: IPVS_DEST_ATTR.ADDR_FAMILY, value: u16(familyOf(d.address)) },
  ];
}

/** The full spec of a destination (NEW/SET_DEST); tunnel attributes only for TUN. */
export function destinationSpecAttrs(service: IpvsServiceId, d: IpvsDestination): NlAttr[] {
  const attrs: NlAttr[] = [
    ...destinationIdAttrs(service, d),
    { type: IPVS_DEST_ATTR.FWD_METHOD, value: u32(FORWARDING_CODE[d.forwarding]) },
    { type: IPVS_DEST_ATTR.WEIGHT, value: u32(d.weight ?? DEFAULT_WEIGHT) },
    { type: IPVS_DEST_ATTR.U_THRESH, value: u32(d.upperThreshold ?? 0) },
    { type: IPVS_DEST_ATTR.L_THRESH, value: u32(d.lowerThreshold ?? 0) },
  ];
  if (d.forwarding === 'TUN') {
    const type = d.tunnelType ?? 'ipip';
    attrs.push({ type: IPVS_DEST_ATTR.TUN_TYPE, value: u8(TUNNEL_TYPE_CODE[type]) });
    if (type === 'gue') attrs.push({ type: IPVS_DEST_ATTR.TUN_PORT, value: be16(d.tunnelPort ?? 0) });
    attrs.push({ type: IPVS_DEST_ATTR.TUN_FLAGS, value: u16(TUNNEL_FLAG[d.tunnelChecksum ?? 'nocsum']) });
  }
  return attrs;
}

/** The command and attributes of one operation. */
export function operationRequest(op: IpvsOperation): { cmd: number; attrs: NlAttr[] } {
  const service = (attrs: readonly NlAttr[]): NlAttr => ({ type: IPVS_CMD_ATTR.SERVICE, value: attrs });
  const dest = (attrs: NlAttr[]): NlAttr => ({ type: IPVS_CMD_ATTR.DEST, value: attrs });
  switch (op.kind) {
    case 'add-service':
      return { cmd: IPVS_CMD.NEW_SERVICE, attrs: [service(serviceSpecAttrs(op.service))] };
    case 'update-service':
      return { cmd: IPVS_CMD.SET_SERVICE, attrs: [service(serviceSpecAttrs(op.service))] };
    case 'delete-service':
      return { cmd: IPVS_CMD.DEL_SERVICE, attrs: [service(serviceIdAttrs(op.service))] };
    case 'add-destination':
      return {
        cmd: IPVS_CMD.NEW_DEST,
        attrs: [service(serviceIdAttrs(op.service)), dest(destinationSpecAttrs(op.service, op.destination))],
      };
    case 'update-destination':
      return {
        cmd: IPVS_CMD.SET_DEST,
        attrs: [service(serviceIdAttrs(op.service)), dest(destinationSpecAttrs(op.service, op.destination))],
      };
    case 'delete-destination':
      return {
        cmd: IPVS_CMD.DEL_DEST,
        attrs: [service(serviceIdAttrs(op.service)), dest(destinationIdAttrs(op.service, op.destination))],
      };
  }
}

/**
 * A request to the family `familyId`. With `ack` the kernel answers success too; without, only
 * a failure (netlink_rcv_skb acks an error whatever the flags): a batch asks an ACK of its last
 * message only, so 10,000 operations are not 10,000 datagrams to receive, and the last one's
 * answer says every earlier one has been handled (the kernel handles one send() in order).
 */
export function ipvsRequest(
  familyId: number,
  seq: number,
  cmd: number,
  attrs: readonly NlAttr[] = [],
  ack = true,
): Buffer {
  const flags = NLM_F_REQUEST | (ack ? NLM_F_ACK : 0);
  return encodeGenlMessage({ type: familyId, flags, seq, pid: 0 }, cmd, IPVS_GENL_VERSION, attrs);
}

/** A dump request (GET_SERVICE, GET_DEST of one service, GET_DAEMON): answered by NLM_F_MULTI parts and NLMSG_DONE. */
export function ipvsDump(familyId: number, seq: number, cmd: number, attrs: readonly NlAttr[] = []): Buffer {
  return encodeGenlMessage(
    { type: familyId, flags: NLM_F_REQUEST | NLM_F_DUMP, seq, pid: 0 },
    cmd,
    IPVS_GENL_VERSION,
    attrs,
  );
}

export function operationMessage(familyId: number, seq: number, op: IpvsOperation, ack = true): Buffer {
  const { cmd, attrs } = operationRequest(op);
  return ipvsRequest(familyId, seq, cmd, attrs, ack);
}

/** GET_DEST of one service: the kernel dumps destinations per service only. */
export function destinationDump(familyId: number, seq: number, service: IpvsServiceId): Buffer {
  return ipvsDump(familyId, seq, IPVS_CMD.GET_DEST, [{ type: IPVS_CMD_ATTR.SERVICE, value: serviceIdAttrs(service) }]);
}

/** CTRL_CMD_GETFAMILY "IPVS": the reply carries the family's id. */
export function getFamilyMessage(seq: number, name = IPVS_GENL_NAME): Buffer {
  const attrs = [{ type: CTRL_ATTR_FAMILY_NAME, value: cstring(name) }];
  return encodeGenlMessage(
    { type: GENL_ID_CTRL, flags: NLM_F_REQUEST | NLM_F_ACK, seq, pid: 0 },
    CTRL_CMD_GETFAMILY,
    1,
    attrs,
  );
}

export function newDaemonMessage(
  familyId: number,
  seq: number,
  d: { role: DaemonRole; interface: string; syncID: number },
): Buffer {
  const attrs: NlAttr[] = [
    { type: IPVS_DAEMON_ATTR.STATE, value: u32(DAEMON_STATE[d.role]) },
    { type: IPVS_DAEMON_ATTR.MCAST_IFN, value: cstring(d.interface) },
    { type: IPVS_DAEMON_ATTR.SYNC_ID, value: u32(d.syncID) },
  ];
  return ipvsRequest(familyId, seq, IPVS_CMD.NEW_DAEMON, [{ type: IPVS_CMD_ATTR.DAEMON, value: attrs }]);
}

export function delDaemonMessage(familyId: number, seq: number, role: DaemonRole): Buffer {
  const attrs: NlAttr[] = [{ type: IPVS_DAEMON_ATTR.STATE, value: u32(DAEMON_STATE[role]) }];
  return ipvsRequest(familyId, seq, IPVS_CMD.DEL_DAEMON, [{ type: IPVS_CMD_ATTR.DAEMON, value: attrs }]);
}
