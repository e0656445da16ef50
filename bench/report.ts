// `npm run bench:report`: reads every run in bench/results/, draws bench/results/summary.svg and
// puts the table into README.md between the bench markers. The README is touched only there;
// without the markers the section is printed instead, for a person to place.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readRuns, repoRoot, resultsDir } from './results.js';
import { summarySvg } from './svg.js';
import { END_MARKER, readmeSection, spliceReadme, START_MARKER } from './table.js';

const root = repoRoot();
const runs = readRuns();
const svgPath = join(resultsDir(), 'summary.svg');
mkdirSync(resultsDir(), { recursive: true });
writeFileSync(svgPath, summarySvg(runs));
console.log(`wrote ${relative(root, svgPath)} (${runs.length} runs)`);

const readmePath = join(root, 'README.md');
const section = readmeSection(runs, relative(root, svgPath));
const updated = spliceReadme(readFileSync(readmePath, 'utf8'), section);
if (updated === undefined) {
  console.log(`README.md has no ${START_MARKER} … ${END_MARKER} lines; the section it would hold:\n`);
  console.log(section);
} else {
  writeFileSync(readmePath, updated);
  console.log('updated the benchmark section of README.md');
}
