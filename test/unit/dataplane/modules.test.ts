import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunCommand } from '../../../src/node/dataplane/command.js';
import { ensureKernelModule, KernelModuleError } from '../../../src/node/dataplane/modules.js';

function modprobe(code: number, stderr = '') {
  const calls: string[][] = [];
  const run: RunCommand = async (argv) => {
    calls.push([...argv]);
    return { code, stdout: '', stderr };
  };
  return { run, calls };
}

describe('ensureKernelModule', () => {
  it('runs modprobe NAME; exit 0 (loaded now or before) is success', async () => {
    const { run, calls } = modprobe(0);
    await ensureKernelModule(run, 'ip_vs');
    expect(calls).toEqual([['modprobe', 'ip_vs']]);
  });

  it('a failing modprobe for a module that is loaded (or built in) is success', async () => {
    const sys = mkdtempSync(join(tmpdir(), 'lvs-sys-module-'));
    mkdirSync(join(sys, 'ip_vs'));
    await ensureKernelModule(modprobe(1, 'modprobe: FATAL: Module ip_vs not found').run, 'ip_vs', sys);
  });

  it('a module that is not there: an error naming it, with modprobe`s message', async () => {
    const attempt = ensureKernelModule(
      modprobe(1, 'modprobe: FATAL: Module ipip not found').run,
      'ipip',
      '/nonexistent',
    );
    await expect(attempt).rejects.toThrow(
      'kernel module ipip is not available: modprobe ipip: exit 1: modprobe: FATAL: Module ipip not found',
    );
    await expect(attempt).rejects.toBeInstanceOf(KernelModuleError);
    await expect(attempt).rejects.toMatchObject({ module: 'ipip' });
  });

  it('modprobe itself missing is reported the same way', async () => {
    const run: RunCommand = async () => {
      throw new Error('spawn modprobe ENOENT');
    };
    await expect(ensureKernelModule(run, 'ipip', '/nonexistent')).rejects.toThrow(
      'kernel module ipip is not available: modprobe ipip: spawn modprobe ENOENT',
    );
  });

  it.each(['', '-r', 'ip_vs ipip', '../x', 'a'.repeat(65)])('runs nothing for the name %j', async (name) => {
    const { run, calls } = modprobe(0);
    await expect(ensureKernelModule(run, name)).rejects.toThrow(/invalid kernel module name/);
    expect(calls).toEqual([]);
  });
});
