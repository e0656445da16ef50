// The --metrics-address flag: HOST:PORT with an IPv4 or bracketed IPv6 literal, or `off`. Pure.
// Only literals: a name would be resolved at bind time, and a typo would then show up as a
// metrics endpoint that is silently elsewhere.
import { UsageError } from './flags.js';
import { ipFamily } from '../core/net/address.js';

export interface ListenAddress {
  /** An IPv4 or IPv6 literal, without brackets. */
  host: string;
  port: number;
}

export const AGENT_METRICS_ADDRESS = '0.0.0.0:9641';
export const CONTROLLER_METRICS_ADDRESS = '0.0.0.0:8080';

/** undefined for `off`; throws a UsageError naming the flag, the value and what is wrong with it. */
export function parseMetricsAddress(value: string, flag = '--metrics-address'): ListenAddress | undefined {
  if (value === 'off') return undefined;
  const refuse = (why: string): never => {
    throw new UsageError(
      `${flag} must be HOST:PORT (an IPv4 address or an IPv6 one in brackets, a port 1-65535) or off: ${why} (got ${JSON.stringify(value)})`,
    );
  };
  const m = /^\[([^\]]*)\]:([^:]*)$/.exec(value) ?? /^([^:[\]]*):([^:]*)$/.exec(value);
  if (!m) return refuse(value.includes(':') && !value.startsWith('[') ? 'an IPv6 host needs brackets' : 'no port');
  const host = m[1]!;
  const port = m[2]!;
  const family = value.startsWith('[') ? 6 : 4;
  if (ipFamily(host) !== family) return refuse(`${JSON.stringify(host)} is not an IPv${family} address`);
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)
    return refuse(`the port ${JSON.stringify(port)} is not 1-65535`);
  return { host, port: Number(port) };
}
