// The importer must never crash and never hang: on any input it returns objects or throws a
// KeepalivedConfigError with a message (vitest's test timeout stops a hang). How long it takes is
// no verdict here: the import time per input is bench/parsers.bench.ts's figure
// (npm run bench:parsers).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importKeepalived, KeepalivedConfigError } from '../../../src/core/keepalived/import/index.js';
import {
  deepBraces,
  type ImportInput,
  includeDiamond,
  INCLUDE_GRAPH,
  longLine,
  MUTATED_PAIR,
  MUTATED_SEED,
  RANDOM_FILE,
  TOKEN_SOUP,
} from './fuzz-inputs.js';
import { memorySource } from './memory-source.js';

/** Runs the import; anything thrown but a KeepalivedConfigError with a message fails the property. */
function importsOrRefuses({ files, directors }: ImportInput): void {
  let result: ReturnType<typeof importKeepalived>;
  try {
    result = importKeepalived(
      directors.map((path) => ({ path, text: files[path] ?? '' })),
      { ...memorySource(files), namespace: 'default' },
    );
  } catch (e) {
    if (!(e instanceof KeepalivedConfigError)) throw e;
    expect(e.message.length).toBeGreaterThan(0);
    return;
  }
  // what comes back is objects, each named, in the namespace asked for where it has one
  for (const o of result.objects) {
    expect(typeof o.kind).toBe('string');
    expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    if (o.metadata.namespace !== undefined) expect(o.metadata.namespace).toBe('default');
  }
}

describe('fuzzing the importer', () => {
  it('random strings: objects or a KeepalivedConfigError', () => {
    fc.assert(fc.property(RANDOM_FILE, importsOrRefuses), { numRuns: 400 });
  });

  it('random keepalived-like token soups, with includes among them', () => {
    fc.assert(fc.property(TOKEN_SOUP, importsOrRefuses), { numRuns: 400 });
  });

  it('the seed config with deleted, duplicated, swapped and inserted tokens and braces', () => {
    fc.assert(fc.property(MUTATED_SEED, importsOrRefuses), { numRuns: 500 });
  });

  it('two directors, one of them mutated, through the merge', () => {
    fc.assert(fc.property(MUTATED_PAIR, importsOrRefuses), { numRuns: 300 });
  });

  it('random include graphs, cycles included, finish', () => {
    fc.assert(fc.property(INCLUDE_GRAPH, importsOrRefuses), { numRuns: 300 });
  });

  it('a diamond of includes that doubles at every level stops at the size limit, not at the heap', () => {
    const { files, directors } = includeDiamond();
    expect(() =>
      importKeepalived(
        directors.map((path) => ({ path, text: files[path]! })),
        { ...memorySource(files) },
      ),
    ).toThrow(/configuration too large/);
  }, 120_000); // a stop for a hang only: the diamond takes seconds, the figure is bench/parsers.bench.ts's

  it('a very long line and deep braces: objects or a KeepalivedConfigError', () => {
    importsOrRefuses(longLine(200_000));
    importsOrRefuses(deepBraces(20_000));
  });
});
