// The IPVS requests as bytes: what each operation sends, and the defaults ipvsadm applied
// silently (weight 1, DR/TUN port = service port, one-packet only for UDP, a full spec always).
import { describe, expect, it } from 'vitest';
import {
  IP_VS_SVC_F_ONEPACKET,
  IP_VS_SVC_F_PERSISTENT,
  IPVS_CMD,
  IPVS_CMD_ATTR,
  IPVS_DEST_ATTR,
  IPVS_SVC_ATTR,
} from '../../../src/core/ipvs/netlink/constants.js';
import {
  addressBytes,
  delDaemonMessage,
  destinationDump,
  getFamilyMessage,
  newDaemonMessage,
  operationMessage,
  operationRequest,
  schedulerFlagBits,
} from '../../../src/core/ipvs/netlink/encode.js';
import {
  decodeAttrs,
  decodeGenl,
  decodeMessages,
  encodeAttrs,
  getBe16,
  getU16,
  getU32,
} from '../../../src/core/ipvs/netlink/wire.js';
import type { IpvsOperation } from '../../../src/core/ipvs/operations.js';

const web = { protocol: 'TCP', address: '192.0.2.100', port: 80 } as const;

/** The nested service and destination attributes an operation sends. */
function sent(op: IpvsOperation) {
  const { cmd, attrs } = operationRequest(op);
  const top = decodeAttrs(encodeAttrs(attrs));
  const svc = decodeAttrs(top.get(IPVS_CMD_ATTR.SERVICE)!);
  const dest = top.has(IPVS_CMD_ATTR.DEST) ? decodeAttrs(top.get(IPVS_CMD_ATTR.DEST)!) : undefined;
  return { cmd, svc, dest };
}

describe('operation messages', () => {
  it('add-service: the whole message, byte for byte', () => {
    const bytes = operationMessage(0x24, 1001, { kind: 'add-service', service: { ...web, scheduler: 'rr' } });
    expect(bytes.toString('hex')).toBe(
      '68000000' +
        '2400' +
        '0500' +
        'e9030000' +
        '00000000' + // nlmsghdr: len 104, family 0x24, REQUEST|ACK, seq 1001
        '01010000' + // genlmsghdr: NEW_SERVICE, version 1
        '54000180' + // IPVS_CMD_ATTR_SERVICE (84 bytes), nested
        '060001000200' +
        '0000' + // AF_INET
        '060002000600' +
        '0000' + // TCP
        '14000300c0000264000000000000000000000000' + // the address as a 16-byte nf_inet_addr
        '060004000050' +
        '0000' + // port 80, big-endian
        '070006007272' +
        '0000' + // "rr"
        '0c000700' +
        '00000000' +
        'ffffffff' + // flags 0, mask all
        '080008000000' +
        '0000' + // timeout 0
        '08000900ffffffff', // netmask: the host mask
    );
  });

  it('sends persistence, its netmask, one-packet (UDP) and the scheduler flags as flag bits', () => {
    const { svc } = sent({
      kind: 'add-service',
      service: {
        protocol: 'UDP',
        address: '192.0.2.1',
        port: 53,
        scheduler: 'sh',
        schedulerFlags: ['sh-port'],
        onePacket: true,
        persistence: { timeout: 300, netmask: '255.255.255.0' },
      },
    });
    expect(svc.get(IPVS_SVC_ATTR.FLAGS)!.readUInt32LE(0)).toBe(IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_ONEPACKET | 0x10);
    expect(getU32(svc, IPVS_SVC_ATTR.TIMEOUT)).toBe(300);
    expect(svc.get(IPVS_SVC_ATTR.NETMASK)!.toString('hex')).toBe('ffffff00');
  });

  it('leaves one-packet out for TCP (ipvsadm refused it there) and uses a prefix length for IPv6', () => {
    const { svc } = sent({
      kind: 'update-service',
      service: {
        protocol: 'TCP',
        address: '2001:db8::1',
        port: 80,
        scheduler: 'wlc',
        onePacket: true,
        persistence: { timeout: 60, netmask: '64' },
      },
    });
    expect(svc.get(IPVS_SVC_ATTR.FLAGS)!.readUInt32LE(0)).toBe(IP_VS_SVC_F_PERSISTENT);
    expect(getU32(svc, IPVS_SVC_ATTR.NETMASK)).toBe(64);
    expect(getU16(svc, IPVS_SVC_ATTR.AF)).toBe(10);
    expect(svc.get(IPVS_SVC_ATTR.ADDR)!.toString('hex')).toBe('20010db8000000000000000000000001');
  });

  it('forces DR and TUN destination ports to the service port, keeps NAT ports', () => {
    const port = (forwarding: 'DR' | 'TUN' | 'NAT') =>
      getBe16(
        sent({
          kind: 'add-destination',
          service: web,
          destination: { address: '10.0.0.1', port: 8080, forwarding, weight: 1 },
        }).dest!,
        IPVS_DEST_ATTR.PORT,
      );
    expect([port('DR'), port('TUN'), port('NAT')]).toEqual([80, 80, 8080]);
  });

  it('gives a destination weight 1 when none is set, and zero thresholds', () => {
    const { dest } = sent({
      kind: 'add-destination',
      service: web,
      destination: { address: '10.0.0.1', port: 80, forwarding: 'DR' } as never,
    });
    expect(getU32(dest!, IPVS_DEST_ATTR.WEIGHT)).toBe(1);
    expect([getU32(dest!, IPVS_DEST_ATTR.U_THRESH), getU32(dest!, IPVS_DEST_ATTR.L_THRESH)]).toEqual([0, 0]);
    expect(getU32(dest!, IPVS_DEST_ATTR.FWD_METHOD)).toBe(3);
    expect(dest!.has(IPVS_DEST_ATTR.TUN_TYPE)).toBe(false);
  });

  it('sends tunnel type, port and checksum flags for TUN', () => {
    const { cmd, dest } = sent({
      kind: 'update-destination',
      service: web,
      destination: {
        address: '10.0.0.1',
        port: 80,
        forwarding: 'TUN',
        weight: 2,
        tunnelType: 'gue',
        tunnelPort: 6080,
        tunnelChecksum: 'remcsum',
      },
    });
    expect(cmd).toBe(IPVS_CMD.SET_DEST);
    expect(dest!.get(IPVS_DEST_ATTR.TUN_TYPE)![0]).toBe(1);
    expect(getBe16(dest!, IPVS_DEST_ATTR.TUN_PORT)).toBe(6080);
    expect(dest!.get(IPVS_DEST_ATTR.TUN_FLAGS)!.readUInt16LE(0)).toBe(2);
  });

  it('names only the service (and destination) in deletes', () => {
    const del = sent({ kind: 'delete-destination', service: web, destination: { address: '10.0.0.1', port: 80 } });
    expect(del.cmd).toBe(IPVS_CMD.DEL_DEST);
    expect([...del.svc.keys()]).toEqual([1, 2, 3, 4]);
    expect([...del.dest!.keys()]).toEqual([IPVS_DEST_ATTR.ADDR, IPVS_DEST_ATTR.PORT, IPVS_DEST_ATTR.ADDR_FAMILY]);
    const svc = sent({ kind: 'delete-service', service: web });
    expect([svc.cmd, [...svc.svc.keys()]]).toEqual([IPVS_CMD.DEL_SERVICE, [1, 2, 3, 4]]);
  });
});

