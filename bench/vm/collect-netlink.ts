// Turns the in-VM netlink benchmark's output (OUT/ipvs-netlink/bench.json, bench/vm/netlink.ts)
// into the run bench/results/ipvs-netlink.json: medians and ratios computed by bench/results.ts.
//   node bench/run.mjs bench/vm/collect-netlink.ts OUT/ipvs-netlink/bench.json
import { readFileSync } from 'node:fs';
import { figure, writeRun, type FigureInput } from '../results.js';

const file = process.argv[2];
if (!file) throw new Error('usage: collect-netlink.ts OUT/ipvs-netlink/bench.json');
const raw = JSON.parse(readFileSync(file, 'utf8')) as { kernel: string; figures?: FigureInput[]; error?: string };
if (!raw.figures?.length) throw new Error(`no figure measured: ${raw.error ?? 'empty'}`);
const figures = raw.figures.map((f) => figure({ ...f, note: `${f.note ?? ''} Kernel ${raw.kernel} (VM).`.trim() }));
console.error(`wrote ${await writeRun('ipvs-netlink', figures)} (${figures.length} figures)`);
