// Running commands from the driver. Under TCG every process spawn costs 0.1-0.2 s, so checks spawn
// as little as they can (HTTP requests are made in-process) and every command's time is logged.
import { execFile } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Host, ns, outDir, topologyScript } from './env.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

const logFile = join(outDir, 'driver.log');
export function log(line: string): void {
  appendFileSync(logFile, `${new Date().toISOString().slice(11, 23)} ${line}\n`);
}

export function run(argv: string[], timeoutMs = 60_000): Promise<RunResult> {
  const start = Date.now();
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { timeout: timeoutMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
      const ms = Date.now() - start;
      log(`[${ms} ms, exit ${code}] ${argv.join(' ')}${code ? `: ${stderr.trim().slice(0, 300)}` : ''}`);
      resolve({ code, stdout, stderr, ms });
    });
  });
}

/** Runs argv and returns its stdout; throws with its stderr when it fails. */
export async function must(argv: string[], timeoutMs?: number): Promise<string> {
  const result = await run(argv, timeoutMs);
  if (result.code !== 0) throw new Error(`${argv.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}

export function inNs(host: Host, argv: string[]): string[] {
  return ['ip', 'netns', 'exec', ns(host), ...argv];
}

/** Calls a function of test/e2e/topology.sh (E2E_RUN and E2E_NS come from the environment). */
export function topo(fn: string, ...args: string[]): Promise<string> {
  return must(['bash', '-c', `. "${topologyScript}" && ${fn} "$@"`, fn, ...args], 120_000);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls probe until it returns a value other than undefined; returns it with the time it took. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 200,
): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return { value, ms: Date.now() - start };
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}
