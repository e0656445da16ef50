// Netlink framing: headers, padding, nesting, and what a malformed datagram does.
import { describe, expect, it } from 'vitest';
import {
  align4,
  cstring,
  decodeAttrs,
  decodeErrno,
  decodeGenl,
  decodeMessages,
  encodeAttrs,
  encodeGenl,
  encodeMessage,
  getBe16,
  getString,
  getU16,
  getU32,
  getU64,
  getU8,
  u32,
} from '../../../src/core/ipvs/netlink/wire.js';

describe('netlink attributes', () => {
  it('pads every value to 4 bytes and counts only the unpadded length', () => {
    expect(encodeAttrs([{ type: 6, value: cstring('rr') }]).toString('hex')).toBe('0700060072720000');
    expect(encodeAttrs([{ type: 1, value: u32(0x01020304) }]).toString('hex')).toBe('0800010004030201');
  });

  it('marks nested attributes NLA_F_NESTED and decodes them without the flag', () => {
    const bytes = encodeAttrs([{ type: 1, value: [{ type: 2, value: Buffer.from([0xaa]) }] }]);
    expect(bytes.toString('hex')).toBe('0c000180' + '05000200aa000000');
    const outer = decodeAttrs(bytes);
    expect([...outer.keys()]).toEqual([1]);
    expect(getU8(decodeAttrs(outer.get(1)!), 2)).toBe(0xaa);
  });

  it('stops at a truncated attribute instead of reading past it', () => {
    const bytes = Buffer.concat([encodeAttrs([{ type: 1, value: u32(7) }]), Buffer.from('ff00020000', 'hex')]);
    const attrs = decodeAttrs(bytes);
    expect([...attrs.keys()]).toEqual([1]);
    expect(decodeAttrs(Buffer.from('0200', 'hex')).size).toBe(0);
    expect(decodeAttrs(Buffer.from('02000100', 'hex')).size).toBe(0); // length below the header
  });

  it('reads values by width and byte order, undefined when absent or short', () => {
    const attrs = decodeAttrs(
      encodeAttrs([
        { type: 1, value: Buffer.from('0050', 'hex') },
        { type: 2, value: Buffer.from('0100000000000000', 'hex') },
        { type: 3, value: Buffer.from('wlc\0', 'latin1') },
        { type: 4, value: Buffer.from([9]) },
      ]),
    );
    expect(getBe16(attrs, 1)).toBe(80);
    expect(getU16(attrs, 1)).toBe(0x5000);
    expect(getU64(attrs, 2)).toBe(1);
    expect(getString(attrs, 3)).toBe('wlc');
    expect(getU32(attrs, 4)).toBeUndefined();
    expect(getU32(attrs, 9)).toBeUndefined();
    expect(getString(attrs, 9)).toBeUndefined();
  });
});

describe('netlink messages', () => {
  it('writes the 16-byte header with the total length, and pads the payload', () => {
    const m = encodeMessage({ type: 0x10, flags: 5, seq: 7, pid: 0, payload: Buffer.from([1, 2, 3, 4, 5]) });
    expect(m.toString('hex')).toBe('15000000' + '1000' + '0500' + '07000000' + '00000000' + '0102030405000000');
    expect(align4(21)).toBe(24);
  });

  it('splits a datagram into its messages, leaving out a truncated last one', () => {
    const a = encodeMessage({ type: 2, flags: 0, seq: 1, pid: 0, payload: Buffer.alloc(4) });
    const b = encodeMessage({ type: 3, flags: 2, seq: 2, pid: 9, payload: Buffer.from('abc') });
    const msgs = decodeMessages(Buffer.concat([a, b, b.subarray(0, 10)]));
    expect(msgs.map((m) => [m.type, m.flags, m.seq, m.pid, m.payload.length])).toEqual([
      [2, 0, 1, 0, 4],
      [3, 2, 2, 9, 3],
    ]);
  });

  it('reads a generic netlink header and an error code', () => {
    const payload = encodeGenl(4, 1, [{ type: 1, value: u32(3) }]);
    const g = decodeGenl(payload);
    expect([g.cmd, g.version, getU32(g.attrs, 1)]).toEqual([4, 1, 3]);
    expect(decodeErrno(Buffer.from('efffffff', 'hex'))).toBe(17);
    expect(decodeErrno(Buffer.alloc(4))).toBe(0);
    expect(() => decodeErrno(Buffer.alloc(2))).toThrow();
    expect(() => decodeGenl(Buffer.alloc(3))).toThrow();
  });
});
