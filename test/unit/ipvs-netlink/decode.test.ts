// Replies read into the model: every field the kernel sends, the bits masked off, what is left
// out, and the errno wording per operation. The real kernel's bytes are in captured.test.ts;
// these build replies by hand for the cases a capture does not hold.
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  IPVS_CMD,
  IPVS_CMD_ATTR,
  IPVS_DEST_ATTR,
  IPVS_STATS_ATTR,
  IPVS_SVC_ATTR,
} from '../../../src/core/ipvs/netlink/constants.js';
import {
  addressText,
  decodeDaemon,
  decodeDestination,
  decodeFamilyId,
  decodeInfo,
  decodeService,
  serviceFamily,
} from '../../../src/core/ipvs/netlink/decode.js';
import { serviceSpecAttrs } from '../../../src/core/ipvs/netlink/encode.js';
import { errnoText, operationError } from '../../../src/core/ipvs/netlink/errors.js';
import { be16, cstring, encodeGenl, u16, u32, type NlAttr } from '../../../src/core/ipvs/netlink/wire.js';

const u64 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
};
const reply = (cmd: number, type: number, attrs: NlAttr[]) => encodeGenl(cmd, 1, [{ type, value: attrs }]);
const serviceReply = (attrs: NlAttr[]) => reply(IPVS_CMD.NEW_SERVICE, IPVS_CMD_ATTR.SERVICE, attrs);

/** A service's attributes as sent, with the flags word replaced (the kernel adds HASHED). */
function withFlags(attrs: NlAttr[], flags: number): NlAttr[] {
  return attrs.map((a) => (a.type === IPVS_SVC_ATTR.FLAGS ? { ...a, value: Buffer.concat([u32(flags), u32(~0)]) } : a));
}

describe('decodeService', () => {
  it('reads back what was sent, with HASHED (0x2) masked off and scheduler bits as generic names', () => {
    const spec = { protocol: 'UDP' as const, address: '192.0.2.1', port: 53, scheduler: 'mh' };
    const attrs = withFlags(
      serviceSpecAttrs({ ...spec, persistence: { timeout: 60, netmask: '255.255.0.0' } }),
      0x1 | 0x2 | 0x4 | 0x8,
    );
    expect(decodeService(serviceReply(attrs))).toEqual({
      ...spec,
      schedulerFlags: ['flag-1'],
      persistence: { timeout: 60, netmask: '255.255.0.0' },
      onePacket: true,
      destinations: [],
    });
  });

  it('ignores timeout and netmask without the persistent flag; IPv6 netmask is a prefix length', () => {
    const plain = serviceSpecAttrs({ protocol: 'TCP', address: '2001:db8::1', port: 80, scheduler: 'rr' });
    expect(decodeService(serviceReply(withFlags(plain, 0x2)))).toEqual({
      protocol: 'TCP',
      address: '2001:db8::1',
      port: 80,
      scheduler: 'rr',
      destinations: [],
    });
    const persistent = serviceSpecAttrs({
      protocol: 'TCP',
      address: '2001:db8::1',
      port: 80,
      scheduler: 'rr',
      persistence: { timeout: 9, netmask: '48' },
    });
    expect(decodeService(serviceReply(persistent))?.persistence).toEqual({ timeout: 9, netmask: '48' });
    expect(serviceFamily(serviceReply(persistent))).toBe(AF_INET6);
  });

  it('leaves out firewall-mark services and protocols the model has no name for', () => {
    const fwmark: NlAttr[] = [
      { type: IPVS_SVC_ATTR.AF, value: u16(AF_INET) },
      { type: IPVS_SVC_ATTR.FWMARK, value: u32(5) },
      { type: IPVS_SVC_ATTR.SCHED_NAME, value: cstring('rr') },
    ];
    expect(decodeService(serviceReply(fwmark))).toBeUndefined();
    const icmp = serviceSpecAttrs({ protocol: 'TCP', address: '192.0.2.1', port: 0, scheduler: 'rr' }).map((a) =>
      a.type === IPVS_SVC_ATTR.PROTOCOL ? { ...a, value: u16(1) } : a,
    );
    expect(decodeService(serviceReply(icmp))).toBeUndefined();
    expect(() => decodeService(encodeGenl(IPVS_CMD.NEW_SERVICE, 1, []))).toThrow(/IPVS_CMD_ATTR_SERVICE/);
  });
});

