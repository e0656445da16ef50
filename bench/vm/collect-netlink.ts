// Turns the in-VM netlink benchmark's output (OUT/ipvs-netlink/bench.json, bench/vm/netlink.ts)
// into the run bench/results/ipvs-netlink.json: medians and ratios computed by bench/results.ts.
//   node bench/run.mjs bench/vm/collect-netlink.ts OUT/ipvs-netlink/bench.json   (from the repository's root)
// The results directory is named from the working directory: resultsDir() resolves from the
// bundle's own location, which bench/run.mjs puts under node_modules/.cache.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { figure, writeRun, type FigureInput } from '../results.js';

const file = process.argv[2];
if (!file) throw new Error('usage: collect-netlink.ts OUT/ipvs-netlink/bench.json');
const raw = JSON.parse(readFileSync(file, 'utf8')) as { kernel: string; figures?: FigureInput[]; error?: string };
if (!raw.figures?.length) throw new Error(`no figure measured: ${raw.error ?? 'empty'}`);
const figures = raw.figures.map((f) => figure({ ...f, note: `${f.note ?? ''} Kernel ${raw.kernel} (VM).`.trim() }));
console.error(
  `wrote ${await writeRun('ipvs-netlink', figures, join(process.cwd(), 'bench', 'results'))} (${figures.length} figures)`,
);
