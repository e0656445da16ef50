// Whatever text it gets (a truncated read, a newer ipvsadm, a hand edit), parseSave must answer
// with a table or a SaveFormatError naming the line, and never hang (vitest's test timeout stops a
// hang). The same for the simulator's line parser. How long it takes is no verdict here: the
// parse time per input is bench/parsers.bench.ts's figure (npm run bench:parsers).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyRestoreLines, RestoreRejectedError } from '../../../src/core/ipvs/restore-sim.js';
import { parseSave, renderSave, SaveFormatError } from '../../../src/core/ipvs/save-format.js';
import { nat, table, tcp } from './builders.js';
import {
  bigTable,
  LINE,
  MUTATED_GOLDEN,
  PATHOLOGICAL,
  RANDOM_STRING,
  TOKEN_LINES,
  UNICODE_LINES,
} from './fuzz-inputs.js';

/**
 * Runs parseSave: either a SaveFormatError that names the line, or a table that is what it reads
 * as (rendered again with renderSave, it parses to the same table).
 */
function parsesOrRejects(text: string): void {
  let parsed: ReturnType<typeof parseSave>;
  try {
    parsed = parseSave(text);
  } catch (e) {
    if (!(e instanceof SaveFormatError)) {
      throw new Error(`not a SaveFormatError for ${JSON.stringify(text.slice(0, 200))}: ${String(e)}`, { cause: e });
    }
    expect(e.message).toMatch(/^line \d+: /);
    return;
  }
  expect(parseSave(renderSave(parsed.table)).table).toEqual(parsed.table);
}

describe('parseSave never fails with anything but a SaveFormatError', () => {
  it('random strings', () => {
    fc.assert(
      fc.property(RANDOM_STRING, (s) => parsesOrRejects(s)),
      { numRuns: 2000 },
    );
  });

  it('random full-unicode strings with newlines', () => {
    fc.assert(
      fc.property(UNICODE_LINES, (s) => parsesOrRejects(s)),
      { numRuns: 1000 },
    );
  });

  it('random lines made of ipvsadm tokens', () => {
    fc.assert(
      fc.property(TOKEN_LINES, (s) => parsesOrRejects(s)),
      { numRuns: 3000 },
    );
  });

  it('real ipvsadm -S outputs with random edits (delete, insert, replace characters, shuffle lines)', () => {
    fc.assert(
      fc.property(MUTATED_GOLDEN, (s) => parsesOrRejects(s)),
      { numRuns: 3000 },
    );
  });

  it('pathological sizes: a 1 MB token, 100,000 blank lines, a 10,000-destination table', () => {
    for (const make of Object.values(PATHOLOGICAL)) parsesOrRejects(make());
    const parsed = parseSave(bigTable(10_000)).table;
    expect(parsed.services.map((s) => s.destinations.length)).toEqual([10_000, 1]);
    expect(parsed.services[0]?.destinations[9_999]).toMatchObject({ address: '10.0.39.15', port: 8080 });
  });
});

describe('applyRestoreLines never fails with anything but SaveFormatError or RestoreRejectedError', () => {
  it('random lines made of ipvsadm tokens, applied to a small table', () => {
    const start = table(tcp('192.0.2.1', 80, 'rr', {}, [nat('10.0.0.1', 80)]));
    fc.assert(
      fc.property(fc.array(LINE, { maxLength: 6 }), (lines) => {
        try {
          applyRestoreLines(start, lines);
        } catch (e) {
          if (!(e instanceof SaveFormatError || e instanceof RestoreRejectedError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
