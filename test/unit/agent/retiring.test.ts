import { describe, expect, it } from 'vitest';
import { keepRetiring, type Retiring } from '../../../src/node/retiring.js';

interface Sysctl {
  name: string;
  value: string;
}
const byName = (s: Sysctl) => s.name;
const ignore = { name: 'net.ipv4.conf.lo.arp_ignore', value: '1' };
const announce = { name: 'net.ipv4.conf.lo.arp_announce', value: '2' };

describe('keepRetiring', () => {
  it('keeps an item that left the plan, from now on', () => {
    const r = keepRetiring([ignore, announce], [announce], new Map(), byName, 1000, 300_000);
    expect(r.items).toEqual([announce, ignore]);
    expect(r.retiring.get(ignore.name)).toEqual({ item: ignore, since: 1000 });
  });

  it('keeps its start across passes and lets it go at the timeout', () => {
    const retiring = new Map<string, Retiring<Sysctl>>([[ignore.name, { item: ignore, since: 1000 }]]);
    expect(keepRetiring([ignore], [], retiring, byName, 300_999, 300_000).items).toEqual([ignore]);
    const late = keepRetiring([ignore], [], retiring, byName, 301_000, 300_000);
    expect(late.items).toEqual([]);
    expect(late.retiring.size).toBe(0);
  });

  it('gives way at once to a desired item with the same key, and forgets the retiring one', () => {
    const retiring = new Map<string, Retiring<Sysctl>>([[ignore.name, { item: ignore, since: 1000 }]]);
    const other = { ...ignore, value: '0' };
    const r = keepRetiring([ignore], [other], retiring, byName, 2000, 300_000);
    expect(r.items).toEqual([other]);
    expect(r.retiring.size).toBe(0);
  });

  it('with a timeout of 0 keeps nothing', () => {
    expect(keepRetiring([ignore], [], new Map(), byName, 1000, 0).items).toEqual([]);
  });
});
