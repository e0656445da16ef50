// Kernel modules the node agent needs before it can converge: ip_vs on a director (the
// net.ipv4.vs.* sysctls and the IPVS table exist only once it is loaded) and ipip on a TUN real
// server (loading it creates the tunl0 fallback device in every network namespace).
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunCommand } from './command.js';

// Starts with a letter or digit so that it can never be read as an option of modprobe.
const MODULE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$/;

export class KernelModuleError extends Error {
  readonly module: string;
  constructor(module: string, message: string) {
    super(message);
    this.name = 'KernelModuleError';
    this.module = module;
  }
}

/**
 * Loads a kernel module with `modprobe NAME`. modprobe exits 0 for a module that is already
 * loaded; when it fails (a container without /lib/modules, a kernel without module support) the
 * module may still be there, loaded by the host or built in, which /sys/module/NAME shows (both
 * modules we need have parameters, so they appear there even when built in).
 * Throws a KernelModuleError naming the module when it is not available.
 */
export async function ensureKernelModule(run: RunCommand, name: string, sysModuleRoot = '/sys/module'): Promise<void> {
  if (!MODULE_NAME.test(name)) throw new KernelModuleError(name, `invalid kernel module name ${JSON.stringify(name)}`);
  let failure: string;
  try {
    const out = await run(['modprobe', name]);
    if (out.code === 0) return;
    failure = `exit ${out.code}: ${out.stderr.trim() || out.stdout.trim()}`;
  } catch (error) {
    failure = (error as Error).message; // modprobe itself is missing (ENOENT)
  }
  if (await isLoaded(name, sysModuleRoot)) return;
  throw new KernelModuleError(name, `kernel module ${name} is not available: modprobe ${name}: ${failure}`);
}

async function isLoaded(name: string, sysModuleRoot: string): Promise<boolean> {
  try {
    // /sys/module uses underscores where modprobe accepts dashes too.
    await access(join(sysModuleRoot, name.replaceAll('-', '_')));
    return true;
  } catch {
    return false;
  }
}
