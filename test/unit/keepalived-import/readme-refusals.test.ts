// The README's table of what import-keepalived refuses says what the importer does: every keyword
// it refuses is in the table with the reason its error gives, and the table names nothing else.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REFUSED_KEYWORDS } from '../../../src/core/keepalived/import/keywords.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The table's rows under the README's heading: keyword -> reason. */
function documented(): Map<string, string> {
  const start = readme.indexOf('### What `import-keepalived` refuses, and why');
  expect(start, 'the README has the section').toBeGreaterThan(-1);
  const section = readme.slice(start, readme.indexOf('\n## ', start));
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const m = /^\| (`[^|]+`) \| (.+) \|$/.exec(line);
    if (!m) continue;
    for (const keyword of m[1]!.split(', ')) rows.set(keyword.replace(/`/g, ''), m[2]!);
  }
  return rows;
}

describe("the README's list of refused keepalived keywords", () => {
  it('names every keyword the importer refuses, with the reason its error gives, and nothing else', () => {
    const rows = documented();
    expect(Object.fromEntries(rows)).toEqual({ ...REFUSED_KEYWORDS });
  });
});
