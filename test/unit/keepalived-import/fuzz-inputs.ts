// The inputs the importer's fuzz test throws at it, shared with bench/parsers.bench.ts so that
// the benchmark times exactly what the test checks (the test judges the outcome, the benchmark
// writes down how long it took). Each input is a set of files and the director files among them.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';

/** From the repository root, where vitest and the benchmarks run. */
const FIXTURES = 'test/fixtures/keepalived';
export const SEED_01 = readFileSync(`${FIXTURES}/seed-lvs01.conf`, 'utf8');
export const SEED_02 = readFileSync(`${FIXTURES}/seed-lvs02.conf`, 'utf8');
export const TUN = readFileSync(`${FIXTURES}/tun-http-ssl.conf`, 'utf8');

export interface ImportInput {
  files: Record<string, string>;
  directors: string[];
}

/** Words, braces, quotes and comment marks that keepalived.conf is made of. */
const fragment = fc.oneof(
  fc.constantFrom('{', '}', '\n', ' ', '"', "'", '#', '!', '\\', '\t', '\r\n', '$X', '@a'),
  fc.constantFrom(
    'global_defs',
    'router_id',
    'vrrp_instance',
    'virtual_server',
    'real_server',
    'TCP_CHECK',
    'HTTP_GET',
    'url',
    'path',
    'virtual_ipaddress',
    'authentication',
    'auth_type',
    'PASS',
    'lb_kind',
    'lb_algo',
    'protocol',
    'TCP',
    'persistence_timeout',
    'include',
    'a.conf',
    '*.conf',
    'unicast_peer',
    'priority',
    'state',
    'MASTER',
  ),
  fc.constantFrom('10.0.0.1', '10.0.0.2', '::1', '80', '0', '255', '65536', '1.5', '-1', '/x'),
  fc.string({ maxLength: 6 }),
);
const soup = fc.array(fragment, { maxLength: 120 }).map((parts) => parts.join(' '));

type Edit = { op: 'delete' | 'duplicate' | 'swap' | 'insert'; at: number; to: number; piece: string };
const edit: fc.Arbitrary<Edit> = fc.record({
  op: fc.constantFrom('delete', 'duplicate', 'swap', 'insert'),
  at: fc.nat(),
  to: fc.nat(),
  piece: fc.constantFrom('{', '}', '"', '\n', '#', 'include a.conf\n', 'real_server 10.0.0.9 80 {'),
});

/** Applies token-level edits: delete, duplicate or swap words and braces, or insert a piece. */
function mutate(text: string, edits: readonly Edit[]): string {
  const pieces = text.split(/(\s+|[{}])/).filter((p) => p !== '');
  for (const { op, at, to, piece } of edits) {
    if (pieces.length === 0) break;
    const i = at % pieces.length;
    const j = to % pieces.length;
    if (op === 'delete') pieces.splice(i, 1);
    if (op === 'duplicate') pieces.splice(i, 0, pieces[i]!);
    if (op === 'swap') [pieces[i], pieces[j]] = [pieces[j]!, pieces[i]!];
    if (op === 'insert') pieces.splice(i, 0, piece);
  }
  return pieces.join('');
}

/** Random binary strings as one director's file. */
export const RANDOM_FILE: fc.Arbitrary<ImportInput> = fc
  .string({ unit: 'binary', maxLength: 400 })
  .map((text) => ({ files: { 'a.conf': text }, directors: ['a.conf'] }));

/** Random keepalived-like token soups, with includes among them. */
export const TOKEN_SOUP: fc.Arbitrary<ImportInput> = fc
  .tuple(soup, soup)
  .map(([a, b]) => ({ files: { 'lvs01.conf': a, 'a.conf': b }, directors: ['lvs01.conf'] }));

/** The seed config with deleted, duplicated, swapped and inserted tokens and braces. */
export const MUTATED_SEED: fc.Arbitrary<ImportInput> = fc
  .array(edit, { minLength: 1, maxLength: 8 })
  .map((edits) => ({ files: { 'lvs01.conf': mutate(SEED_01, edits), 'a.conf': SEED_02 }, directors: ['lvs01.conf'] }));

/** Two directors, one of them mutated, through the merge. */
export const MUTATED_PAIR: fc.Arbitrary<ImportInput> = fc
  .tuple(fc.array(edit, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([edits, tun]) => ({
    files: { 'lvs01.conf': tun ? TUN : SEED_01, 'lvs02.conf': mutate(tun ? TUN : SEED_02, edits) },
    directors: ['lvs01.conf', 'lvs02.conf'],
  }));

const INCLUDED = ['a.conf', 'b.conf', 'c.conf', 'd.conf'];
/** Random include graphs over four files, cycles included. */
export const INCLUDE_GRAPH: fc.Arbitrary<ImportInput> = fc
  .array(
    fc.array(
      fc.oneof(
        fc.constantFrom(...INCLUDED, '*.conf').map((n) => `include ${n}`),
        fc.constant('router_id X'),
        fc.constant('}'),
        fc.constant('global_defs {'),
      ),
      { maxLength: 5 },
    ),
    { minLength: 4, maxLength: 4 },
  )
  .map((bodies) => ({
    files: Object.fromEntries(INCLUDED.map((n, i) => [n, bodies[i]!.join('\n')])),
    directors: ['a.conf'],
  }));

/** A diamond of includes that doubles at every level: 2^16 copies of the last file if followed. */
export function includeDiamond(): ImportInput {
  const files: Record<string, string> = {};
  for (let level = 0; level < 16; level++)
    files[`l${level}.conf`] = `include l${level + 1}.conf\ninclude l${level + 1}.conf\n`;
  files['l16.conf'] = 'x 1\n'.repeat(2000);
  return { files, directors: ['l0.conf'] };
}

/** One line of `length` characters. */
export const longLine = (length = 200_000): ImportInput => ({
  files: { 'a.conf': `x ${'a'.repeat(length)}\n` },
  directors: ['a.conf'],
});

/** `depth` nested braces. */
export const deepBraces = (depth = 20_000): ImportInput => ({
  files: { 'a.conf': 'a {'.repeat(depth) + '}'.repeat(depth) },
  directors: ['a.conf'],
});
