import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importKeepalivedFiles } from '../../../src/cli/import-keepalived.js';
import { FIXTURES } from './helpers.js';

const readFile = (path: string): string => readFileSync(path, 'utf8');

describe('import-keepalived command', () => {
  it('prints the YAML on stdout and the warnings on stderr, globbing includes on disk', () => {
    const result = importKeepalivedFiles([`${FIXTURES}/include/keepalived.conf`], { readFile });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(readFileSync('test/golden/import/include.yaml', 'utf8'));
    expect(result.stderr).toMatch(
      /^warning: test\/fixtures\/keepalived\/include\/keepalived.conf:1: only lvs-inc's VRRP priority is known/,
    );
  });

  it('exits 1 with every problem on stderr', () => {
    const result = importKeepalivedFiles(['bad.conf'], {
      readFile: () => 'virtual_server 10.0.0.1 80 {\n ops\n}\n}\n',
      glob: () => [],
    });
    expect(result).toEqual({ code: 1, stdout: '', stderr: "error: bad.conf:4: unexpected '}'\n" });
  });
});
