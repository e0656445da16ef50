// Netlink framing, pure: Buffers in, Buffers out, no socket. What the kernel reads and writes on an
// AF_NETLINK socket (include/uapi/linux/netlink.h, genetlink.h): every message is a 16-byte
// nlmsghdr (length, type, flags, sequence, port id) and a payload padded to 4 bytes; a generic
// netlink payload starts with a 4-byte genlmsghdr (command, version, reserved) and goes on with
// attributes (nlattr: 2-byte length, 2-byte type, value padded to 4 bytes), which nest.
// Host byte order throughout, as the kernel's own structs; only the values the IPVS family
// defines as __be16/__be32 (ports, IPv4 netmasks) are big-endian, and its encoder says so.

export const NLMSG_HDRLEN = 16;
export const GENL_HDRLEN = 4;
export const NLA_HDRLEN = 4;

export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_DUMP = 0x300;

/** The kernel sets these on nested attributes (NLA_F_NESTED) and some values; the type is the rest. */
const NLA_TYPE_MASK = 0x3fff;
const NLA_F_NESTED = 0x8000;

export const align4 = (n: number): number => (n + 3) & ~3;

/** An attribute to encode: a value, or attributes nested in it. */
export interface NlAttr {
  type: number;
  value: Buffer | readonly NlAttr[];
}

export interface NetlinkMessage {
  type: number;
  flags: number;
  seq: number;
  /** The sender's port id (0 = the kernel). */
  pid: number;
  payload: Buffer;
}

// The small values come from Node's shared pool (allocUnsafe, every byte written): a batch of
// 10,000 operations makes some 150,000 of them, and a zero-filled allocation each cost more
// than the rest of the encoding under QEMU TCG.
export function u8(v: number): Buffer {
  const b = Buffer.allocUnsafe(1);
  b[0] = v & 0xff;
  return b;
}
export function u16(v: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16LE(v);
  return b;
}
export function be16(v: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(v);
  return b;
}
export function u32(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(v >>> 0);
  return b;
}
/** A NUL-terminated string, as NLA_NUL_STRING and the kernel's nla_put_string. */
export function cstring(s: string): Buffer {
  return Buffer.from(`${s}\0`, 'utf8');
}

/** Bytes the attributes take, padding included. */
function attrsLength(attrs: readonly NlAttr[]): number {
  let n = 0;
  for (const a of attrs) n += NLA_HDRLEN + align4(valueLength(a));
  return n;
}
function valueLength(a: NlAttr): number {
  return Buffer.isBuffer(a.value) ? a.value.length : attrsLength(a.value as readonly NlAttr[]);
}

/** Writes the attributes at `off` of a zero-filled `out`; returns the offset after them. */
function writeAttrs(out: Buffer, off: number, attrs: readonly NlAttr[]): number {
  for (const a of attrs) {
    const nested = !Buffer.isBuffer(a.value);
    const len = valueLength(a);
    out.writeUInt16LE(NLA_HDRLEN + len, off);
    out.writeUInt16LE(a.type | (nested ? NLA_F_NESTED : 0), off + 2);
    if (nested) writeAttrs(out, off + NLA_HDRLEN, a.value as readonly NlAttr[]);
    else (a.value as Buffer).copy(out, off + NLA_HDRLEN);
    off += NLA_HDRLEN + align4(len);
  }
  return off;
}

/** The attributes' bytes, each padded to 4; nested ones marked NLA_F_NESTED as the kernel writes them. */
export function encodeAttrs(attrs: readonly NlAttr[]): Buffer {
  const out = Buffer.alloc(attrsLength(attrs));
  writeAttrs(out, 0, attrs);
  return out;
}

/**
 * The attributes in `buf` by type (flag bits masked off); the last one wins when a type repeats.
 * Stops at a truncated attribute rather than reading past it: a malformed reply loses its tail,
 * never reads another's bytes.
 */
export function decodeAttrs(buf: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let off = 0;
  while (off + NLA_HDRLEN <= buf.length) {
    const len = buf.readUInt16LE(off);
    if (len < NLA_HDRLEN || off + len > buf.length) break;
    out.set(buf.readUInt16LE(off + 2) & NLA_TYPE_MASK, buf.subarray(off + NLA_HDRLEN, off + len));
    off += align4(len);
  }
  return out;
}

