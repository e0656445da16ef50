// The tables that test/golden/ipvs/capture.sh programs into a real kernel, built here the way
// the operator would build them (addresses, ports and flags as the ipvsadm commands give them;
// the canonical form takes care of case, zero compression, defaults and order).
import type { IpvsTable } from '../../../src/core/ipvs/model.js';
import { dr, nat, sctp, table, tcp, tun, udp } from './builders.js';

export const GOLDEN_TABLES: Record<string, IpvsTable> = {
  basic: table(
    tcp('203.0.113.10', 443, 'wlc', {}, [
      nat('10.1.0.12', 8443, 3),
      nat('10.1.0.11', 443, 0),
      nat('10.1.0.11', 80, 65535),
      nat('10.1.0.9', 443),
    ]),
    tcp('203.0.113.10', 80, 'rr', {}, [dr('10.1.0.21', 80, 2), dr('10.1.0.20', 80)]),
    udp('203.0.113.10', 53, 'wrr', {}, [nat('10.1.0.22', 5353), nat('10.1.0.21', 53)]),
    tcp('198.51.100.5', 8080, 'lc'),
    sctp('198.51.100.7', 9000, 'rr', {}, [nat('10.1.0.31', 9000, 4)]),
    udp('198.51.100.5', 8080, 'sed'),
    tcp('198.51.100.1', 65535, 'dh'),
    tcp('198.51.100.1', 1, 'nq'),
  ),

  persistence: table(
    tcp('192.0.2.50', 8080, 'sh', { persistence: { timeout: 300, netmask: '255.255.255.0' } }, [
      dr('198.51.100.21', 8080),
    ]),
    tcp('192.0.2.51', 80, 'rr', { persistence: { timeout: 360 } }),
    tcp('192.0.2.52', 80, 'rr', { persistence: { timeout: 5, netmask: '255.255.255.255' } }),
    tcp('192.0.2.53', 80, 'lblc', { persistence: { timeout: 86400, netmask: '255.255.0.0' } }),
    tcp('192.0.2.80', 0, 'rr', { persistence: { timeout: 600 } }, [dr('198.51.100.80', 0), tun('198.51.100.81', 0)]),
    udp('192.0.2.80', 0, 'wlc', { persistence: { timeout: 120, netmask: '255.255.255.128' } }),
    tcp('2001:db8::50', 443, 'wrr', { persistence: { timeout: 60, netmask: '64' } }),
    tcp('2001:db8::51', 443, 'wrr', { persistence: { timeout: 60, netmask: '128' } }),
    tcp('2001:db8::52', 0, 'rr', { persistence: { timeout: 30 } }),
  ),

  tun: table(
    tcp('192.0.2.60', 80, 'rr', {}, [
      tun('198.51.100.61', 80, 2),
      tun('198.51.100.62', 80, 1, { tunnelType: 'ipip' }),
      tun('198.51.100.63', 80, 1, { tunnelType: 'gue', tunnelPort: 6080 }),
      tun('198.51.100.64', 80, 1, { tunnelType: 'gue', tunnelPort: 6081, tunnelChecksum: 'csum' }),
      tun('198.51.100.65', 80, 1, { tunnelType: 'gue', tunnelPort: 6082, tunnelChecksum: 'remcsum' }),
      tun('198.51.100.66', 80, 1, { tunnelType: 'gre' }),
      tun('198.51.100.67', 80, 1, { tunnelType: 'gre', tunnelChecksum: 'csum' }),
      // capture.sh asks for :8080; ipvsadm uses the service port for TUN (and DR) destinations.
      tun('198.51.100.68', 80),
      tun('2001:db8::69', 80),
    ]),
    tcp('2001:db8::60', 80, 'rr', {}, [tun('2001:db8::61', 80, 7)]),
  ),

  ipv6: table(
    tcp('2001:DB8:0:0:0:0:0:A', 80, 'rr', {}, [
      nat('2001:0db8:0000:0001:0000:0000:0000:0001', 8080),
      nat('2001:db8:0:0:1:0:0:1', 80),
      nat('2001:db8:1:0:0:1:0:0', 80),
      nat('2001:db8:1:2:3:4:0:5', 80),
      nat('64:ff9b::192.0.2.1', 80, 9),
    ]),
    udp('2001:db8::a', 53, 'rr', {}, [nat('2001:db8::b', 53)]),
    sctp('2001:db8::a', 9000, 'rr'),
    tcp('2001:db8:1::1', 80, 'wlc'),
  ),

  flags: table(
    tcp('192.0.2.70', 80, 'sh', { schedulerFlags: ['sh-fallback', 'sh-port'] }),
    tcp('192.0.2.71', 80, 'sh', { schedulerFlags: ['sh-port'] }),
    tcp('192.0.2.72', 80, 'mh', { schedulerFlags: ['mh-port', 'mh-fallback'] }),
    tcp('192.0.2.73', 80, 'mh', { schedulerFlags: ['flag-1'] }),
    tcp('192.0.2.74', 80, 'rr', { schedulerFlags: ['flag-1', 'flag-2', 'flag-3'] }),
    tcp('192.0.2.75', 80, 'sh', {
      schedulerFlags: ['sh-fallback'],
      persistence: { timeout: 60, netmask: '255.255.255.0' },
    }),
  ),

  thresholds: table(
    tcp('192.0.2.90', 80, 'wlc', {}, [
      nat('10.1.0.91', 80, 5, { upperThreshold: 100, lowerThreshold: 50 }),
      nat('10.1.0.92', 80, 1, { upperThreshold: 10 }),
    ]),
  ),

  // The firewall-mark services of fwmark.save are not in the model: they come back as foreign lines.
  fwmark: table(tcp('192.0.2.100', 80, 'rr', {}, [nat('10.1.0.103', 80)])),

  order: table(
    udp('192.0.2.2', 80, 'rr'),
    tcp('2001:db8::1', 80, 'rr'),
    tcp('192.0.2.2', 80, 'rr'),
    tcp('192.0.2.10', 80, 'rr'),
    tcp('192.0.2.2', 443, 'rr'),
    tcp('192.0.2.2', 1000, 'rr', {}, [
      nat('10.0.0.10', 1000),
      nat('10.0.0.9', 8080),
      nat('10.0.0.9', 1000),
      nat('10.0.0.9', 999),
      nat('10.0.1.0', 1000),
    ]),
    sctp('192.0.2.1', 80, 'rr'),
    udp('2001:db8::1', 80, 'rr'),
    tcp('2001:db8::1:0', 80, 'rr'),
    tcp('172.16.0.1', 80, 'rr'),
    tcp('200.0.0.1', 80, 'rr'),
  ),

  sortquirk: table(
    tcp('200.0.0.1', 80, 'rr'),
    tcp('1.0.0.1', 80, 'rr', {}, [nat('200.0.0.9', 80), nat('1.0.0.9', 80), nat('100.0.0.9', 80)]),
    tcp('100.0.0.1', 80, 'rr'),
    tcp('250.0.0.1', 80, 'rr'),
    tcp('129.0.0.1', 80, 'rr'),
    tcp('2001:db8::1', 80, 'rr'),
    tcp('fd00::1', 80, 'rr'),
    tcp('2001:db8:ffff::1', 80, 'rr'),
    tcp('2001:db8:1::1', 80, 'rr'),
  ),

  ops: table(
    udp('192.0.2.110', 5060, 'sh', {
      schedulerFlags: ['sh-port'],
      persistence: { timeout: 10, netmask: '255.255.255.0' },
      onePacket: true,
    }),
    // ipvsadm takes weights up to 2147483647 although its man page says 65535.
    udp('192.0.2.111', 5060, 'rr', { onePacket: true }, [nat('10.1.0.111', 5060, 2147483647)]),
  ),
};
