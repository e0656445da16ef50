// The in-VM benchmark's hands on the system, beyond what the e2e driver already has: keepalived
// started by hand (the anchor), resident memory, a clean network namespace for the 10,000
// destination runs, and polling a single IPVS service (cheap, where listing 10,000 lines is not).
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nsPrefix, runDir } from '../../test/e2e/driver/env.js';
import { log, must, run, waitFor } from '../../test/e2e/driver/exec.js';
import { parseList } from '../../test/e2e/driver/ipvs.js';

// the e2e driver's, which the pods suite's memory figure reads too
export { rssMiB } from '../../test/e2e/driver/node-processes.js';

/** keepalived daemonized in a netns with its own pid files; returns the parent's pid. */
export async function startKeepalived(netns: string, conf: string, options: string[] = []): Promise<number> {
  const dir = join(runDir, 'keepalived', netns);
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, 'keepalived.pid');
  await must([
    'ip',
    'netns',
    'exec',
    netns,
    'keepalived',
    ...options,
    '-f',
    conf,
    '-p',
    pidFile,
    '-r',
    join(dir, 'vrrp.pid'),
    '-c',
    join(dir, 'checkers.pid'),
  ]);
  for (let i = 0; i < 100; i++) {
    try {
      return Number(readFileSync(pidFile, 'utf8').trim());
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  throw new Error(`keepalived in ${netns} wrote no pid file`);
}

/** A fresh, empty network namespace (its own IPVS table); deleted first if it exists. */
export async function freshNetns(name: string): Promise<string> {
  const netns = nsPrefix + name;
  for (const pid of (await run(['ip', 'netns', 'pids', netns])).stdout.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* gone already */
    }
  }
  await run(['ip', 'netns', 'del', netns]);
  await must(['ip', 'netns', 'add', netns]);
  await must(['ip', '-n', netns, 'link', 'set', 'lo', 'up']);
  return netns;
}

/** `ipvsadm -L -n -t SERVICE` in netns: weights by destination, or undefined when the service is not there. */
export async function serviceWeights(netns: string, service: string): Promise<Map<string, number> | undefined> {
  const r = await run(['ip', 'netns', 'exec', netns, 'ipvsadm', '-L', '-n', '-t', service]);
  if (r.code !== 0) return undefined;
  return new Map((parseList(r.stdout)[0]?.destinations ?? []).map((d) => [d.address, d.weight]));
}

/** Runs argv with stdin from a file (no shell): returns the wall time, ms. */
export function timedWithInput(argv: string[], inputFile: string): Promise<number> {
  const start = Date.now();
  const fd = openSync(inputFile, 'r');
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: [fd, 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      closeSync(fd);
      const ms = Date.now() - start;
      log(`[${ms} ms, exit ${code}] ${argv.join(' ')} < ${inputFile}${stderr ? `: ${stderr.slice(0, 300)}` : ''}`);
      resolve(ms);
    });
  });
}

/** Polls (every 10 ms) until probe says true; returns ms since `from`, the moment of the trigger. */
export async function until(
  what: string,
  probe: () => Promise<boolean>,
  from: number,
  timeoutMs: number,
): Promise<number> {
  await waitFor(what, async () => ((await probe()) ? true : undefined), timeoutMs - (Date.now() - from), 10);
  return Date.now() - from;
}
