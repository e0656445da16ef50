// Each case is a behaviour a user of the operator would notice in the lines sent to ipvsadm -R.
import { describe, expect, it } from 'vitest';
import { diffTables } from '../../../src/core/ipvs/diff.js';
import type { IpvsTable } from '../../../src/core/ipvs/model.js';
import { serviceKey } from '../../../src/core/ipvs/model.js';
import { applyRestoreLines } from '../../../src/core/ipvs/restore-sim.js';
import { IpvsTableError } from '../../../src/core/ipvs/validate.js';
import { dr, nat, table, tcp, tun, udp } from './builders.js';

const web = (dests = [nat('10.0.0.1', 8080, 1), nat('10.0.0.2', 8080, 1)], extras = {}) =>
  tcp('192.0.2.10', 80, 'rr', extras, dests);
const none = { owned: new Set<string>() };
const diff = (actual: IpvsTable, desired: IpvsTable, opts = none) => diffTables(actual, desired, opts);

describe('diffTables', () => {
  it('equal tables need no lines', () => {
    expect(diff(table(web()), table(web()))).toEqual([]);
  });

  it('a new service is one -A with its full spec, then one -a per destination', () => {
    const s = udp(
      '192.0.2.53',
      53,
      'sh',
      { persistence: { timeout: 60, netmask: '255.255.255.0' }, schedulerFlags: ['sh-port'] },
      [nat('10.0.0.2', 53), nat('10.0.0.1', 53, 2)],
    );
    expect(diff(table(), table(s))).toEqual([
      '-A -u 192.0.2.53:53 -s sh -p 60 -M 255.255.255.0 -b sh-port',
      '-a -u 192.0.2.53:53 -r 10.0.0.1:53 -m -w 2',
      '-a -u 192.0.2.53:53 -r 10.0.0.2:53 -m -w 1',
    ]);
  });

  it('a weight change is one -e line carrying -m for a NAT destination', () => {
    expect(diff(table(web()), table(web([nat('10.0.0.1', 8080, 5), nat('10.0.0.2', 8080, 1)])))).toEqual([
      '-e -t 192.0.2.10:80 -r 10.0.0.1:8080 -m -w 5',
    ]);
  });

  it('an edit of a GUE tunnel destination repeats the tunnel settings (else it would become ipip)', () => {
    const gue = (w: number) =>
      tcp('192.0.2.10', 80, 'rr', {}, [
        tun('10.0.0.1', 80, w, { tunnelType: 'gue', tunnelPort: 6080, tunnelChecksum: 'csum' }),
      ]);
    expect(diff(table(gue(1)), table(gue(2)))).toEqual([
      '-e -t 192.0.2.10:80 -r 10.0.0.1:80 -i -w 2 --tun-type gue --tun-port 6080 --tun-csum',
    ]);
  });

  it('an edit repeats nonzero thresholds (ipvsadm -e would zero them)', () => {
    const s = (w: number) => web([nat('10.0.0.1', 8080, w, { upperThreshold: 100, lowerThreshold: 10 })]);
    expect(diff(table(s(1)), table(s(2)))).toEqual(['-e -t 192.0.2.10:80 -r 10.0.0.1:8080 -m -w 2 -x 100 -y 10']);
  });

  it('a forwarding change (NAT to TUN at the same address and port) is an -e, not a delete and add', () => {
    const before = tcp('192.0.2.10', 80, 'rr', {}, [nat('10.0.0.1', 80)]);
    const after = tcp('192.0.2.10', 80, 'rr', {}, [tun('10.0.0.1', 80)]);
    expect(diff(table(before), table(after))).toEqual(['-e -t 192.0.2.10:80 -r 10.0.0.1:80 -i -w 1 --tun-type ipip']);
  });

  it('dropping persistence is one -E with the full spec and no -p', () => {
    expect(diff(table(web(undefined, { persistence: { timeout: 300 } })), table(web()))).toEqual([
      '-E -t 192.0.2.10:80 -s rr',
    ]);
  });

  it('a scheduler change keeps persistence and flags on the -E line (ipvsadm -E resets what it is not given)', () => {
    const extras = { persistence: { timeout: 300, netmask: '255.255.255.0' }, schedulerFlags: ['flag-2'] };
    expect(
      diff(table(web(undefined, extras)), table(tcp('192.0.2.10', 80, 'wrr', extras, web().destinations))),
    ).toEqual(['-E -t 192.0.2.10:80 -s wrr -p 300 -M 255.255.255.0 -b flag-2']);
  });

  it('a service edit comes first, then removed, changed and added destinations', () => {
    const desired = tcp('192.0.2.10', 80, 'wlc', {}, [nat('10.0.0.2', 8080, 7), nat('10.0.0.3', 8080, 1)]);
    expect(diff(table(web()), table(desired))).toEqual([
      '-E -t 192.0.2.10:80 -s wlc',
      '-d -t 192.0.2.10:80 -r 10.0.0.1:8080',
      '-e -t 192.0.2.10:80 -r 10.0.0.2:8080 -m -w 7',
      '-a -t 192.0.2.10:80 -r 10.0.0.3:8080 -m -w 1',
    ]);
  });

  it('a service owned by someone else is never touched', () => {
    const kubeProxy = tcp('10.96.0.1', 443, 'rr', {}, [nat('172.18.0.2', 6443)]);
    expect(diff(table(kubeProxy, web()), table())).toEqual([]);
    expect(diff(table(kubeProxy), table(web()))).toEqual([
      '-A -t 192.0.2.10:80 -s rr',
      '-a -t 192.0.2.10:80 -r 10.0.0.1:8080 -m -w 1',
      '-a -t 192.0.2.10:80 -r 10.0.0.2:8080 -m -w 1',
    ]);
  });

  it('a service we own that is no longer desired is deleted with -D (its destinations go with it)', () => {
    const owned = { owned: new Set([serviceKey(web())]) };
    expect(diff(table(web()), table(), owned)).toEqual(['-D -t 192.0.2.10:80']);
  });

  it("an owned key written with another IPv6 spelling still matches the kernel's service", () => {
    const v6 = tcp('2001:db8::a', 80, 'rr');
    expect(diff(table(v6), table(), { owned: new Set(['TCP/[2001:DB8:0::A]:80']) })).toEqual([
      '-D -t [2001:db8::a]:80',
    ]);
  });

  it('an owned key that is not in the kernel produces nothing', () => {
    expect(diff(table(), table(), { owned: new Set(['TCP/192.0.2.99:80']) })).toEqual([]);
  });

  it('IPv6 addresses are compared and written as ipvsadm prints them', () => {
    const actual = table(tcp('2001:db8::10', 80, 'rr', {}, [dr('2001:db8::21', 80)]));
    const desired = table(tcp('2001:DB8:0:0::10', 80, 'rr', {}, [dr('2001:0db8::0021', 80, 3)]));
    expect(diff(actual, desired)).toEqual(['-e -t [2001:db8::10]:80 -r [2001:db8::21]:80 -g -w 3']);
  });

  it('never emits -C, even when everything we own goes away', () => {
    const a = table(web(), tcp('192.0.2.11', 80, 'rr'), udp('192.0.2.12', 53, 'rr'));
    const lines = diff(a, table(), { owned: new Set(a.services.map(serviceKey)) });
    expect(lines).toEqual(['-D -t 192.0.2.10:80', '-D -t 192.0.2.11:80', '-D -u 192.0.2.12:53']);
    expect(lines.some((l) => l.startsWith('-C'))).toBe(false);
  });

  it('the same input gives the same lines whatever the input order', () => {
    const d1 = [nat('10.0.0.9', 80), nat('10.0.0.10', 80)];
    const a = table(tcp('192.0.2.2', 80, 'rr'), tcp('192.0.2.1', 80, 'rr', {}, d1));
    const b = table(tcp('192.0.2.1', 80, 'rr', {}, [...d1].reverse()), tcp('192.0.2.2', 80, 'rr'));
    expect(diff(table(), a)).toEqual(diff(table(), b));
  });

  it('with actualLacksThresholds a threshold-only difference is not planned, other edits still carry them', () => {
    const desired = table(web([nat('10.0.0.1', 8080, 1, { upperThreshold: 50 })]));
    const readBack = table(web([nat('10.0.0.1', 8080, 1)]));
    expect(diff(readBack, desired)).toEqual(['-e -t 192.0.2.10:80 -r 10.0.0.1:8080 -m -w 1 -x 50']);
    expect(diffTables(readBack, desired, { owned: new Set(), actualLacksThresholds: true })).toEqual([]);
    const heavier = table(web([nat('10.0.0.1', 8080, 2, { upperThreshold: 50 })]));
    expect(diffTables(readBack, heavier, { owned: new Set(), actualLacksThresholds: true })).toEqual([
      '-e -t 192.0.2.10:80 -r 10.0.0.1:8080 -m -w 2 -x 50',
    ]);
  });

  it('the plan applied by the simulator gives the desired table', () => {
    const actual = table(web(), tcp('10.96.0.1', 443, 'rr'));
    const desired = table(tcp('192.0.2.10', 80, 'sh', { schedulerFlags: ['sh-port'] }, [dr('10.0.0.2', 80)]));
    const result = applyRestoreLines(actual, diff(actual, desired));
    expect(result.services.find((s) => s.address === '192.0.2.10')).toEqual(desired.services[0]);
  });
});

