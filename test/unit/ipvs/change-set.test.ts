// Which services a pass looks at (core/ipvs/change-set.ts): only what changed since the last pass,
// what left, what the caller names, and owned leftovers still in the table.
import { describe, expect, it } from 'vitest';
import {
  changeSet,
  knownTable,
  mergeKnown,
  serviceFingerprints,
  tableByKey,
} from '../../../src/core/ipvs/change-set.js';
import { renderSave } from '../../../src/core/ipvs/save-format.js';
import { dr, table, tcp } from './builders.js';

const web = (weight = 1) => tcp('192.0.2.100', 80, 'rr', {}, [dr('10.0.0.1', 80, weight), dr('10.0.0.2', 80)]);
const mail = (weight = 1) => tcp('192.0.2.101', 25, 'rr', {}, [dr('10.0.0.1', 25, weight)]);
const v6 = (address: string) => tcp(address, 443, 'rr', {}, [dr('2001:db8::10', 443)]);

/** The state after a pass that converged `wanted` into the kernel. */
function after(...services: ReturnType<typeof tcp>[]) {
  return { converged: serviceFingerprints(table(...services)), known: tableByKey(table(...services)) };
}

describe('changeSet', () => {
  it('looks at nothing when the wanted table is the one converged', () => {
    const c = changeSet({ wanted: table(web(), mail()), ...after(web(), mail()), owned: new Set() });
    expect(c.keys).toEqual([]);
    expect(c.wanted.services).toEqual([]);
  });

  it('looks at the one service whose destinations changed, with its known and owned parts', () => {
    const owned = new Set(['TCP/192.0.2.100:80', 'TCP/192.0.2.101:25']);
    const c = changeSet({ wanted: table(web(), mail(3)), ...after(web(), mail()), owned });
    expect(c.keys).toEqual(['TCP/192.0.2.101:25']);
    expect(renderSave(c.wanted)).toBe(renderSave(table(mail(3))));
    expect(renderSave(c.known)).toBe(renderSave(table(mail())));
    expect([...c.owned]).toEqual(['TCP/192.0.2.101:25']);
  });

  it('looks at a service no longer wanted (its delete) and at a new one', () => {
    const added = tcp('192.0.2.102', 53, 'rr', {}, [dr('10.0.0.3', 53)]);
    const c = changeSet({
      wanted: table(web(), added),
      ...after(web(), mail()),
      owned: new Set(['TCP/192.0.2.101:25']),
    });
    expect(c.keys).toEqual(['TCP/192.0.2.101:25', 'TCP/192.0.2.102:53']);
    expect(renderSave(c.wanted)).toBe(renderSave(table(added)));
    expect(renderSave(c.known)).toBe(renderSave(table(mail())));
  });

  it('looks at the services the caller names even when unchanged (draining), and at owned leftovers in the table', () => {
    const state = after(web(), mail());
    const c = changeSet({
      wanted: table(web()),
      converged: serviceFingerprints(table(web())), // mail's delete failed last time: still known
      known: state.known,
      owned: new Set(['TCP/192.0.2.101:25']),
      alsoCheck: ['TCP/192.0.2.100:80'],
    });
    expect(c.keys).toEqual(['TCP/192.0.2.100:80', 'TCP/192.0.2.101:25']);
    expect(renderSave(c.wanted)).toBe(renderSave(table(web())));
  });

  it('keys an IPv6 service by its kernel spelling, however the plan writes it', () => {
    const c = changeSet({
      wanted: table(v6('2001:DB8:0::A')),
      ...after(v6('2001:db8::a')),
      owned: new Set(['TCP/[2001:DB8::A]:443']),
    });
    expect(c.keys).toEqual(['TCP/[2001:db8::a]:443']); // the spelling differs: looked at, and matched
    expect(renderSave(c.known)).toBe(renderSave(table(v6('2001:db8::a'))));
    expect([...c.owned]).toEqual(['TCP/[2001:db8::a]:443']);
  });
});

describe('mergeKnown', () => {
  it('replaces the services looked at, drops the deleted ones, and keeps the other objects as they were', () => {
    const known = tableByKey(table(web(), mail()));
    const merged = mergeKnown(known, ['TCP/192.0.2.101:25', 'TCP/192.0.2.100:80'], table(web(7)));
    expect(renderSave(knownTable(merged))).toBe(renderSave(table(web(7))));
    const other = mergeKnown(known, ['TCP/192.0.2.101:25'], table(mail(2)));
    expect(other.get('TCP/192.0.2.100:80')).toBe(known.get('TCP/192.0.2.100:80'));
    expect(renderSave(knownTable(other))).toBe(renderSave(table(web(), mail(2))));
  });
});