describe('other requests', () => {
  it('asks the controller for the IPVS family', () => {
    expect(getFamilyMessage(5).toString('hex')).toBe(
      '20000000' + '1000' + '0500' + '05000000' + '00000000' + '03010000' + '0900020049505653' + '00000000',
    );
  });

  it('dumps destinations of one service with NLM_F_DUMP', () => {
    const [m] = decodeMessages(destinationDump(0x24, 9, web));
    expect([m!.type, m!.flags, m!.seq]).toEqual([0x24, 0x301, 9]);
    expect(decodeGenl(m!.payload).cmd).toBe(IPVS_CMD.GET_DEST);
  });

  it('starts and stops sync daemons by role', () => {
    const [start] = decodeMessages(newDaemonMessage(0x24, 1, { role: 'backup', interface: 'eth0', syncID: 9 }));
    const d = decodeAttrs(decodeGenl(start!.payload).attrs.get(IPVS_CMD_ATTR.DAEMON)!);
    expect([getU32(d, 1), d.get(2)!.toString('latin1'), getU32(d, 3)]).toEqual([2, 'eth0\0', 9]);
    const [stop] = decodeMessages(delDaemonMessage(0x24, 2, 'master'));
    expect(decodeGenl(stop!.payload).cmd).toBe(IPVS_CMD.DEL_DAEMON);
  });

  it('maps scheduler flag names to bits, generic or the scheduler own', () => {
    expect(schedulerFlagBits('mh', ['mh-fallback', 'mh-port'])).toBe(0x18);
    expect(schedulerFlagBits('rr', ['flag-3'])).toBe(0x20);
    expect(schedulerFlagBits('rr', ['sh-port'])).toBe(0);
  });

  it('writes addresses as bytes in network order', () => {
    expect(addressBytes('10.1.2.3').toString('hex')).toBe('0a010203');
    expect(addressBytes('::ffff:192.0.2.1').toString('hex')).toBe('00000000000000000000ffffc0000201');
    expect(() => addressBytes('nope')).toThrow();
  });
});
