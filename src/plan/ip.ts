// Address helpers shared by the planner and validation. Pure.
import { isIPv4, isIPv6 } from 'node:net';

/** One spelling per address, so that "2001:DB8::0:1" and "2001:db8::1" are the same VIP. */
export function normalizeIp(address: string): string {
  if (!isIPv6(address)) return address;
  // URL's host parser gives the canonical compressed lowercase form (RFC 5952).
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** The address as a host prefix: /32 for IPv4, /128 for IPv6. */
export function hostPrefix(address: string): string {
  return `${normalizeIp(address)}/${isIPv4(address) ? 32 : 128}`;
}

export function isIp(address: string): boolean {
  return isIPv4(address) || isIPv6(address);
}
