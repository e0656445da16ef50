// The one way lvs-operator runs a system tool: an argv array handed to spawn, never a shell, so
// no value from an object can become shell syntax. Drivers take a RunCommand so tests can
// record what they would run.
import { spawn } from 'node:child_process';

export interface CommandOutput {
  /** Exit status; null when the process was killed (e.g. by the timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the child's stdin, then stdin is closed (ipvsadm -R reads its batch there). */
  input?: string;
  /** Kill the child after this many milliseconds (default 30 s). */
  timeoutMs?: number;
}

export type RunCommand = (argv: readonly string[], options?: RunOptions) => Promise<CommandOutput>;

export const runCommand: RunCommand = (argv, options = {}) =>
  new Promise((resolve, reject) => {
    const [file, ...args] = argv;
    if (!file) return reject(new Error('runCommand: empty argv'));
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // a tool that exits without reading its stdin is not our error
    child.stdin.end(options.input ?? '');
  });

/** Runs and throws with the tool's own message when it fails. */
export async function runChecked(run: RunCommand, argv: readonly string[], options?: RunOptions): Promise<string> {
  const out = await run(argv, options);
  if (out.code !== 0) throw new Error(`${argv.join(' ')}: exit ${out.code}: ${out.stderr.trim() || out.stdout.trim()}`);
  return out.stdout;
}
