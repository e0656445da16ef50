import { describe, expect, it } from 'vitest';
import { usableVrrpPassword } from '../../../src/core/api/vrrp.js';

describe('usableVrrpPassword', () => {
  it('keeps the first 8 characters, as keepalived does', () => {
    expect(usableVrrpPassword('s3cret')).toBe('s3cret');
    expect(usableVrrpPassword('0123456789')).toBe('01234567');
  });

  it('refuses what keepalived.conf cannot hold, bare or in double quotes', () => {
    for (const p of ['', 'a"b', 'a\nb', 'a\tb', 'ab\\', 'é b']) expect(usableVrrpPassword(p)).toBe(undefined);
  });

  it('takes blanks, comment marks, braces and single quotes, which keepalived reads inside double quotes', () => {
    for (const p of ['a b', 'a#b', 'a!b', 'a{b', 'a}b', "a'b"]) expect(usableVrrpPassword(p)).toBe(p);
  });
});
