// The inputs the parseSave fuzz test throws at the parser, shared with bench/parsers.bench.ts so
// that the benchmark times exactly what the test checks (the test judges the outcome, the
// benchmark writes down how long it took).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { renderSave } from '../../../src/core/ipvs/save-format.js';
import { dr, nat, table, tcp } from './builders.js';

// From the repository root, where vitest and the benchmarks run (a bundled copy has no
// import.meta.url of its own to go by).
const GOLDEN_DIR = 'test/golden/ipvs';
/** Real `ipvsadm -S -n` outputs: the starting points of the mutations. */
export const GOLDEN_TEXTS = readdirSync(GOLDEN_DIR)
  .filter((f) => f.endsWith('.save'))
  .map((f) => readFileSync(join(GOLDEN_DIR, f), 'utf8'));

// Tokens that reach deep into the parser: every option, good and bad values.
export const TOKEN = fc.oneof(
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
export const LINE = fc.array(TOKEN, { maxLength: 14 }).map((tokens) => tokens.join(' '));

/** Random strings, up to 400 characters. */
export const RANDOM_STRING = fc.string({ maxLength: 400 });

/** Up to 10 lines of random full-unicode text. */
export const UNICODE_LINES = fc
  .array(fc.string({ unit: 'grapheme', maxLength: 40 }), { maxLength: 10 })
  .map((ls) => ls.join('\n'));

/** Up to 6 lines made of ipvsadm's tokens. */
export const TOKEN_LINES = fc.array(LINE, { maxLength: 6 }).map((ls) => ls.join('\n'));

const MUTATION = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(TOKEN, fc.string({ maxLength: 3 })),
  }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof MUTATION extends fc.Arbitrary<infer M> ? M : never;

function mutate(original: string, mutations: readonly Mutation[]): string {
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
  return text;
}

/** Real ipvsadm -S outputs with 1-4 random edits: delete, insert, replace characters, shuffle lines. */
export const MUTATED_GOLDEN = fc
  .tuple(fc.constantFrom(...GOLDEN_TEXTS), fc.array(MUTATION, { minLength: 1, maxLength: 4 }))
  .map(([original, mutations]) => mutate(original, mutations));

/** The pathological sizes, built on demand (each is large). */
export const PATHOLOGICAL = {
  '1 MB token': () => '-A -t ' + 'x'.repeat(1_000_000),
  '100,000 blank lines': () => '\n'.repeat(100_000),
};

/** `ipvsadm -S` of a 10,000-destination service and a 1-destination one. */
export function bigTable(destinations = 10_000): string {
  const dests = Array.from({ length: destinations }, (_, i) =>
    nat(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 8080),
  );
  return renderSave(table(tcp('192.0.2.1', 80, 'rr', {}, dests), tcp('192.0.2.2', 80, 'rr', {}, [dr('10.9.9.9', 80)])));
}
