// One run of test/e2e/e2e.sh (the bundles, the VM or the host, every check of a driver in one
// boot) in beforeAll, then one test per check of the driver's names table, failing with the
// check's details. Needs root; the suites run only with LVS_E2E=1 (npm test skips them).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from './driver/results.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const enabled = process.env.LVS_E2E === '1';

/**
 * more: registers tests of the suite's own that read the run's output dir (given once the run is
 * done); they run after the checks' tests.
 */
export function e2eSuite(
  title: string,
  names: Record<string, string>,
  env: Record<string, string> = {},
  more?: (outDir: () => string) => void,
): void {
  // the VM's own timeout (run.sh's default 1500 s) and 15 minutes for what comes before it on a
  // fresh machine (the bundles, the image, the VM image) and the VM's boot and teardown
  const runTimeoutMs = (Number(env.LVS_E2E_VM_TIMEOUT ?? process.env.LVS_E2E_VM_TIMEOUT ?? 1500) + 900) * 1000;
  describe.skipIf(!enabled)(title, () => {
    const results = new Map<string, CheckResult>();
    let out = '';
    let runError = '';

    beforeAll(async () => {
      const base = process.env.LVS_E2E_OUT;
      out = base
        ? join(
            base,
            env.LVS_E2E_KUBELETS
              ? 'pods'
              : env.LVS_E2E_IMAGE === '1'
                ? 'image'
                : env.LVS_E2E_APISERVER === '1'
                  ? 'cluster'
                  : 'local',
          )
        : mkdtempSync(join(tmpdir(), 'lvs-operator-e2e-'));
      mkdirSync(out, { recursive: true });
      const log = openSync(join(out, 'e2e.log'), 'w');
      const status = await new Promise<number | null>((resolve) => {
        const child = spawn(join(here, 'e2e.sh'), [out], {
          stdio: ['ignore', log, log],
          env: { ...process.env, ...env },
        });
        const timer = setTimeout(() => child.kill('SIGTERM'), runTimeoutMs);
        child.on('exit', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
      const file = join(out, 'results.json');
      if (existsSync(file)) {
        for (const r of JSON.parse(readFileSync(file, 'utf8')) as CheckResult[]) results.set(r.id, r);
      }
      // exit 1 = some check failed (the tests say which); anything else without results is the harness's
      if (results.size === 0) runError = `e2e.sh exited ${status} without results; see ${out}/e2e.log and console.log`;
      console.log(`e2e (${title}): exit ${status}, ${results.size} results in ${out}`);
    }, runTimeoutMs + 60_000);

    // in the driver's order (Object.entries would put the integer-like ids 0, 1, 2 ... first)
    const checks = Object.entries(names).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
    for (const [id, name] of checks) {
      it(name, () => {
        const r = results.get(id);
        if (!r) throw new Error(runError || `no result for check ${id}: the run stopped before it (see ${out})`);
        const figures = Object.keys(r.figures).length ? `\nfigures: ${JSON.stringify(r.figures)}` : '';
        expect(r.ok, `${r.details}${figures}\n(logs: ${out})`).toBe(true);
      });
    }
    more?.(() => out);
  });
}
