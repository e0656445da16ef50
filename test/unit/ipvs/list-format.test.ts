import { describe, expect, it } from 'vitest';
import { parseConnectionCounts } from '../../../src/core/ipvs/list-format.js';

// The shape of `ipvsadm -L -n` (ipvsadm 1.31), with a firewall-mark service and IPv6.
const LISTING = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  192.0.2.100:80 rr persistent 5
  -> 192.0.2.11:80                Route   1      2          7
  -> 192.0.2.12:80                Route   0      0          0
UDP  192.0.2.100:53 rr
  -> 192.0.2.11:53                Masq    1      0          4
FWM  1 rr
  -> 192.0.2.13:0                 Route   1      5          5
TCP  [2001:db8::1]:443 wlc
  -> [2001:db8::11]:443           Tunnel  3      1          0
`;

describe('parseConnectionCounts', () => {
  it('sums active and inactive connections per service and destination', () => {
    expect(parseConnectionCounts(LISTING)).toEqual(
      new Map([
        ['TCP/192.0.2.100:80 192.0.2.11:80', 9],
        ['TCP/192.0.2.100:80 192.0.2.12:80', 0],
        ['UDP/192.0.2.100:53 192.0.2.11:53', 4],
        ['TCP/[2001:db8::1]:443 [2001:db8::11]:443', 1],
      ]),
    );
  });

  it('reads an empty table', () => {
    expect(parseConnectionCounts(LISTING.split('\n').slice(0, 3).join('\n'))).toEqual(new Map());
  });
});
