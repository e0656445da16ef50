// Shared by the importer's tests: fixtures from disk, configs from memory, golden files.
import { existsSync, globSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect } from 'vitest';
import {
  importKeepalived,
  KeepalivedConfigError,
  type ImportOptions,
  type ImportResult,
} from '../../../src/core/keepalived/import/index.js';
import { memorySource } from './memory-source.js';

export const FIXTURES = 'test/fixtures/keepalived';

/** Real files, the way the CLI reads them (paths relative to the repository root, where vitest runs). */
export const diskSource = {
  readFile: (path: string): string => readFileSync(path, 'utf8'),
  glob: (pattern: string): string[] => globSync(pattern),
};

export function importFixtures(names: string[], options: Partial<ImportOptions> = {}): ImportResult {
  return importKeepalived(
    names.map((n) => `${FIXTURES}/${n}`),
    { ...diskSource, ...options },
  );
}

/** Files in memory (memory-source.ts, which the benchmarks share). */
export { memorySource };

/** Imports configs held in memory; the first arguments are the director files. */
export function importTexts(
  files: Record<string, string>,
  options: Partial<ImportOptions> = {},
  only?: string[],
): ImportResult {
  const names = only ?? Object.keys(files);
  return importKeepalived(
    names.map((path) => ({ path, text: files[path]! })),
    { ...memorySource(files), ...options },
  );
}

/** The KeepalivedConfigError the call throws (fails the test if it throws anything else, or nothing). */
export function configError(run: () => unknown): KeepalivedConfigError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(KeepalivedConfigError);
    return e as KeepalivedConfigError;
  }
  throw new Error('expected a KeepalivedConfigError, but the import succeeded');
}

/** Compares with the committed golden file; `UPDATE_GOLDEN=1` rewrites it (review the diff!). */
export function expectGolden(path: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    if (process.env.UPDATE_GOLDEN !== '1')
      throw new Error(`golden file ${path} is missing; run with UPDATE_GOLDEN=1 and review it`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

/** A small valid director config, with hooks to put statements into each block. */
export function template(
  parts: Partial<Record<'top' | 'global' | 'vrrp' | 'sync' | 'vs' | 'rs' | 'check' | 'url', string>> = {},
): string {
  const sync =
    parts.sync === undefined ? '' : `vrrp_sync_group G {\n    group {\n        VI_1\n    }\n    ${parts.sync}\n}\n`;
  return `${sync}global_defs {
    router_id T
    ${parts.global ?? ''}
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 1
    virtual_ipaddress {
        10.0.0.1
    }
    ${parts.vrrp ?? ''}
}
virtual_server 10.0.0.1 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    ${parts.vs ?? ''}
    real_server 10.0.0.2 80 {
        ${parts.rs ?? ''}
        HTTP_GET {
            ${parts.check ?? ''}
            url {
                path /
                status_code 200
                ${parts.url ?? ''}
            }
        }
    }
}
${parts.top ?? ''}
`;
}

/** The line (1-based) of the first line of `text` that contains `needle`. */
export function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((l) => l.includes(needle)) + 1;
}
