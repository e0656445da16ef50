// The parsers' time per input, in-process: parseSave (the agent reads `ipvsadm -S -n` on every
// pass) and the keepalived.conf importer (`lvs-operator import`), on the same inputs their fuzz
// tests check (test/unit/ipvs/fuzz-inputs.ts, test/unit/keepalived-import/fuzz-inputs.ts, drawn
// with a fixed seed) and on the pathological sizes. The tests judge the outcome (a result or a
// refusal with a message, never a crash or a hang); how long it takes is written down here, never
// judged. Run with `npm run bench:parsers`; writes bench/results/parsers.json.
//
// No anchor: nothing else parses ipvsadm -S, and keepalived's own config reader cannot be run
// without the rest of keepalived (plan.bench.ts measures `keepalived -t` against the planner).
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { importKeepalived } from '../src/core/keepalived/import/index.js';
import { parseSave } from '../src/core/ipvs/save-format.js';
import {
  bigTable,
  MUTATED_GOLDEN,
  PATHOLOGICAL,
  RANDOM_STRING,
  TOKEN_LINES,
  UNICODE_LINES,
} from '../test/unit/ipvs/fuzz-inputs.js';
import {
  deepBraces,
  type ImportInput,
  includeDiamond,
  INCLUDE_GRAPH,
  longLine,
  MUTATED_PAIR,
  MUTATED_SEED,
  RANDOM_FILE,
  SEED_01,
  SEED_02,
  TOKEN_SOUP,
} from '../test/unit/keepalived-import/fuzz-inputs.js';
import { memorySource } from '../test/unit/keepalived-import/memory-source.js';
import { figure, median, writeRun, type Figure } from './results.js';

const SEED = 20260101; // the same inputs on every run
const INPUTS = 500; // per generator
const RUNS = 7; // of each large input

/** Milliseconds of one call; whatever it returns or throws is the fuzz tests' business. */
function timed(fn: () => unknown): number {
  const t0 = performance.now();
  try {
    fn();
  } catch {
    // a refusal is an answer too
  }
  return performance.now() - t0;
}

const parse = (text: string) => () => parseSave(text);
const importOf =
  ({ files, directors }: ImportInput) =>
  () =>
    importKeepalived(
      directors.map((path) => ({ path, text: files[path] ?? '' })),
      { ...memorySource(files), namespace: 'default' },
    );

/** Per-input times over the fuzz generators, after one warm-up pass over the same inputs. */
function perInput<T>(generators: fc.Arbitrary<T>[], run: (input: T) => () => unknown) {
  const inputs = generators.flatMap((g, i) => fc.sample(g, { numRuns: INPUTS, seed: SEED + i }));
  for (const input of inputs) timed(run(input));
  const samples = inputs.map((input) => timed(run(input)));
  const sorted = [...samples].sort((a, b) => a - b);
  const p99 = sorted[Math.floor(sorted.length * 0.99)]!;
  return { count: inputs.length, median: median(samples), p99, max: sorted.at(-1)!, total: sum(samples) };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const round = (n: number, decimals = 3) => Number(n.toFixed(decimals));

/** RUNS timings of one large input, after one warm-up call. */
function repeated(fn: () => unknown): number[] {
  timed(fn);
  return Array.from({ length: RUNS }, () => round(timed(fn)));
}

// --- measurement -----------------------------------------------------------------------------
const save = perInput([RANDOM_STRING, UNICODE_LINES, TOKEN_LINES, MUTATED_GOLDEN], parse);
const imports = perInput([RANDOM_FILE, TOKEN_SOUP, MUTATED_SEED, MUTATED_PAIR, INCLUDE_GRAPH], importOf);
const table10k = bigTable(10_000);
const table20k = bigTable(20_000);
const save10k = repeated(parse(table10k));
const save20k = repeated(parse(table20k));
const pathological = Object.entries(PATHOLOGICAL).map(([name, make]) => {
  const text = make();
  return { name, ms: median(repeated(parse(text))) };
});
const seed = repeated(
  importOf({ files: { 'lvs01.conf': SEED_01, 'lvs02.conf': SEED_02 }, directors: ['lvs01.conf', 'lvs02.conf'] }),
);
const line200k = median(repeated(importOf(longLine(200_000))));
const line400k = median(repeated(importOf(longLine(400_000))));
const braces20k = median(repeated(importOf(deepBraces(20_000))));
const braces40k = median(repeated(importOf(deepBraces(40_000))));
const diamond = repeated(importOf(includeDiamond()));

// --- figures ---------------------------------------------------------------------------------
const fmt = (n: number) => (n < 1 ? n.toFixed(3) : n.toFixed(1));
const perInputNote = (r: ReturnType<typeof perInput>, what: string) =>
  `${r.count} inputs (${INPUTS} from each of ${what}, fast-check seed ${SEED}), one warm-up pass first; ` +
  `median ${fmt(r.median)} ms, 99th percentile ${fmt(r.p99)} ms, slowest ${fmt(r.max)} ms, all of them ${fmt(r.total)} ms.`;
const figures: Figure[] = [
  figure({
    id: 'h-parse-save-per-input',
    title: 'parseSave, time per fuzz input (median)',
    unit: 'ms',
    better: 'lower',
    ours: { label: 'lvs-operator parseSave', value: round(save.median, 4) },
    note: perInputNote(
      save,
      "the fuzz test's generators (random strings, unicode lines, ipvsadm tokens, edited real outputs)",
    ),
  }),
  figure({
    id: 'h-parse-save-10k',
    title: 'parseSave of an ipvsadm -S table with 10,000 destinations',
    unit: 'ms',
    better: 'lower',
    ours: { label: 'lvs-operator parseSave', samples: save10k },
    note:
      `Median of ${RUNS} runs after a warm-up; 20,000 destinations took ${fmt(median(save20k))} ms ` +
      `(${(median(save20k) / median(save10k)).toFixed(2)}× for twice the size). ` +
      pathological.map((p) => `${p.name}: ${fmt(p.ms)} ms`).join('; ') +
      '.',
  }),
  figure({
    id: 'h-import-per-input',
    title: 'keepalived.conf import, time per fuzz input (median)',
    unit: 'ms',
    better: 'lower',
    ours: { label: 'lvs-operator import', value: round(imports.median, 4) },
    note: perInputNote(
      imports,
      "the fuzz test's generators (binary strings, token soups, edited seed configs, edited director pairs, include graphs)",
    ),
  }),
  figure({
    id: 'h-import-seed',
    title: "keepalived.conf import of the seed's two directors",
    unit: 'ms',
    better: 'lower',
    ours: { label: 'lvs-operator import', samples: seed },
    note:
      `Median of ${RUNS} runs after a warm-up. Large inputs: a 200,000-character line ${fmt(line200k)} ms ` +
      `(400,000: ${fmt(line400k)} ms, ${(line400k / line200k).toFixed(2)}×); 20,000 nested braces ${fmt(braces20k)} ms ` +
      `(40,000: ${fmt(braces40k)} ms, ${(braces40k / braces20k).toFixed(2)}×); a diamond of includes refused at the ` +
      `size limit after ${fmt(median(diamond))} ms.`,
  }),
];

// a shared machine's load is part of the figure: said, not corrected for
const load = ` Load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores at the end of the run.`;
for (const f of figures) f.note = `${f.note ?? ''}${load}`;
const path = await writeRun('parsers', figures);
for (const f of figures) console.log(`${f.id}: ${f.ours.value} ${f.unit}; ${f.note}`);
console.log(`wrote ${path}`);
