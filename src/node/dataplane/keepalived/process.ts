// Finding and waiting for a keepalived process through its pid file and /proc.
//
// A pid in a pid file is trusted only when /proc says it is a live keepalived started with our
// config file: after a crash (SIGKILL leaves the pid files behind) the number may have been
// reused by any other process, and we must never adopt or signal that one. A zombie counts as
// gone: in a container whose PID 1 does not reap, an exited daemon stays a zombie.
import { readFile } from 'node:fs/promises';

/** The pid in a pid file; undefined when the file is missing or holds no pid. */
export async function readPidFile(path: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 1 ? pid : undefined;
}

async function readProc(pid: number, file: string): Promise<string | undefined> {
  try {
    return await readFile(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether the process exists and has not exited (a zombie has exited). */
export async function isAlive(pid: number): Promise<boolean> {
  const stat = await readProc(pid, 'stat');
  if (stat === undefined) return false;
  // "PID (COMM) STATE ...": COMM may contain blanks and parentheses, so cut at the last ')'.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/** Whether pid is a live keepalived whose command line names `configPath` (its --use-file). */
export async function isKeepalivedWithConfig(pid: number, configPath: string): Promise<boolean> {
  const [comm, cmdline] = await Promise.all([readProc(pid, 'comm'), readProc(pid, 'cmdline')]);
  if (comm?.trim() !== 'keepalived' || cmdline === undefined) return false;
  const argv = cmdline.split('\0');
  const usesConfig = argv.includes(configPath) || argv.includes(`--use-file=${configPath}`);
  return usesConfig && (await isAlive(pid));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every `intervalMs` until it holds (true) or `timeoutMs` passed (false). */
export async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/** Sends a signal; false when the process is already gone. */
export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}
