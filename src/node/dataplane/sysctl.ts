// Converges the node's sysctls to the plan through /proc/sys (plain file I/O: no process per
// value, and the values are those of the network namespace of the process that reads them).
// The agent owns only what it changed: `memory` maps each sysctl it changed to the value it had
// before the first change, so that a sysctl leaving the plan gets its original value back.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SysctlPlan } from '../../core/api/generated/lvsnode.js';

export const DEFAULT_PROC_SYS = '/proc/sys';

/** The CRD's pattern, checked again here because the name becomes a path. */
const SYSCTL_NAME = /^net\.(ipv4|ipv6)(\.[a-zA-Z0-9_-]+)+$/;

export interface SysctlError {
  name: string;
  /** The value we tried to write (the desired one, or the original when restoring). */
  value: string;
  message: string;
}

export interface SysctlConvergence {
  /** name -> the value before we first changed it; the caller keeps it for the next run. */
  memory: Record<string, string>;
  /** The sysctls written in this run (set to the plan's value or restored). */
  changed: string[];
  errors: SysctlError[];
}

export function isValidSysctlName(name: string): boolean {
  return SYSCTL_NAME.test(name) && !name.includes('..') && !name.includes('/');
}

/**
 * The file behind a sysctl. Every dot becomes a slash, as sysctl(8) does: a device whose name
 * has a dot (a VLAN like ens192.100) cannot be named, since the CRD forbids the `/` that
 * sysctl(8) uses to escape it.
 */
export function sysctlPath(name: string, procRoot = DEFAULT_PROC_SYS): string {
  if (!isValidSysctlName(name)) throw new Error(`invalid sysctl name ${JSON.stringify(name)}`);
  return join(procRoot, ...name.split('.'));
}

/** The value as the kernel prints it, without the trailing newline. */
export async function readSysctl(name: string, procRoot = DEFAULT_PROC_SYS): Promise<string> {
  return (await readFile(sysctlPath(name, procRoot), 'utf8')).replace(/\n$/, '');
}

export async function writeSysctl(name: string, value: string, procRoot = DEFAULT_PROC_SYS): Promise<void> {
  // Opened without O_CREAT ('r+'): a sysctl that does not exist must fail with ENOENT, never be
  // created (which matters for a plain directory standing in for /proc/sys in tests).
  await writeFile(sysctlPath(name, procRoot), `${value}\n`, { flag: 'r+' });
}

/**
 * Multi-value sysctls (ip_local_port_range) read back with tabs; compare by fields so that
 * "32768 60999" in the plan matches "32768\t60999" in the kernel.
 */
export function sameSysctlValue(a: string, b: string): boolean {
  return a.trim().split(/\s+/).join(' ') === b.trim().split(/\s+/).join(' ');
}

export async function convergeSysctls(
  desired: readonly SysctlPlan[],
  memory: Readonly<Record<string, string>>,
  procRoot = DEFAULT_PROC_SYS,
): Promise<SysctlConvergence> {
  const remembered: Record<string, string> = { ...memory };
  const changed: string[] = [];
  const errors: SysctlError[] = [];
  const wanted = new Set(desired.map((s) => s.name));

  for (const { name, value } of desired) {
    try {
      const current = await readSysctl(name, procRoot);
      if (sameSysctlValue(current, value)) continue;
      await writeSysctl(name, value, procRoot);
      // Remembered after the write took: a failed write changed nothing to undo. Only the
      // first original counts: a later plan change must not make our own value "original".
      if (!(name in remembered)) remembered[name] = current;
      changed.push(name);
      await verify(name, value, procRoot);
    } catch (error) {
      errors.push({ name, value, message: describe(name, error) });
    }
  }

  for (const [name, original] of Object.entries(memory)) {
    if (wanted.has(name)) continue;
    try {
      await writeSysctl(name, original, procRoot);
      changed.push(name);
      await verify(name, original, procRoot);
      delete remembered[name];
    } catch (error) {
      if (isMissing(error)) {
        // The device or module is gone and our value with it (a recreated device or a reloaded
        // module starts from the defaults): nothing is left to undo.
        delete remembered[name];
        continue;
      }
      errors.push({ name, value: original, message: describe(name, error) });
    }
  }
  return { memory: remembered, changed, errors };
}

async function verify(name: string, value: string, procRoot: string): Promise<void> {
  const now = await readSysctl(name, procRoot);
  // Some sysctls accept a write and keep another value (clamped, or only 0/1 accepted).
  if (!sameSysctlValue(now, value))
    throw new Error(`sysctl ${name}: wrote ${JSON.stringify(value)} but the kernel holds ${JSON.stringify(now)}`);
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

function describe(name: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return (
      `sysctl ${name} does not exist` +
      (name.startsWith('net.ipv4.vs.') ? ' (the ip_vs kernel module is not loaded)' : ' (no such device or module yet)')
    );
  if (code === 'EINVAL') return `sysctl ${name}: the kernel rejects the value (EINVAL)`;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return `sysctl ${name}: not writable here (${code}; is /proc/sys mounted read-only?)`;
  return (error as Error).message.startsWith('sysctl ')
    ? (error as Error).message
    : `sysctl ${name}: ${(error as Error).message}`;
}