describe('diffTables refuses a desired table that could not be programmed or would never read back', () => {
  it.each([
    [
      'a DR destination on another port than the service',
      table(tcp('192.0.2.1', 80, 'rr', {}, [dr('10.0.0.1', 8080)])),
    ],
    ['port 0 without persistence', table(tcp('192.0.2.1', 0, 'rr'))],
    ['weight above 65535', table(tcp('192.0.2.1', 80, 'rr', {}, [nat('10.0.0.1', 80, 65536)]))],
    [
      'lower threshold without upper',
      table(tcp('192.0.2.1', 80, 'rr', {}, [nat('10.0.0.1', 80, 1, { lowerThreshold: 5 })])),
    ],
    ['IPv6 NAT destination of an IPv4 service', table(tcp('192.0.2.1', 80, 'rr', {}, [nat('2001:db8::1', 80)]))],
    ['the same service twice', table(tcp('2001:db8::1', 80, 'rr'), tcp('2001:DB8::1', 80, 'wlc'))],
    [
      'a gue tunnel without port',
      table(tcp('192.0.2.1', 80, 'rr', {}, [tun('10.0.0.1', 80, 1, { tunnelType: 'gue' })])),
    ],
    ["a timeout above ipvsadm's 2678400 s", table(tcp('192.0.2.1', 80, 'rr', { persistence: { timeout: 2678401 } }))],
    ['one-packet scheduling on TCP', table(tcp('192.0.2.1', 80, 'rr', { onePacket: true }))],
    ['a flag of another scheduler', table(tcp('192.0.2.1', 80, 'rr', { schedulerFlags: ['mh-port'] }))],
    ['an invalid address', table(tcp('192.0.2.300', 80, 'rr'))],
    [
      'a multicast real server (the kernel says: address not unicast)',
      table(tcp('192.0.2.1', 80, 'rr', {}, [nat('239.1.1.1', 80)])),
    ],
    ['an IPv4-mapped IPv6 real server', table(tcp('2001:db8::1', 80, 'rr', {}, [nat('::ffff:10.0.0.1', 80)]))],
    [
      'flag-3 on sh, which ipvsadm -S cannot show (the plan would never converge)',
      table(tcp('192.0.2.1', 80, 'sh', { schedulerFlags: ['flag-3'] })),
    ],
    ['IPv6 persistence netmask 0', table(tcp('2001:db8::1', 80, 'rr', { persistence: { timeout: 60, netmask: '0' } }))],
  ])('%s', (_what, desired) => {
    expect(() => diff(table(), desired)).toThrow(IpvsTableError);
  });
});
