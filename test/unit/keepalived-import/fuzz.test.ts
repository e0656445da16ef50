// The importer must never crash and never hang: on any input it returns objects or throws a
// KeepalivedConfigError, and quickly.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importKeepalived, KeepalivedConfigError } from '../../../src/core/keepalived/import/index.js';
import { FIXTURES, memorySource } from './helpers.js';

const SEED_01 = readFileSync(`${FIXTURES}/seed-lvs01.conf`, 'utf8');
const SEED_02 = readFileSync(`${FIXTURES}/seed-lvs02.conf`, 'utf8');
const TUN = readFileSync(`${FIXTURES}/tun-http-ssl.conf`, 'utf8');

/** Runs the import; anything thrown but a KeepalivedConfigError fails the property. */
function importsOrRefuses(files: Record<string, string>, directors: string[]): void {
  try {
    importKeepalived(
      directors.map((path) => ({ path, text: files[path] ?? '' })),
      { ...memorySource(files), namespace: 'default' },
    );
  } catch (e) {
    if (!(e instanceof KeepalivedConfigError)) throw e;
    expect(e.message.length).toBeGreaterThan(0);
  }
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

describe('fuzzing the importer', () => {
  it('random strings: objects or a KeepalivedConfigError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) =>
        importsOrRefuses({ 'a.conf': text }, ['a.conf']),
      ),
      { numRuns: 400 },
    );
  });

  it('random keepalived-like token soups, with includes among them', () => {
    fc.assert(
      fc.property(soup, soup, (a, b) => importsOrRefuses({ 'lvs01.conf': a, 'a.conf': b }, ['lvs01.conf'])),
      { numRuns: 400 },
    );
  });

  it('the seed config with deleted, duplicated, swapped and inserted tokens and braces', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 8 }), (edits) =>
        importsOrRefuses({ 'lvs01.conf': mutate(SEED_01, edits), 'a.conf': SEED_02 }, ['lvs01.conf']),
      ),
      { numRuns: 500 },
    );
  });

  it('two directors, one of them mutated, through the merge', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), fc.boolean(), (edits, tun) =>
        importsOrRefuses({ 'lvs01.conf': tun ? TUN : SEED_01, 'lvs02.conf': mutate(tun ? TUN : SEED_02, edits) }, [
          'lvs01.conf',
          'lvs02.conf',
        ]),
      ),
      { numRuns: 300 },
    );
  });

  it('random include graphs, cycles included, finish', () => {
    const names = ['a.conf', 'b.conf', 'c.conf', 'd.conf'];
    const line = fc.oneof(
      fc.constantFrom(...names, '*.conf').map((n) => `include ${n}`),
      fc.constant('router_id X'),
      fc.constant('}'),
      fc.constant('global_defs {'),
    );
    fc.assert(
      fc.property(fc.array(fc.array(line, { maxLength: 5 }), { minLength: 4, maxLength: 4 }), (bodies) => {
        const files = Object.fromEntries(names.map((n, i) => [n, bodies[i]!.join('\n')]));
        importsOrRefuses(files, ['a.conf']);
      }),
      { numRuns: 300 },
    );
  });

  it('a diamond of includes that doubles at every level stops at the size limit, not at the heap', () => {
    const files: Record<string, string> = {};
    for (let level = 0; level < 16; level++)
      files[`l${level}.conf`] = `include l${level + 1}.conf\ninclude l${level + 1}.conf\n`;
    files['l16.conf'] = 'x 1\n'.repeat(2000);
    expect(() => importKeepalived([{ path: 'l0.conf', text: files['l0.conf']! }], { ...memorySource(files) })).toThrow(
      /configuration too large/,
    );
  });

  it('a very long line and deep braces stay linear', () => {
    importsOrRefuses({ 'a.conf': `x ${'a'.repeat(200_000)}\n` }, ['a.conf']);
    importsOrRefuses({ 'a.conf': 'a {'.repeat(20_000) + '}'.repeat(20_000) }, ['a.conf']);
  });
});
