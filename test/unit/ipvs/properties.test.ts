import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalTable } from '../../../src/core/ipvs/canonical.js';
import { diffTables } from '../../../src/core/ipvs/diff.js';
import type { IpvsTable } from '../../../src/core/ipvs/model.js';
import { serviceKey } from '../../../src/core/ipvs/model.js';
import { parseRestoreLine } from '../../../src/core/ipvs/restore-line.js';
import { applyRestoreLines } from '../../../src/core/ipvs/restore-sim.js';
import { parseSave, renderSave, targetKey } from '../../../src/core/ipvs/save-format.js';
import { tableProblems } from '../../../src/core/ipvs/validate.js';
import { anyTable, smallTable } from './arbitraries.js';

const RUNS = { numRuns: 300 };
const withoutThresholds = (t: IpvsTable): IpvsTable => ({
  services: t.services.map((s) => ({
    ...s,
    destinations: s.destinations.map(({ upperThreshold: _u, lowerThreshold: _l, ...d }) => d),
  })),
});
const keyed = (t: IpvsTable) => new Map(canonicalTable(t).services.map((s) => [serviceKey(s), s]));

describe('save format round trip', () => {
  it('generated tables are valid (the generators are what we claim)', () => {
    fc.assert(
      fc.property(anyTable, (t) => {
        expect(tableProblems(t)).toEqual([]);
      }),
      RUNS,
    );
  });

  it('parseSave(renderSave(t)) is t in canonical form, and rendering again gives the same text', () => {
    fc.assert(
      fc.property(anyTable, (t) => {
        const text = renderSave(t);
        const parsed = parseSave(text);
        expect(parsed).toEqual({ table: canonicalTable(t), foreign: [] });
        expect(renderSave(parsed.table)).toBe(text);
      }),
      RUNS,
    );
  });

  it('the order of services and destinations in the input does not change the output', () => {
    fc.assert(
      fc.property(anyTable, fc.infiniteStream(fc.nat()), (t, randoms) => {
        const shuffle = <T>(xs: T[]): T[] =>
          xs
            .map((x) => [randoms.next().value, x] as const)
            .sort((a, b) => a[0] - b[0])
            .map(([, x]) => x);
        const shuffled = {
          services: shuffle(t.services).map((s) => ({ ...s, destinations: shuffle(s.destinations) })),
        };
        expect(renderSave(shuffled)).toBe(renderSave(t));
      }),
      RUNS,
    );
  });
});

describe('diff + restore: the plan reaches the desired table and touches nothing else', () => {
  const scenario = fc
    .record({
      actual: smallTable,
      desired: smallTable,
      ownedBits: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    })
    .map(({ actual, desired, ownedBits }) => {
      const owned = new Set(
        canonicalTable(actual)
          .services.map(serviceKey)
          .filter((_, i) => ownedBits[i % 8]),
      );
      // Owned keys that are not in the kernel (deleted by hand) must not matter either.
      owned.add('TCP/192.0.2.99:80');
      return { actual, desired, owned };
    });

  it('applyRestoreLines(a, diffTables(a, b)) equals b on managed services; others are untouched', () => {
    fc.assert(
      fc.property(scenario, ({ actual, desired, owned }) => {
        const result = keyed(applyRestoreLines(actual, diffTables(actual, desired, { owned })));
        const want = keyed(desired);
        const had = keyed(actual);
        for (const [key, s] of want) expect(result.get(key)).toEqual(s);
        for (const [key, s] of had) {
          if (want.has(key)) continue;
          if (owned.has(key)) expect(result.has(key)).toBe(false);
          else expect(result.get(key)).toEqual(s);
        }
        for (const key of result.keys()) expect(want.has(key) || had.has(key)).toBe(true);
      }),
      RUNS,
    );
  });

  it('every line names a managed service, and there is never a -C', () => {
    fc.assert(
      fc.property(scenario, ({ actual, desired, owned }) => {
        const managed = new Set([...keyed(desired).keys(), ...owned]);
        diffTables(actual, desired, { owned }).forEach((line, i) => {
          const command = parseRestoreLine(line, i + 1);
          expect(command && command.op !== 'clear').toBe(true);
          if (command && command.op !== 'clear') expect(managed.has(targetKey(command.target))).toBe(true);
        });
      }),
      RUNS,
    );
  });

  it('after the plan there is nothing left to do, and a table diffed against itself is empty', () => {
    fc.assert(
      fc.property(scenario, ({ actual, desired, owned }) => {
        const after = applyRestoreLines(actual, diffTables(actual, desired, { owned }));
        expect(diffTables(after, desired, { owned })).toEqual([]);
        expect(diffTables(desired, desired, { owned })).toEqual([]);
      }),
      RUNS,
    );
  });

  it('the plan has at most one line per changed service and destination', () => {
    fc.assert(
      fc.property(scenario, ({ actual, desired, owned }) => {
        const lines = diffTables(actual, desired, { owned });
        const want = keyed(desired);
        const had = keyed(actual);
        let bound = 0;
        for (const [key, s] of want) bound += 1 + s.destinations.length + (had.get(key)?.destinations.length ?? 0);
        for (const key of had.keys()) if (owned.has(key) && !want.has(key)) bound += 1;
        expect(lines.length).toBeLessThanOrEqual(bound);
        expect(new Set(lines).size).toBe(lines.length);
      }),
      RUNS,
    );
  });

  it('read back the way the operator will (ipvsadm -S shows no thresholds), the plan is done', () => {
    fc.assert(
      fc.property(scenario, ({ actual, desired, owned }) => {
        const after = applyRestoreLines(actual, diffTables(actual, desired, { owned }));
        const readBack = parseSave(renderSave(withoutThresholds(after))).table;
        expect(diffTables(readBack, desired, { owned, actualLacksThresholds: true })).toEqual([]);
      }),
      RUNS,
    );
  });
});
