// IP address facts the cross-object checks need: one spelling per address, so that 2001:db8::1 and
// 2001:DB8:0:0::1 are recognised as the same VIP.
import { isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 'IPv4' | 'IPv6';

export function ipFamily(address: string): IpFamily | undefined {
  return isIPv4(address) ? 'IPv4' : isIPv6(address) ? 'IPv6' : undefined;
}

/** A canonical spelling: IPv4 as is, IPv6 as eight lower-case 4-digit groups. Non-IPs unchanged. */
export function canonicalIp(address: string): string {
  if (!isIPv6(address)) return address;
  let text = address.toLowerCase();
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two hex groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => g.padStart(4, '0')).join(':');
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
