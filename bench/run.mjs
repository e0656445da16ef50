// Runs one TypeScript benchmark program: `node bench/run.mjs bench/plan.bench.ts [args]`.
// The repo's sources import each other as .js, which Node's own type stripping cannot follow,
// and ts-node's loader would put a TypeScript compiler into the process being measured; so the
// program is bundled with esbuild (packages stay external) and run in a fresh Node, with --expose-gc
// so that memory can be measured after a collection.
import { spawnSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node bench/run.mjs bench/<program>.ts [args...]');
  process.exit(2);
}
// Under the package root, so that the sources find crds/ by walking up from the bundle; in
// node_modules/.cache, so that eslint, prettier and git leave the bundles alone.
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outfile = join(root, 'node_modules', '.cache', 'lvs-operator-bench', basename(entry).replace(/\.ts$/, '.mjs'));
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});
const child = spawnSync(process.execPath, ['--expose-gc', '--enable-source-maps', outfile, ...args], {
  stdio: 'inherit',
});
process.exit(child.status ?? 1);
