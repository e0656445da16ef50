// IP address handling for the IPVS table: validation with node:net, the exact text form that
// `ipvsadm -S -n` prints (glibc inet_ntop), and the numeric order ipvsadm sorts by.
import { isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 4 | 6;

export function ipFamily(address: string): IpFamily | undefined {
  if (isIPv4(address)) return 4;
  // A zone id (fe80::1%eth0) passes isIPv6 but IPVS has no notion of it.
  if (isIPv6(address) && !address.includes('%')) return 6;
  return undefined;
}

/**
 * Remembers a pure function of an address string: the tables' canonical form and sort order are
 * computed on every pass, and 10,000 destinations repeat few distinct addresses. Bounded: forgets
 * everything past `limit` entries.
 */
function memoized<R>(fn: (address: string) => R, limit = 65_536): (address: string) => R {
  const memo = new Map<string, R>();
  return (address) => {
    const hit = memo.get(address);
    if (hit !== undefined || memo.has(address)) return hit as R;
    if (memo.size >= limit) memo.clear();
    const value = fn(address);
    memo.set(address, value);
    return value;
  };
}

/**
 * The address as ipvsadm prints it, or undefined if it is not an IP address. IPv4 passes
 * through (isIPv4 only accepts canonical dotted decimal, so no octal/hex surprises like
 * inet_aton's "192.0.2.042" = .34). IPv6 is rendered like glibc's inet_ntop: lowercase, no
 * leading zeros, the FIRST longest run of two or more zero groups compressed, and the last 32
 * bits as dotted quad for IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses.
 */
export const normalizeIp = memoized(normalizeIpOnce);

function normalizeIpOnce(address: string): string | undefined {
  const family = ipFamily(address);
  if (family === 4) return address;
  if (family === 6) return formatIpv6(ipv6Words(address));
  return undefined;
}

/** 16-bit groups of a valid IPv6 address (caller checked validity); the netlink encoder writes them as bytes. */
export function ipv6Words(address: string): number[] {
  let text = address.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    // Embedded dotted quad: rewrite it as two hex groups so one code path handles the rest.
    const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const headWords = head === '' ? [] : head.split(':').map((w) => parseInt(w, 16));
  if (rest === undefined) return headWords;
  const tailWords = rest === '' ? [] : rest.split(':').map((w) => parseInt(w, 16));
  const zeros = new Array<number>(8 - headWords.length - tailWords.length).fill(0);
  return [...headWords, ...zeros, ...tailWords];
}

export function formatIpv6(words: number[]): string {
  // Longest run of zero groups; ties keep the first one (glibc uses a strict '>').
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) [bestBase, bestLen] = [i, j - i];
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    const embedsIpv4 = bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff));
    if (i === 6 && embedsIpv4) {
      const [hi, lo] = [words[6] ?? 0, words[7] ?? 0];
      return out + `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
    }
    out += (words[i] ?? 0).toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

/**
 * Whether the kernel takes the address as a real server (ip_vs_new_dest: "address not unicast").
 * Checked on the real kernel: refused are 0.0.0.0, 224.0.0.0/4, 255.255.255.255, ::, fe80::/10,
 * ff00::/8 and IPv4-mapped ::ffff:0:0/96; taken are e.g. 0.1.2.3, 127.0.0.1, 240.0.0.1, ::1.
 * (A subnet broadcast address of a local interface is refused too; that depends on the host.)
 */
export function isUnicastDestination(address: string): boolean {
  const family = ipFamily(address);
  if (family === 4) {
    const first = Number(address.split('.')[0]);
    return address !== '0.0.0.0' && address !== '255.255.255.255' && !(first >= 224 && first <= 239);
  }
  if (family !== 6) return false;
  const w = ipv6Words(address);
  const [w0 = 0, , , , , w5 = 0] = w;
  const unspecified = w.every((x) => x === 0);
  const linkLocal = (w0 & 0xffc0) === 0xfe80;
  const multicast = (w0 & 0xff00) === 0xff00;
  const mapped = w.slice(0, 5).every((x) => x === 0) && w5 === 0xffff;
  return !(unspecified || linkLocal || multicast || mapped);
}

/**
 * A string whose plain (code unit) order is the address order: IPv4 before IPv6, then numeric.
 * Sorting by precomputed keys keeps 10,000-destination tables fast.
 * ipvsadm (libipvs) sorts the same way but computes `(int)(ntohl(a) - ntohl(b))` per 32-bit
 * word, which wraps for words 2^31 or more apart (1.0.0.1 then sorts after 200.0.0.1, fd00::
 * before 2001:db8::, and the result depends on the kernel's hash order); we use the true order.
 */
export const addressOrderKey = memoized(addressOrderKeyOnce);

function addressOrderKeyOnce(address: string): string {
  const family = ipFamily(address);
  if (family === 4)
    return (
      '4' +
      address
        .split('.')
        .map((o) => Number(o).toString(16).padStart(2, '0'))
        .join('')
    );
  if (family === 6)
    return (
      '6' +
      ipv6Words(address)
        .map((w) => w.toString(16).padStart(4, '0'))
        .join('')
    );
  // Not an address at all (only in tables that fail validation): any stable order will do.
  return '0' + address;
}

export function compareAddresses(a: string, b: string): number {
  const ka = addressOrderKey(a);
  const kb = addressOrderKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
