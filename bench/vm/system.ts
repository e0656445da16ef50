// The in-VM benchmark's hands on the system, beyond what the e2e driver already has: keepalived
// started by hand (the anchor), resident memory, a clean network namespace for the 10,000
// destination runs, and polling a single IPVS service (cheap, where listing 10,000 lines is not).
import { spawn } from 'node:child_process';
import { closeSync, cpSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestsDir, nsPrefix, runDir } from '../../test/e2e/driver/env.js';
import { log, must, run } from '../../test/e2e/driver/exec.js';

/** Copies bench/manifests/VARIANT over the agents' working manifests (file by file, atomically enough for a watch). */
export function useBenchManifests(benchDir: string, variant: string): void {
  mkdirSync(manifestsDir, { recursive: true });
  for (const file of readdirSync(join(benchDir, 'manifests', variant))) {
    cpSync(join(benchDir, 'manifests', variant, file), join(manifestsDir, file));
  }
  log(`manifests: bench/${variant}`);
}

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

/** Every process in the netns with this command name. */
export async function pidsIn(netns: string, comm: string): Promise<number[]> {
  const pids = (await run(['ip', 'netns', 'pids', netns])).stdout.split(/\s+/).filter(Boolean).map(Number);
  return pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm;
    } catch {
      return false;
    }
  });
}

/** Resident memory (VmRSS) of the processes, MiB. */
export function rssMiB(pids: readonly number[]): number {
  let kib = 0;
  for (const pid of pids) {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    kib += Number(m?.[1] ?? 0);
  }
  return kib / 1024;
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
  const out = new Map<string, number>();
  for (const m of r.stdout.matchAll(/^\s+->\s+(\S+)\s+\S+\s+(\d+)/gm)) out.set(m[1]!, Number(m[2]));
  return out;
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

/** Polls until probe answers; returns ms since `from`. */
export async function until(
  what: string,
  probe: () => Promise<boolean>,
  from: number,
  timeoutMs: number,
): Promise<number> {
  for (;;) {
    if (await probe()) return Date.now() - from;
    if (Date.now() - from > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
