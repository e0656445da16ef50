// parseIpAddrJson on output captured from iproute2 6.1 (Debian 12) on a 6.18 kernel:
//   ip-addr-fresh-netns.txt     `ip -n NS -j addr show` in a new netns (lo down, no address)
//   ip-addr-dr-real-server.txt  the same netns as a DR real server: lo up with the VIPs
//                               172.16.40.160/32 and 2001:db8:40::160/128, a veth pair
//                               ens192/eth0, 192.0.2.10/24 brd + and 2001:db8::10/64 nodad on ens192
//   ip-addr-host.txt            `ip -j addr show` of the machine itself
// Kept as .txt, byte for byte as ip printed them (prettier would reformat .json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addressPlansOf, canonicalAddress } from '../../../src/node/dataplane/addresses.js';
import { parseIpAddrJson as parseLinks } from '../../../src/node/dataplane/ip-addr.js';
import { isValidInterfaceName } from '../../../src/core/api/vrrp.js';

/** The one parser, seen as the address driver reads it. */
const parseIpAddrJson = (text: string) => addressPlansOf(parseLinks(text));

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

describe('parseIpAddrJson', () => {
  it('a fresh network namespace has no address', () => {
    expect(parseIpAddrJson(fixture('ip-addr-fresh-netns.txt'))).toEqual([]);
  });

  it('a DR real server: every address with its device and prefix, peers named by ifname only', () => {
    expect(parseIpAddrJson(fixture('ip-addr-dr-real-server.txt'))).toEqual([
      { interface: 'lo', address: '127.0.0.1/8' },
      { interface: 'lo', address: '172.16.40.160/32' },
      { interface: 'lo', address: '2001:db8:40::160/128' },
      { interface: 'lo', address: '::1/128' },
      { interface: 'eth0', address: 'fe80::5c49:5ff:feaa:5db2/64' },
      { interface: 'ens192', address: '192.0.2.10/24' },
      { interface: 'ens192', address: '2001:db8::10/64' },
      { interface: 'ens192', address: 'fe80::cc8:faff:fed1:40d0/64' },
    ]);
  });

  it('the host', () => {
    expect(parseIpAddrJson(fixture('ip-addr-host.txt'))).toEqual([
      { interface: 'lo', address: '127.0.0.1/8' },
      { interface: 'lo', address: '::1/128' },
      { interface: 'eth0', address: '192.0.2.2/24' },
      { interface: 'eth0', address: 'fd00::2/64' },
      { interface: 'eth0', address: 'fe80::fc:ff:fe00:1/64' },
    ]);
  });

  it('tolerates the empty objects of older iproute2 and entries without an address', () => {
    const text = JSON.stringify([
      {},
      { ifname: 'lo', addr_info: [{}, { family: 'inet', local: '127.0.0.1', prefixlen: 8 }] },
      { ifname: 'eth0' },
    ]);
    expect(parseIpAddrJson(text)).toEqual([{ interface: 'lo', address: '127.0.0.1/8' }]);
  });

  it('writes IPv6 in one spelling', () => {
    const text = JSON.stringify([{ ifname: 'lo', addr_info: [{ local: '2001:DB8:0::0:1', prefixlen: 128 }] }]);
    expect(parseIpAddrJson(text)).toEqual([{ interface: 'lo', address: '2001:db8::1/128' }]);
  });

  it('rejects what is not a JSON array', () => {
    expect(() => parseIpAddrJson('{}')).toThrow(/JSON array/);
    expect(() => parseIpAddrJson('Object "addr" is unknown')).toThrow();
  });
});

describe('validation before anything runs', () => {
  it.each(['lo', 'eth0', 'ens192', 'ens192.100', 'tunl0', 'br-lan_1', 'a23456789012345'])('device %s', (name) => {
    expect(isValidInterfaceName(name)).toBe(true);
  });

  it.each(['', '-lo', '.', '..', 'a234567890123456', 'eth 0', 'eth0/1', 'eth0;reboot', 'lo\n', 'eth:0'])(
    'not a device: %j',
    (name) => {
      expect(isValidInterfaceName(name)).toBe(false);
    },
  );

  it.each([
    ['172.16.40.160/32', '172.16.40.160/32'],
    ['10.0.0.1/0', '10.0.0.1/0'],
    ['2001:DB8::0:1/128', '2001:db8::1/128'],
    ['::1/64', '::1/64'],
  ])('address %s', (address, canonical) => {
    expect(canonicalAddress({ interface: 'lo', address })).toEqual({ interface: 'lo', address: canonical });
  });

  it.each([
    '172.16.40.160',
    '172.16.40.160/33',
    '2001:db8::1/129',
    '172.16.40.160/032',
    '172.16.40.160/-1',
    '256.1.1.1/32',
    '172.16.40.160/32/1',
    '-1/32',
    'example.com/32',
    '172.16.40.160 /32',
  ])('not an address: %j', (address) => {
    expect(canonicalAddress({ interface: 'lo', address })).toBeUndefined();
  });

  it('an invalid device makes the address invalid', () => {
    expect(canonicalAddress({ interface: 'lo;x', address: '172.16.40.160/32' })).toBeUndefined();
  });
});
