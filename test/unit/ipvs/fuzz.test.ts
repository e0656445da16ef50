// Whatever text it gets (a truncated read, a newer ipvsadm, a hand edit), parseSave must answer
// with a table or a SaveFormatError, and fast. The same for the simulator's line parser.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyRestoreLines, RestoreRejectedError } from '../../../src/core/ipvs/restore-sim.js';
import { parseSave, renderSave, SaveFormatError } from '../../../src/core/ipvs/save-format.js';
import { dr, nat, table, tcp } from './builders.js';

const GOLDEN_DIR = new URL('../../golden/ipvs/', import.meta.url);
const GOLDEN_TEXTS = readdirSync(GOLDEN_DIR)
  .filter((f) => f.endsWith('.save'))
  .map((f) => readFileSync(new URL(f, GOLDEN_DIR), 'utf8'));

/** Runs parseSave; only a SaveFormatError may come out. */
function parsesOrRejects(text: string): void {
  try {
    parseSave(text);
  } catch (e) {
    if (!(e instanceof SaveFormatError)) {
      throw new Error(`not a SaveFormatError for ${JSON.stringify(text.slice(0, 200))}: ${String(e)}`, { cause: e });
    }
    expect(e.message).toMatch(/^line \d+: /);
  }
}

// Tokens that reach deep into the parser: every option, good and bad values.
const TOKEN = fc.oneof(
  fc.constantFrom(
    '-A',
    '-E',
    '-D',
    '-C',
    '-a',
    '-e',
    '-d',
    '-t',
    '-u',
    '--sctp-service',
    '-f',
    '-6',
    '-s',
    '-p',
    '-M',
    '-b',
    '-o',
    '-r',
    '-g',
    '-i',
    '-m',
    '-w',
    '-x',
    '-y',
    '--tun-type',
    '--tun-port',
    '--tun-csum',
    '--tun-remcsum',
    '--tun-nocsum',
    '--pe',
    '--weight=',
    '--add-service',
    '--real-server',
    '-w5',
    '-',
    '--',
    '#',
    '[',
    ']',
    ':',
    ',',
    '=',
  ),
  fc.constantFrom(
    '192.0.2.1:80',
    '[2001:db8::1]:80',
    '10.0.0.1',
    '[::ffff:1.2.3.4]:0',
    '0.0.0.0:0',
    '192.0.2.1:',
    '[2001:db8::1]',
    '[:::]:80',
    '1.2.3.4:99999',
    'rr',
    'sh',
    'mh',
    'sh-port,flag-1',
    'flag-9',
    'gue',
    'gre',
    'ipip',
    '255.255.255.0',
    '64',
    '0',
    '360',
    '2147483647',
    '2147483648',
    '4294967296',
    '-1',
    '1e3',
    ' ',
    '\t',
    '\u00a0',
    '\u0000',
  ),
  fc.string({ maxLength: 12 }),
);
const LINE = fc.array(TOKEN, { maxLength: 14 }).map((tokens) => tokens.join(' '));

describe('parseSave never fails with anything but a SaveFormatError', () => {
  it('random strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => parsesOrRejects(s)),
      { numRuns: 2000 },
    );
  });

  it('random full-unicode strings with newlines', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { maxLength: 10 }), (ls) =>
        parsesOrRejects(ls.join('\n')),
      ),
      { numRuns: 1000 },
    );
  });

  it('random lines made of ipvsadm tokens', () => {
    fc.assert(
      fc.property(fc.array(LINE, { maxLength: 6 }), (ls) => parsesOrRejects(ls.join('\n'))),
      { numRuns: 3000 },
    );
  });

  it('real ipvsadm -S outputs with random edits (delete, insert, replace characters, shuffle lines)', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        text: fc.oneof(TOKEN, fc.string({ maxLength: 3 })),
      }),
      fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...GOLDEN_TEXTS),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (original, mutations) => {
          let text = original;
          for (const m of mutations) {
            const at = text.length === 0 ? 0 : m.at % text.length;
            if (m.kind === 'delete') text = text.slice(0, at) + text.slice(at + m.length);
            if (m.kind === 'insert') text = text.slice(0, at) + m.text + text.slice(at);
            if (m.kind === 'truncate') text = text.slice(0, at);
            if (m.kind === 'swap') {
              const lines = text.split('\n');
              const [i, j] = [m.at % lines.length, m.other % lines.length];
              [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
              text = lines.join('\n');
            }
          }
          parsesOrRejects(text);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('pathological sizes: a 1 MB token, 100,000 blank lines, a 10,000-destination table', () => {
    parsesOrRejects('-A -t ' + 'x'.repeat(1_000_000));
    parsesOrRejects('\n'.repeat(100_000));
    const dests = Array.from({ length: 10_000 }, (_, i) =>
      nat(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 8080),
    );
    const big = renderSave(
      table(tcp('192.0.2.1', 80, 'rr', {}, dests), tcp('192.0.2.2', 80, 'rr', {}, [dr('10.9.9.9', 80)])),
    );
    expect(parseSave(big).table.services[0]?.destinations).toHaveLength(10_000);
  });
});

describe('applyRestoreLines never fails with anything but SaveFormatError or RestoreRejectedError', () => {
  it('random lines made of ipvsadm tokens, applied to a small table', () => {
    const start = table(tcp('192.0.2.1', 80, 'rr', {}, [nat('10.0.0.1', 80)]));
    fc.assert(
      fc.property(fc.array(LINE, { maxLength: 6 }), (lines) => {
        try {
          applyRestoreLines(start, lines);
        } catch (e) {
          if (!(e instanceof SaveFormatError || e instanceof RestoreRejectedError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