describe('decodeDestination', () => {
  const dest = (extra: NlAttr[], fwd = 3) =>
    reply(IPVS_CMD.NEW_DEST, IPVS_CMD_ATTR.DEST, [
      { type: IPVS_DEST_ATTR.ADDR, value: Buffer.concat([Buffer.from([10, 0, 0, 1]), Buffer.alloc(12)]) },
      { type: IPVS_DEST_ATTR.PORT, value: be16(80) },
      { type: IPVS_DEST_ATTR.FWD_METHOD, value: u32(fwd) },
      { type: IPVS_DEST_ATTR.WEIGHT, value: u32(4) },
      { type: IPVS_DEST_ATTR.ACTIVE_CONNS, value: u32(2) },
      { type: IPVS_DEST_ATTR.INACT_CONNS, value: u32(5) },
      ...extra,
    ]);

  it('reads weight, connections, and STATS64 before STATS', () => {
    const stats64: NlAttr = {
      type: IPVS_DEST_ATTR.STATS64,
      value: [1, 2, 3, 4, 5].map((t) => ({ type: t, value: u64(t * 2 ** 33) })),
    };
    const stats: NlAttr = { type: IPVS_DEST_ATTR.STATS, value: [{ type: IPVS_STATS_ATTR.CONNS, value: u32(1) }] };
    const d = decodeDestination(dest([stats, stats64]), AF_INET)!;
    expect(d.destination).toEqual({ address: '10.0.0.1', port: 80, forwarding: 'DR', weight: 4 });
    expect([d.activeConnections, d.inactiveConnections]).toEqual([2, 5]);
    expect(d.counters).toEqual({
      connections: 2 ** 33,
      inPackets: 2 ** 34,
      outPackets: 3 * 2 ** 33,
      inBytes: 2 ** 35,
      outBytes: 5 * 2 ** 33,
    });
  });

  it('reads 32-bit STATS when that is all the kernel gives, zeros when none', () => {
    const stats: NlAttr = {
      type: IPVS_DEST_ATTR.STATS,
      value: [
        { type: IPVS_STATS_ATTR.CONNS, value: u32(7) },
        { type: IPVS_STATS_ATTR.INPKTS, value: u32(8) },
        { type: IPVS_STATS_ATTR.INBYTES, value: u64(900) },
      ],
    };
    expect(decodeDestination(dest([stats]), AF_INET)!.counters).toEqual({
      connections: 7,
      inPackets: 8,
      outPackets: 0,
      inBytes: 900,
      outBytes: 0,
    });
    expect(decodeDestination(dest([]), AF_INET)!.counters.connections).toBe(0);
  });

  it('reads thresholds and a TUN destination with its tunnel; no tunnel fields for ipip', () => {
    const gre = decodeDestination(
      dest(
        [
          { type: IPVS_DEST_ATTR.U_THRESH, value: u32(10) },
          { type: IPVS_DEST_ATTR.L_THRESH, value: u32(3) },
          { type: IPVS_DEST_ATTR.TUN_TYPE, value: Buffer.from([2]) },
          { type: IPVS_DEST_ATTR.TUN_FLAGS, value: u16(1) },
        ],
        2,
      ),
      AF_INET,
    )!;
    expect(gre.destination).toEqual({
      address: '10.0.0.1',
      port: 80,
      forwarding: 'TUN',
      weight: 4,
      upperThreshold: 10,
      lowerThreshold: 3,
      tunnelType: 'gre',
      tunnelChecksum: 'csum',
    });
    const ipip = decodeDestination(dest([{ type: IPVS_DEST_ATTR.TUN_TYPE, value: Buffer.from([0]) }], 2), AF_INET)!;
    expect(ipip.destination).toEqual({ address: '10.0.0.1', port: 80, forwarding: 'TUN', weight: 4 });
  });

  it('leaves out forwarding methods the model has no name for (local node, bypass)', () => {
    expect(decodeDestination(dest([], 1), AF_INET)).toBeUndefined();
    expect(decodeDestination(dest([], 4), AF_INET)).toBeUndefined();
  });
});

describe('other replies', () => {
  it('spells addresses as ipvsadm prints them', () => {
    expect(addressText(Buffer.from('20010db8000000000000000000000010', 'hex'), AF_INET6)).toBe('2001:db8::10');
    expect(addressText(Buffer.from('00000000000000000000ffffc0000201', 'hex'), AF_INET6)).toBe('::ffff:192.0.2.1');
    expect(() => addressText(Buffer.alloc(4), AF_INET6)).toThrow();
  });

  it('reads daemons, GET_INFO and the family id', () => {
    const daemon = reply(IPVS_CMD.NEW_DAEMON, IPVS_CMD_ATTR.DAEMON, [
      { type: 1, value: u32(2) },
      { type: 2, value: cstring('eth1') },
      { type: 3, value: u32(12) },
    ]);
    expect(decodeDaemon(daemon)).toEqual({ role: 'backup', interface: 'eth1', syncID: 12 });
    expect(
      decodeDaemon(reply(IPVS_CMD.NEW_DAEMON, IPVS_CMD_ATTR.DAEMON, [{ type: 1, value: u32(0) }])),
    ).toBeUndefined();
    const info = encodeGenl(IPVS_CMD.SET_INFO, 1, [
      { type: 1, value: u32(0x010201) },
      { type: 2, value: u32(4096) },
    ]);
    expect(decodeInfo(info)).toEqual({ version: '1.2.1', connTableSize: 4096 });
    expect(decodeFamilyId(encodeGenl(1, 2, [{ type: 1, value: u16(0x24) }]))).toBe(0x24);
    expect(() => decodeFamilyId(encodeGenl(1, 2, []))).toThrow();
  });
});

describe('errors per operation', () => {
  const web = { protocol: 'TCP' as const, address: '192.0.2.1', port: 80 };
  const d = { address: '10.0.0.1', port: 80 };
  it.each([
    [
      { kind: 'add-service', service: { ...web, scheduler: 'twos' } },
      2,
      'ENOENT (No such file or directory): the kernel has no IPVS scheduler twos (module ip_vs_twos)',
    ],
    [
      { kind: 'add-service', service: { ...web, scheduler: 'rr' } },
      17,
      'EEXIST (File exists): the service already exists',
    ],
    [
      { kind: 'add-destination', service: web, destination: { ...d, forwarding: 'DR', weight: 1 } },
      17,
      'EEXIST (File exists): the destination already exists',
    ],
    [
      { kind: 'delete-destination', service: web, destination: d },
      2,
      'ENOENT (No such file or directory): no such destination',
    ],
    [{ kind: 'delete-service', service: web }, 3, 'ESRCH (No such process): no such service'],
    [
      { kind: 'update-destination', service: web, destination: { ...d, forwarding: 'DR', weight: 1 } },
      22,
      'EINVAL (Invalid argument)',
    ],
  ] as const)('%j errno %i: %s', (op, errno, text) => {
    expect(operationError(op, errno)).toBe(text);
  });

  it('names an errno it does not know by number', () => {
    expect(errnoText(200)).toBe('errno 200');
  });
});
