// Address helpers for the planner. Pure. Addresses are spelled as `ipvsadm -S -n` prints them,
// so plans, observed tables and diffs agree on one spelling per address.
import { isIPv4 } from 'node:net';
import { normalizeIp as ipvsSpelling } from './address.js';

/** One spelling per address, so that "2001:DB8::0:1" and "2001:db8::1" are the same VIP. */
export function normalizeIp(address: string): string {
  return ipvsSpelling(address) ?? address;
}

/** The address as a host prefix: /32 for IPv4, /128 for IPv6. */
export function hostPrefix(address: string): string {
  return `${normalizeIp(address)}/${isIPv4(address) ? 32 : 128}`;
}
