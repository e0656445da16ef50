// Turns the in-VM benchmark's output (OUTDIR/bench-vm.json, see driver.ts) into the run
// bench/results/vm.json: medians and ratios computed here by bench/results.ts, the steps that broke
// kept in the last figure's note so a reader sees what is missing and why.
//   node bench/run.mjs bench/vm/collect.ts OUTDIR/bench-vm.json [NAME]
// NAME (default vm): a run of some figures alone (LVS_E2E_BENCH_ONLY=scale) is written as
// bench/results/NAME.json, and its figures are taken out of vm.json, which keeps the others.
import { readFileSync } from 'node:fs';
import { dropFigures, figure, writeRun, type FigureInput } from '../results.js';

const file = process.argv[2];
const name = process.argv[3] ?? 'vm';
if (!file) throw new Error('usage: collect.ts OUTDIR/bench-vm.json [NAME]');
const raw = JSON.parse(readFileSync(file, 'utf8')) as { kernel: string; figures: FigureInput[]; errors: string[] };
const figures = raw.figures.map((f) => figure({ ...f, note: `${f.note ?? ''} Kernel ${raw.kernel} (VM).`.trim() }));
if (raw.errors.length) console.error(`bench: steps that broke: ${raw.errors.join('; ')}`);
if (figures.length === 0) throw new Error(`no figure measured: ${raw.errors.join('; ')}`);
console.error(`wrote ${await writeRun(name, figures)} (${figures.length} figures)`);
if (name !== 'vm')
  await dropFigures(
    'vm',
    figures.map((f) => f.id),
  );
