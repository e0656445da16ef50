// The IPVS interface over generic netlink (src/node/ipvs/netlink.ts) on a real kernel, judged by
// the real ipvsadm: one VM boot (vm/run.sh, or the host where it has IPVS) runs
// ipvs-netlink/main.ts, which records the kernel conversations (ipvs-netlink/captures) and runs
// the checks of ipvs-netlink/checks.ts, then the agent's bundle on the seed (ipvs-netlink/run.sh);
// one test per check here. About 3-5 min under TCG.
// Needs root; runs only with LVS_E2E=1 (npm test skips it), as the other e2e suites.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from './ipvs-netlink/checks.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const enabled = process.env.LVS_E2E === '1';
const runTimeoutMs = 20 * 60_000;

const NAMES: Record<string, string> = {
  batch:
    'a batch of 5 services x 100 destinations (4 sends) is what ipvsadm -S shows, and services() reads it back with thresholds',
  errors:
    'per-operation errors: EEXIST, ESRCH, ENOENT naming the missing scheduler, each on its own operation; the others applied',
  reads: 'services(), connections() and stats() read what the ipvsadm implementation reads',
  daemons: 'sync daemons started and stopped over netlink are what ipvsadm -L --daemon shows',
  foreign: "a firewall-mark service and a user's service are left as they are; the firewall-mark one is not read",
  enobufs:
    'after ENOBUFS the lost replies are reported, none is misreported as done, and the same instance reads the table right',
  agent:
    "the agent's bundle (netlink by default, koffi beside it) programs the seed on lvs01 and the VIP answers the client",
};

function run(argv: string[], log: number, env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', log, log], env });
    const timer = setTimeout(() => child.kill('SIGTERM'), runTimeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe.skipIf(!enabled)('IPVS over generic netlink on a real kernel (test/e2e/ipvs-netlink)', () => {
  const results = new Map<string, CheckResult>();
  let out = '';
  let runError = '';

  beforeAll(async () => {
    const base = process.env.LVS_E2E_OUT;
    out = base ? join(base, 'ipvs-netlink-run') : mkdtempSync(join(tmpdir(), 'lvs-operator-netlink-'));
    mkdirSync(out, { recursive: true });
    const log = openSync(join(out, 'e2e.log'), 'w');
    // koffi stays outside the bundle: the VM finds it through OUT/node_modules (the host's / is its /).
    const esbuild = [join(root, 'node_modules/.bin/esbuild'), join(here, 'ipvs-netlink/main.ts'), '--bundle'];
    const flags = ['--platform=node', '--format=esm', '--target=node24', '--external:koffi', '--log-level=warning'];
    // the agent's bundle too, as e2e.sh makes it (check "agent" runs it)
    const bundled = await run(['npm', 'run', '--silent', 'bundle'], log, process.env);
    const built =
      bundled || (await run([...esbuild, ...flags, `--outfile=${join(out, 'ipvs-netlink.mjs')}`], log, process.env));
    rmSync(join(out, 'node_modules'), { force: true });
    symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'));
    const env = { ...process.env, LVS_E2E_BUNDLE: join(root, 'dist/bundle/lvs-operator.mjs') };
    const status =
      built === 0 ? await run([join(here, 'vm/run.sh'), join(here, 'ipvs-netlink/run.sh'), out], log, env) : built;
    const file = join(out, 'ipvs-netlink', 'results.json');
    if (existsSync(file)) {
      for (const r of JSON.parse(readFileSync(file, 'utf8')) as CheckResult[]) results.set(r.id, r);
    }
    const agent = join(out, 'ipvs-netlink', 'agent.json');
    if (existsSync(agent)) results.set('agent', JSON.parse(readFileSync(agent, 'utf8')) as CheckResult);
    if (results.size === 0) runError = `the run exited ${status} without results; see ${out}/e2e.log and console.log`;
  }, runTimeoutMs + 60_000);

  for (const [id, name] of Object.entries(NAMES)) {
    it(name, () => {
      const r = results.get(id);
      if (!r) throw new Error(runError || `no result for check ${id} (see ${out})`);
      expect(r.ok, `${r.details}\n(logs: ${out})`).toBe(true);
    });
  }
});
