// The IP helpers, checked against the WHATWG URL parser's IPv6 serialisation as an oracle.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalIp, isContiguousNetmask, sameIp } from '../../../src/core/api/validate/ip.js';

const urlForm = (v6: string) => new URL(`http://[${v6}]/`).hostname.slice(1, -1);

describe('canonicalIp', () => {
  it('gives two IPv6 spellings the same form exactly when they are the same address', () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.ipV6(), (a, b) => {
        expect(sameIp(a, urlForm(a))).toBe(true);
        expect(sameIp(a, b)).toBe(urlForm(a) === urlForm(b));
      }),
    );
  });

  it('reads embedded IPv4 tails and leaves IPv4 alone', () => {
    expect(sameIp('::ffff:192.0.2.1', '::FFFF:c000:201')).toBe(true);
    expect(canonicalIp('::ffff:c000:201')).toBe('::ffff:192.0.2.1');
    expect(canonicalIp('192.0.2.1')).toBe('192.0.2.1');
    expect(sameIp('2001:DB8::1', '2001:db8:0:0:0:0:0:1')).toBe(true);
  });
});

describe('isContiguousNetmask', () => {
  it('accepts ones-then-zeros masks only', () => {
    for (let bits = 0; bits <= 32; bits++) {
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      const dotted = [24, 16, 8, 0].map((s) => (mask >>> s) & 255).join('.');
      expect(isContiguousNetmask(dotted), dotted).toBe(true);
    }
    expect(isContiguousNetmask('255.0.255.0')).toBe(false);
    expect(isContiguousNetmask('0.255.255.255')).toBe(false);
    expect(isContiguousNetmask('255.255.254.1')).toBe(false);
  });
});
