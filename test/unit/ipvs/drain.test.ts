import { describe, expect, it } from 'vitest';
import { drainKey, keepDraining, removalCandidates, type DrainInput } from '../../../src/core/ipvs/drain.js';
import type { IpvsTable } from '../../../src/core/ipvs/model.js';
import { parseSave } from '../../../src/core/ipvs/save-format.js';

const t = (text: string) => parseSave(text).table;
const actual = t(`-A -t 192.0.2.100:80 -s rr
-a -t 192.0.2.100:80 -r 192.0.2.11:80 -g -w 1
-a -t 192.0.2.100:80 -r 192.0.2.12:80 -g -w 1
-A -u 192.0.2.100:53 -s rr
-a -u 192.0.2.100:53 -r 192.0.2.11:53 -g -w 1
`);
const only12 = t(`-A -t 192.0.2.100:80 -s rr
-a -t 192.0.2.100:80 -r 192.0.2.12:80 -g -w 1
`);
const key11 = drainKey('TCP/192.0.2.100:80', '192.0.2.11:80');

/** `planned` (the plan before health) gives the candidates, as the agent computes them. */
function input(over: Partial<Omit<DrainInput, 'candidates'>> & { planned?: IpvsTable } = {}): DrainInput {
  const { planned = only12, ...rest } = over;
  const base = { desired: only12, actual, ...rest };
  return {
    candidates: removalCandidates(base.desired, planned, base.actual),
    connections: new Map([[key11, 2]]),
    drainingSince: new Map(),
    now: 1000,
    timeoutMs: 60_000,
    ...base,
  };
}

describe('removalCandidates', () => {
  it('names a destination the plan dropped from a service it keeps', () => {
    expect(removalCandidates(only12, only12, actual)).toEqual([key11]);
  });

  it('not one that the plan still names (health took it out)', () => {
    expect(removalCandidates(only12, actual, actual)).toEqual([]);
  });

  it('not the destinations of a service that left the plan, nor UDP ones', () => {
    const udpOnly = t('-A -u 192.0.2.100:53 -s rr\n');
    expect(removalCandidates(udpOnly, udpOnly, actual)).toEqual([]);
  });

  it('compares IPv6 in the kernel spelling', () => {
    const have = t('-A -t [2001:db8::1]:80 -s rr\n-a -t [2001:db8::1]:80 -r [2001:db8::11]:80 -g -w 1\n');
    const want = { services: [{ ...have.services[0]!, address: '2001:DB8:0::1', destinations: [] }] };
    expect(removalCandidates(want, want, have)).toEqual(['TCP/[2001:db8::1]:80 [2001:db8::11]:80']);
  });
});

describe('keepDraining', () => {
  it('keeps a removed destination with connections at weight 0 and remembers when it started', () => {
    const r = keepDraining(input());
    const dests = r.desired.services[0]!.destinations.map((d) => `${d.address} ${d.weight}`);
    expect(dests).toEqual(['192.0.2.12 1', '192.0.2.11 0']);
    expect(r.draining).toEqual(new Map([[key11, 1000]]));
  });

  it('keeps the start of a drain across passes, and lets the destination go at the timeout', () => {
    const since = new Map([[key11, 1000]]);
    expect(keepDraining(input({ drainingSince: since, now: 60_999 })).draining.get(key11)).toBe(1000);
    const late = keepDraining(input({ drainingSince: since, now: 61_000 }));
    expect(late.draining.size).toBe(0);
    expect(late.desired.services[0]!.destinations).toHaveLength(1);
  });

  it('lets a destination with no connection go at once', () => {
    const r = keepDraining(input({ connections: new Map() }));
    expect(r.desired.services[0]!.destinations.map((d) => d.address)).toEqual(['192.0.2.12']);
    expect(r.draining.size).toBe(0);
  });

  it('changes nothing when nothing is removed', () => {
    const r = keepDraining(input({ desired: actual, planned: actual }));
    expect(r.desired).toEqual(actual);
  });
});
