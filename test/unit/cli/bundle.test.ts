// The bundle (npm run bundle: lvs-operator.mjs and the chunks each command loads, what the image
// and the e2e runs execute) loads and runs, with koffi left outside it and found beside it, as the
// Dockerfile ships it. A name clash with the bundle's banner (createRequire) once broke only the
// bundle: the sources' own tests passed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;

/** The package.json "bundle" script's esbuild arguments (after its `rm -rf`), with the output somewhere else. */
function bundleArgs(outdir: string): string[] {
  const script = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { bundle: string } })
    .scripts.bundle;
  const esbuild = script.slice(script.indexOf('esbuild '));
  // shell words: a double-quoted part (the banner) stays in its word, without its quotes
  const args = [...esbuild.matchAll(/(?:[^\s"]+|"[^"]*")+/g)].map((m) => m[0].replace(/"/g, ''));
  return args.slice(1).map((a) => (a.startsWith('--outdir=') ? `--outdir=${outdir}` : a));
}

describe('the bundle', () => {
  it('runs, and leaves koffi outside it to be found in node_modules beside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvs-bundle-'));
    const outfile = join(dir, 'lvs-operator.mjs');
    execFileSync(join(root, 'node_modules/.bin/esbuild'), bundleArgs(dir), { cwd: root, stdio: 'pipe' });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    const seed = join(root, 'examples/seed-dr');
    const r = spawnSync(process.execPath, [outfile, 'render', 'ipvs', '--manifests', seed, '--node', 'lvs01'], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('-A -t 172.16.40.160:80 -s rr -p 5');
    const text = readdirSync(dir)
      .filter((f) => f.endsWith('.mjs'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    expect(text).toContain('.createRequire(import.meta.url)("koffi")');
    expect(text).not.toContain('koffi.node');
  }, 60_000);
});
