import { describe, expect, it } from 'vitest';
import { compareAddresses, isUnicastDestination, normalizeIp } from '../../../src/core/net/address.js';

describe('normalizeIp writes addresses the way ipvsadm (glibc inet_ntop) prints them', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['2001:DB8:0:0:0:0:0:A', '2001:db8::a'],
    ['2001:0db8:0000:0001:0000:0000:0000:0001', '2001:db8:0:1::1'],
    // two equally long zero runs: the first one is compressed
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:1:0:0:1:0:0', '2001:db8:1::1:0:0'],
    // a single zero group is never compressed
    ['2001:db8:1:2:3:4:0:5', '2001:db8:1:2:3:4:0:5'],
    // an embedded IPv4 address is printed in hex unless the address is IPv4-mapped/compatible
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
    ['::ffff:192.0.2.99', '::ffff:192.0.2.99'],
    ['::ffff:c000:263', '::ffff:192.0.2.99'],
    ['::192.0.2.98', '::192.0.2.98'],
    ['::1', '::1'],
    ['::', '::'],
    ['1::', '1::'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['fe80::0001', 'fe80::1'],
  ])('%s -> %s', (input, printed) => {
    expect(normalizeIp(input)).toBe(printed);
  });

  it.each([
    '',
    '192.0.2.042',
    '192.0.2.256',
    '1.2.3',
    'fe80::1%eth0',
    '[::1]',
    '2001:db8::g',
    'localhost',
    '::ffff:1.2.3',
  ])('rejects %j', (input) => {
    expect(normalizeIp(input)).toBeUndefined();
  });
});

describe('compareAddresses', () => {
  it('puts IPv4 before IPv6 and compares numerically, also across the 2^31 boundary', () => {
    const sorted = ['fd00::1', '200.0.0.1', '2001:db8::1', '1.0.0.1', '10.0.0.9', '10.0.0.10', '2001:db8:ffff::1'].sort(
      compareAddresses,
    );
    expect(sorted).toEqual([
      '1.0.0.1',
      '10.0.0.9',
      '10.0.0.10',
      '200.0.0.1',
      '2001:db8::1',
      '2001:db8:ffff::1',
      'fd00::1',
    ]);
  });
});

describe('isUnicastDestination: what the kernel takes as a real server (probed in the lab VM)', () => {
  it.each(['0.1.2.3', '127.0.0.1', '240.0.0.1', '10.0.0.1', '::1', '64:ff9b::a00:1', '2001:db8::1', '::192.0.2.1'])(
    'takes %s',
    (a) => {
      expect(isUnicastDestination(a)).toBe(true);
    },
  );
  it.each([
    '0.0.0.0',
    '224.0.0.1',
    '239.1.1.1',
    '255.255.255.255',
    '::',
    'fe80::1',
    'febf::1',
    'ff02::1',
    '::ffff:10.0.0.1',
    'nonsense',
  ])('refuses %s', (a) => {
    expect(isUnicastDestination(a)).toBe(false);
  });
});
