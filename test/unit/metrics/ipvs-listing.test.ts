import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { destinationLabel, parseStateListing, parseStatsListing } from '../../../src/core/ipvs/list-format.js';
import { canonicalServiceKey } from '../../../src/core/ipvs/model.js';

// Captured from the real ipvsadm 1.31 on the lab VM's IPVS kernel (fixtures/capture.sh), after
// five HTTP requests through a NAT service: a kube-proxy-like service, UDP, SCTP, an IPv6
// destination wider than its column, and a firewall-mark service.
const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const STATS = fixture('stats.txt');
const LIST = fixture('list.txt');

describe('parseStatsListing (ipvsadm -L -n --exact --stats)', () => {
  const stats = parseStatsListing(STATS);

  it('reads every destination of every protocol service, with its five counters', () => {
    expect(stats.map((d) => `${d.service} ${d.destination}`)).toEqual([
      'TCP/198.51.100.100:80 192.0.2.11:80',
      'TCP/198.51.100.100:80 192.0.2.12:80',
      'TCP/10.96.0.1:443 10.0.0.5:6443',
      'UDP/198.51.100.100:53 192.0.2.11:53',
      'SCTP/198.51.100.7:9000 192.0.2.12:9000',
      'TCP/[2001:db8::1]:443 [2001:db8:0:1234:5678:9abc:def0:11]:443',
    ]);
    expect(stats[0]).toEqual({
      service: 'TCP/198.51.100.100:80',
      destination: '192.0.2.11:80',
      connections: 3,
      inPackets: 18,
      outPackets: 18,
      inBytes: 1194,
      outBytes: 1593,
    });
    expect(stats[1]).toMatchObject({ connections: 0, inPackets: 0, outPackets: 0, inBytes: 0, outBytes: 0 });
  });

  it('reads counters wider than their column, as --exact prints them', () => {
    // print_largenum with --exact: right-aligned in 9 columns, or the length + 1 when longer
    const wide = STATS.replace(
      /^ {2}-> 192\.0\.2\.11:80 .*$/m,
      `  -> ${'192.0.2.11:80'.padEnd(28)}${[123456789, 9876543210, 0, 123456789012345, 42].map((n) => `${n}`.padStart(Math.max(9, `${n}`.length + 1))).join('')}`,
    );
    expect(parseStatsListing(wide)[0]).toMatchObject({
      connections: 123456789,
      inPackets: 9876543210,
      outPackets: 0,
      inBytes: 123456789012345,
      outBytes: 42,
    });
  });

  it('skips firewall-mark services and their destinations', () => {
    expect(stats.some((d) => d.destination === '192.0.2.13:0')).toBe(false);
  });

  it('skips counters ipvsadm rounded (listed without --exact) rather than misreading them', () => {
    const rounded = STATS.replace(/^( {2}-> 192\.0\.2\.11:80 +)3 /m, '$1 123K ');
    expect(parseStatsListing(rounded).map((d) => d.destination)).not.toContain('192.0.2.11:80');
    expect(parseStatsListing(rounded)).toHaveLength(5);
  });

  it('reads an empty table', () => {
    expect(parseStatsListing(STATS.split('\n').slice(0, 3).join('\n'))).toEqual([]);
  });
});

describe('parseStateListing (ipvsadm -L -n --exact)', () => {
  it('reads the weight and the active and inactive connections', () => {
    const state = parseStateListing(LIST);
    expect(state.map((d) => `${d.service} ${d.destination} ${d.weight}`)).toEqual([
      'TCP/198.51.100.100:80 192.0.2.11:80 3',
      'TCP/198.51.100.100:80 192.0.2.12:80 0',
      'TCP/10.96.0.1:443 10.0.0.5:6443 1',
      'UDP/198.51.100.100:53 192.0.2.11:53 1',
      'SCTP/198.51.100.7:9000 192.0.2.12:9000 4',
      'TCP/[2001:db8::1]:443 [2001:db8:0:1234:5678:9abc:def0:11]:443 2',
    ]);
    expect(state[0]).toEqual({
      service: 'TCP/198.51.100.100:80',
      destination: '192.0.2.11:80',
      weight: 3,
      activeConnections: 0,
      inactiveConnections: 5,
    });
    const busy = LIST.replace(/^( {2}-> 192\.0\.2\.11:80 +Masq +3 +)0 /m, '$11234567 ');
    expect(parseStateListing(busy)[0]).toMatchObject({ activeConnections: 1234567, inactiveConnections: 5 });
  });
});

describe('labels', () => {
  it('spells services and destinations as ipvsadm does', () => {
    expect(canonicalServiceKey('TCP/192.0.2.100:80')).toBe('TCP/192.0.2.100:80');
    expect(canonicalServiceKey('TCP/[2001:DB8:0::1]:443')).toBe('TCP/[2001:db8::1]:443');
    expect(canonicalServiceKey('FWM/1')).toBeUndefined();
    expect(destinationLabel('2001:db8::0:11', 80)).toBe('[2001:db8::11]:80');
    expect(destinationLabel('192.0.2.11', 80)).toBe('192.0.2.11:80');
  });
});