/** One message: header (length includes it) and payload, padded to 4. */
export function encodeMessage(m: NetlinkMessage): Buffer {
  const out = Buffer.alloc(NLMSG_HDRLEN + align4(m.payload.length));
  writeHeader(out, NLMSG_HDRLEN + m.payload.length, m);
  m.payload.copy(out, NLMSG_HDRLEN);
  return out;
}

function writeHeader(out: Buffer, length: number, m: Omit<NetlinkMessage, 'payload'>): void {
  out.writeUInt32LE(length, 0);
  out.writeUInt16LE(m.type, 4);
  out.writeUInt16LE(m.flags, 6);
  out.writeUInt32LE(m.seq >>> 0, 8);
  out.writeUInt32LE(m.pid >>> 0, 12);
}

/** A generic netlink message in one allocation: what encodeMessage(encodeGenl(...)) gives, without the copies. */
export function encodeGenlMessage(
  m: Omit<NetlinkMessage, 'payload'>,
  cmd: number,
  version: number,
  attrs: readonly NlAttr[],
): Buffer {
  const length = NLMSG_HDRLEN + GENL_HDRLEN + attrsLength(attrs);
  const out = Buffer.alloc(length);
  writeHeader(out, length, m);
  out[NLMSG_HDRLEN] = cmd;
  out[NLMSG_HDRLEN + 1] = version;
  writeAttrs(out, NLMSG_HDRLEN + GENL_HDRLEN, attrs);
  return out;
}

/** The messages of one datagram; a truncated last one is left out (see decodeAttrs). */
export function decodeMessages(buf: Buffer): NetlinkMessage[] {
  const out: NetlinkMessage[] = [];
  let off = 0;
  while (off + NLMSG_HDRLEN <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > buf.length) break;
    out.push({
      type: buf.readUInt16LE(off + 4),
      flags: buf.readUInt16LE(off + 6),
      seq: buf.readUInt32LE(off + 8),
      pid: buf.readUInt32LE(off + 12),
      payload: buf.subarray(off + NLMSG_HDRLEN, off + len),
    });
    off += align4(len);
  }
  return out;
}

/** A generic netlink payload: genlmsghdr then the attributes. */
export function encodeGenl(cmd: number, version: number, attrs: readonly NlAttr[]): Buffer {
  return Buffer.concat([Buffer.from([cmd, version, 0, 0]), encodeAttrs(attrs)]);
}

export function decodeGenl(payload: Buffer): { cmd: number; version: number; attrs: Map<number, Buffer> } {
  if (payload.length < GENL_HDRLEN) throw new Error(`generic netlink payload of ${payload.length} bytes`);
  return { cmd: payload[0]!, version: payload[1]!, attrs: decodeAttrs(payload.subarray(GENL_HDRLEN)) };
}

/** An NLMSG_ERROR's errno: 0 for an ACK, else positive (the kernel sends it negated). */
export function decodeErrno(payload: Buffer): number {
  if (payload.length < 4) throw new Error(`NLMSG_ERROR payload of ${payload.length} bytes`);
  const code = payload.readInt32LE(0);
  return code === 0 ? 0 : -code;
}

/** A u32 attribute, or undefined if absent or short. */
export function getU32(attrs: Map<number, Buffer>, type: number): number | undefined {
  const b = attrs.get(type);
  return b && b.length >= 4 ? b.readUInt32LE(0) : undefined;
}
export function getU16(attrs: Map<number, Buffer>, type: number): number | undefined {
  const b = attrs.get(type);
  return b && b.length >= 2 ? b.readUInt16LE(0) : undefined;
}
export function getBe16(attrs: Map<number, Buffer>, type: number): number | undefined {
  const b = attrs.get(type);
  return b && b.length >= 2 ? b.readUInt16BE(0) : undefined;
}
export function getU8(attrs: Map<number, Buffer>, type: number): number | undefined {
  const b = attrs.get(type);
  return b && b.length >= 1 ? b[0] : undefined;
}
/** A u64 as a number: IPVS byte counters stay far below 2^53 in practice, and the metrics want numbers. */
export function getU64(attrs: Map<number, Buffer>, type: number): number | undefined {
  const b = attrs.get(type);
  return b && b.length >= 8 ? Number(b.readBigUInt64LE(0)) : undefined;
}
/** A string attribute without its NUL. */
export function getString(attrs: Map<number, Buffer>, type: number): string | undefined {
  const b = attrs.get(type);
  if (!b) return undefined;
  const nul = b.indexOf(0);
  return b.subarray(0, nul < 0 ? b.length : nul).toString('utf8');
}
