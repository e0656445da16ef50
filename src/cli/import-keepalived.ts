// The edge of `lvs-operator import-keepalived`: runs the pure importer and turns its result into
// the CLI's CommandResult (YAML on stdout, warnings and errors on stderr, exit 1 on errors).
// The default glob is the only file-system access here; tests inject their own.
import { globSync } from 'node:fs';
import type { CommandResult } from './io.js';
import { formatProblem } from '../core/keepalived/import/errors.js';
import { importKeepalived, KeepalivedConfigError, toYaml } from '../core/keepalived/import/index.js';

export interface ImportFilesOptions {
  node?: string;
  namespace?: string;
  readFile(path: string): string;
  glob?(pattern: string): string[];
}

export function importKeepalivedFiles(files: readonly string[], options: ImportFilesOptions): CommandResult {
  const glob = options.glob ?? ((pattern: string) => globSync(pattern));
  try {
    const { objects, warnings } = importKeepalived(files, { ...options, glob });
    return { code: 0, stdout: toYaml(objects), stderr: warnings.map((w) => `warning: ${w}\n`).join('') };
  } catch (e) {
    if (!(e instanceof KeepalivedConfigError)) throw e;
    return { code: 1, stdout: '', stderr: e.problems.map((p) => `error: ${formatProblem(p)}\n`).join('') };
  }
}
