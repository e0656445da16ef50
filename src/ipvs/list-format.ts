// Connection counts from `ipvsadm -L -n` (the default listing): per destination, the active and
// inactive connections the kernel holds. `ipvsadm -S` has no counts; this listing is read only
// when a destination may need to drain (see drain.ts). Pure.
//
//   IP Virtual Server version 1.2.1 (size=4096)
//   Prot LocalAddress:Port Scheduler Flags
//     -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
//   TCP  192.0.2.100:80 rr persistent 5
//     -> 192.0.2.11:80                Route   1      2          7
//   FWM  1 rr                          (firewall-mark services are skipped)
import { normalizeIp } from './address.js';
import { drainKey } from './drain.js';
import { formatHostPort } from './model.js';

/** `[v6]:port` or `v4:port` in the kernel's spelling, or undefined. */
function hostPort(text: string): string | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  const address = m && normalizeIp(m[1]!);
  return address ? formatHostPort(address, Number(m[2])) : undefined;
}

/** drainKey -> active + inactive connections. */
export function parseConnectionCounts(listing: string): Map<string, number> {
  const out = new Map<string, number>();
  let service: string | undefined;
  for (const line of listing.split('\n')) {
    const head = /^(TCP|UDP|SCTP|FWM)\s+(\S+)/.exec(line);
    if (head) {
      const hp = head[1] === 'FWM' ? undefined : hostPort(head[2]!);
      service = hp ? `${head[1]}/${hp}` : undefined;
      continue;
    }
    const dest = /^\s+->\s+(\S+)\s.*\s(\d+)\s+(\d+)\s*$/.exec(line);
    const hp = dest && hostPort(dest[1]!);
    if (service && dest && hp) out.set(drainKey(service, hp), Number(dest[2]) + Number(dest[3]));
  }
  return out;
}
