// The benchmarks' results format, and the helpers every benchmark uses to write it.
//
// A run is one file, bench/results/<name>.json, written by one benchmark program in one go:
//
//   {
//     "name": "plan",                       // the file name without .json
//     "measuredAt": "2025-01-01T12:00:00Z", // ISO time the run was written
//     "machine": { "cpus": 2, "model": "AMD EPYC", "kernel": "6.8.0", "node": "v24.1.0" },
//     "figures": [Figure, ...]
//   }
//
// A Figure is one measured quantity, lvs-operator's value beside its anchor's, both from the
// same run (never a number copied from elsewhere):
//
//   id      stable key, starting with the letter ("a-…" … "g-…") so the report reads in
//           the order
//   title   what is measured, for the table and the plot
//   unit    's' | 'ms' | 'MiB' | 'connections' | …
//   better  'lower' | 'higher'
//   ours    { label, value, samples? }: lvs-operator; value is the median of samples when there are any
//   anchor  { label, value, samples? }: what ours is compared with; absent when nothing honest exists
//   ratio   how many times better ours is than the anchor: anchor/ours when lower is better,
//           ours/anchor when higher is better; > 1 means lvs-operator is better. Computed by
//           figure(), never by hand; absent when there is no anchor or the quotient is not finite
//   note    how it was measured and what the anchor means, in a sentence or two
//
// Timings are reported, never judged: nothing here passes or fails.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { fileURLToPath } from 'node:url';

export type Better = 'lower' | 'higher';

export interface Measurement {
  label: string;
  value: number;
  samples?: number[];
}

export interface Figure {
  id: string;
  title: string;
  unit: string;
  better: Better;
  ours: Measurement;
  anchor?: Measurement;
  ratio?: number;
  note?: string;
}

export interface Machine {
  cpus: number;
  model: string;
  kernel: string;
  node: string;
}

export interface Run {
  name: string;
  measuredAt: string;
  machine: Machine;
  figures: Figure[];
}

/** A measured side: either one value or the samples whose median is the value. */
export type MeasurementInput = { label: string; value: number } | { label: string; samples: readonly number[] };

export interface FigureInput {
  id: string;
  title: string;
  unit: string;
  better: Better;
  ours: MeasurementInput;
  anchor?: MeasurementInput;
  note?: string;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function measurement(input: MeasurementInput): Measurement {
  if ('samples' in input) return { label: input.label, value: median(input.samples), samples: [...input.samples] };
  return { label: input.label, value: input.value };
}

/** > 1 when ours is better; undefined when the quotient is not a finite number (an anchor or ours of 0). */
export function ratioOf(better: Better, ours: number, anchor: number): number | undefined {
  const ratio = better === 'lower' ? anchor / ours : ours / anchor;
  return Number.isFinite(ratio) ? ratio : undefined;
}

export function figure(input: FigureInput): Figure {
  const ours = measurement(input.ours);
  const out: Figure = { id: input.id, title: input.title, unit: input.unit, better: input.better, ours };
  if (input.anchor) {
    out.anchor = measurement(input.anchor);
    const ratio = ratioOf(input.better, ours.value, out.anchor.value);
    if (ratio !== undefined) out.ratio = ratio;
  }
  if (input.note !== undefined) out.note = input.note;
  return out;
}

export function thisMachine(): Machine {
  const list = cpus();
  return { cpus: list.length, model: list[0]?.model.trim() ?? 'unknown', kernel: release(), node: process.version };
}

/**
 * The root of this checkout. From source (vitest) this file is bench/results.ts; bundled by
 * bench/run.mjs it runs from node_modules/.cache, where its own URL leads nowhere useful (and,
 * through a symlinked node_modules, into another checkout), so it is the package root that npm
 * runs the scripts in.
 */
export function repoRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return basename(here) === 'bench' ? dirname(here) : process.cwd();
}

/** bench/results of this checkout. */
export function resultsDir(): string {
  return join(repoRoot(), 'bench', 'results');
}

/**
 * Writes bench/results/<name>.json and returns its path. The JSON goes through the repo's
 * prettier settings so that `prettier --check .` stays clean without ignoring the results.
 */
export async function writeRun(name: string, figures: readonly Figure[], dir: string = resultsDir()): Promise<string> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`run name ${JSON.stringify(name)}: use a-z, 0-9 and -`);
  const run: Run = { name, measuredAt: new Date().toISOString(), machine: thisMachine(), figures: [...figures] };
  const path = join(dir, `${name}.json`);
  const options = (await resolveConfig(path)) ?? {};
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, await format(JSON.stringify(run), { ...options, parser: 'json' }));
  return path;
}

/**
 * Takes the figures with these ids out of the run `name` (its date and machine stay): a later run
 * of only some figures (a scale-only VM run) writes them under a name of its own, and the report
 * must not show the older measurement beside the newer one.
 */
export async function dropFigures(name: string, ids: readonly string[], dir: string = resultsDir()): Promise<void> {
  const path = join(dir, `${name}.json`);
  const run = checkRun(JSON.parse(readFileSync(path, 'utf8')) as unknown, path);
  const kept = { ...run, figures: run.figures.filter((f) => !ids.includes(f.id)) };
  const options = (await resolveConfig(path)) ?? {};
  writeFileSync(path, await format(JSON.stringify(kept), { ...options, parser: 'json' }));
}

/** Every run in `dir`, sorted by name; a file that is not a run is an error naming the file. */
export function readRuns(dir: string = resultsDir()): Run[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names.sort().map((n) => checkRun(JSON.parse(readFileSync(join(dir, n), 'utf8')) as unknown, join(dir, n)));
}

function checkRun(data: unknown, file: string): Run {
  const run = data as Partial<Run> | null;
  const ok =
    typeof run === 'object' &&
    run !== null &&
    typeof run.name === 'string' &&
    typeof run.measuredAt === 'string' &&
    typeof run.machine === 'object' &&
    Array.isArray(run.figures) &&
    run.figures.every(
      (f: Partial<Figure>) =>
        typeof f.id === 'string' &&
        typeof f.title === 'string' &&
        typeof f.unit === 'string' &&
        (f.better === 'lower' || f.better === 'higher') &&
        typeof f.ours?.value === 'number' &&
        (f.anchor === undefined || typeof f.anchor.value === 'number'),
    );
  if (!ok) throw new Error(`${file} is not a benchmark run (see the format in bench/results.ts)`);
  return run as Run;
}
