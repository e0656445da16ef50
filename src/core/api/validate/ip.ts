// IP address facts the cross-object checks need: one spelling per address, so that 2001:db8::1 and
// 2001:DB8:0:0::1 are recognised as the same VIP.
import { isIPv4, isIPv6 } from 'node:net';
import { normalizeIp } from '../../net/address.js';

export type IpFamily = 'IPv4' | 'IPv6';

export function ipFamily(address: string): IpFamily | undefined {
  return isIPv4(address) ? 'IPv4' : isIPv6(address) ? 'IPv6' : undefined;
}

/** One spelling per address (the one `ipvsadm -S -n` prints); non-IPs unchanged. */
export function canonicalIp(address: string): string {
  return normalizeIp(address) ?? address;
}

export function sameIp(a: string, b: string): boolean {
  return canonicalIp(a) === canonicalIp(b);
}

/** Whether a dotted IPv4 netmask is contiguous ones then zeros (255.255.0.0 yes, 255.0.255.0 no). */
export function isContiguousNetmask(mask: string): boolean {
  const octets = mask.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return false;
  const bits = octets.reduce((acc, o) => acc * 256 + o, 0);
  const inverted = 0xffffffff - bits;
  // ones-then-zeros <=> the inverted mask is 2^k - 1
  return (inverted & (inverted + 1)) === 0;
}
