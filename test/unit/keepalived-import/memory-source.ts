// keepalived.conf files held in memory for the importer, without vitest (the benchmarks use it too).
import type { ImportOptions } from '../../../src/core/keepalived/import/index.js';

/** Files in memory: `{ 'a.conf': '...' }`; glob matches `*` within one directory level. */
export function memorySource(files: Record<string, string>): Pick<ImportOptions, 'readFile' | 'glob'> {
  return {
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: ${path}`);
      return text;
    },
    glob: (pattern) => {
      const re = new RegExp(
        `^${pattern
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]')}$`,
      );
      return Object.keys(files).filter((p) => re.test(p));
    },
  };
}
