import { describe, expect, it } from 'vitest';
import { parseKeepalivedConfig, type ConfigNode } from '../../../src/core/keepalived/import/index.js';
import { configError, memorySource } from './helpers.js';

const noFiles = memorySource({});

/** The tree without locations, for compact expectations. */
function shape(nodes: ConfigNode[]): unknown[] {
  return nodes.map((n) =>
    n.children === undefined ? [n.keyword, ...n.args] : [n.keyword, ...n.args, shape(n.children)],
  );
}

function parse(text: string, source = noFiles) {
  return parseKeepalivedConfig('lvs01.conf', text, source);
}

describe('keepalived.conf parser', () => {
  it('reads keywords, arguments and nested blocks with their lines', () => {
    const { nodes } = parse(
      'global_defs {\n  router_id LVS_01\n}\nvirtual_server 10.0.0.1 80 {\n  real_server 10.0.0.2 80 {\n    weight 1\n  }\n}\n',
    );
    expect(shape(nodes)).toEqual([
      ['global_defs', [['router_id', 'LVS_01']]],
      ['virtual_server', '10.0.0.1', '80', [['real_server', '10.0.0.2', '80', [['weight', '1']]]]],
    ]);
    expect(nodes[1]!.children![0]!.children![0]).toMatchObject({ file: 'lvs01.conf', line: 6 });
  });

  it('drops # and ! comments, whole-line and inline, also right after a word', () => {
    const { nodes } = parse(
      '! a comment\n# another\nglobal_defs {   # 定义\n  router_id LVS_01! inline\n  lvs_id x#y\n}\n',
    );
    expect(shape(nodes)).toEqual([
      [
        'global_defs',
        [
          ['router_id', 'LVS_01'],
          ['lvs_id', 'x'],
        ],
      ],
    ]);
  });

  it('opens a block with a brace on the next line, after blank and comment lines', () => {
    const { nodes } = parse('vrrp_instance VI_1\n\n# why\n{\n  state MASTER\n}\n');
    expect(shape(nodes)).toEqual([['vrrp_instance', 'VI_1', [['state', 'MASTER']]]]);
  });

  it('reads one-line blocks and braces glued to words', () => {
    const { nodes } = parse('authentication{auth_type PASS}\nvirtual_ipaddress { 10.0.0.1 10.0.0.2 }\nTCP_CHECK { }\n');
    expect(shape(nodes)).toEqual([
      ['authentication', [['auth_type', 'PASS']]],
      ['virtual_ipaddress', [['10.0.0.1', '10.0.0.2']]],
      ['TCP_CHECK', []],
    ]);
  });

  it('reads "..." as one word, keeps # ! and braces inside it, and unescapes nothing (keepalived\'s alloc_strvec_r)', () => {
    const { nodes } = parse(`notify "/bin/x.sh # not a comment {"\nx "tab\\there\\x41" ab"c d"e\n`);
    expect(nodes.map((n) => n.args)).toEqual([['/bin/x.sh # not a comment {'], ['tab\\there\\x41', 'ab', 'c d', 'e']]);
  });

  it("reads \\! and \\# outside quotes as the characters themselves (keepalived's decomment)", () => {
    const { nodes } = parse('auth_pass ab\\!cd\nx a\\#b # comment\ny "a\\!b" c\\d\n');
    expect(nodes.map((n) => n.args)).toEqual([['ab!cd'], ['a#b'], ['a\\!b', 'c\\d']]);
  });

  it('takes a single quote as an ordinary character: keepalived has no single quotes', () => {
    const { nodes } = parse("notification_email_from o'brien@example.com\nauth_pass 'a b'\n");
    expect(nodes.map((n) => n.args)).toEqual([["o'brien@example.com"], ["'a", "b'"]]);
  });

  it('glues a trailing backslash to the last word, as keepalived does (no line continuation)', () => {
    const { nodes } = parse('router_id abc  \\\nlvs_id x\n');
    expect(shape(nodes)).toEqual([
      ['router_id', 'abc\\'],
      ['lvs_id', 'x'],
    ]);
  });

  it('treats CRLF line ends and a byte-order mark as white space', () => {
    const { nodes } = parse('\ufeffglobal_defs {\r\n  router_id A\r\n}\r\n');
    expect(shape(nodes)).toEqual([['global_defs', [['router_id', 'A']]]]);
  });

  it.each([
    ['}\n', 1, "unexpected '}'"],
    ['a {\n}\n}\n', 3, "unexpected '}'"],
    ['{\n', 1, "unexpected '{'"],
    ['a { } {\n', 1, "unexpected '{'"],
    ['x\nvirtual_server 1.2.3.4 80 {\n  a\n', 2, "'{' of virtual_server is never closed"],
    ['auth_pass "abc\n', 1, 'unterminated quoted string'],
    ['$VIP=10.0.0.1\n', 1, 'parameter substitution'],
    ['@lvs01 priority 100\n', 1, 'conditional configuration'],
  ])('reports %j at line %i: %s', (text, line, message) => {
    const error = configError(() => parse(text));
    expect(error.file).toBe('lvs01.conf');
    expect(error.line).toBe(line);
    expect(error.message).toBe(`lvs01.conf:${line}: ${error.problems[0]!.message}`);
    expect(error.message).toContain(message);
  });
});

describe('include', () => {
  const files = {
    'etc/keepalived.conf': 'global_defs {\n  include defs.conf\n}\ninclude conf.d/*.conf\n',
    'etc/defs.conf': 'router_id FROM_INCLUDE\n',
    'etc/conf.d/b.conf': 'virtual_server 10.0.0.2 80 {\n}\n',
    'etc/conf.d/a.conf': '\n\nvirtual_server 10.0.0.1 80 {\n}\n',
    'etc/other/x.conf': 'never read\n',
  };

  it('splices included files in place, relative to the including file, glob matches sorted', () => {
    const { nodes, warnings } = parseKeepalivedConfig(
      'etc/keepalived.conf',
      files['etc/keepalived.conf'],
      memorySource(files),
    );
    expect(shape(nodes)).toEqual([
      ['global_defs', [['router_id', 'FROM_INCLUDE']]],
      ['virtual_server', '10.0.0.1', '80', []],
      ['virtual_server', '10.0.0.2', '80', []],
    ]);
    expect(nodes[1]).toMatchObject({ file: 'etc/conf.d/a.conf', line: 3 });
    expect(warnings).toEqual([]);
  });

  it('detects include cycles, naming the chain', () => {
    const cyclic = { 'a.conf': 'include b.conf\n', 'b.conf': 'x 1\ninclude a.conf\n' };
    const error = configError(() => parseKeepalivedConfig('a.conf', cyclic['a.conf'], memorySource(cyclic)));
    expect(error.message).toBe('b.conf:2: include cycle: a.conf -> b.conf -> a.conf');
  });

  it('detects a file including itself through a glob', () => {
    const selfish = { 'd/a.conf': 'include *.conf\n' };
    expect(
      configError(() => parseKeepalivedConfig('d/a.conf', selfish['d/a.conf'], memorySource(selfish))).message,
    ).toContain('include cycle');
  });

  it('warns when an include matches nothing, and fails when a match cannot be read', () => {
    expect(parse('include missing/*.conf\n').warnings).toEqual([
      'lvs01.conf:1: include missing/*.conf matches no file',
    ]);
    const broken = { ...memorySource({}), glob: () => ['gone.conf'] };
    expect(configError(() => parse('\ninclude gone.conf\n', broken)).message).toBe(
      'lvs01.conf:2: cannot read included file gone.conf: ENOENT: gone.conf',
    );
  });

  it('wants include alone on its line with one pattern', () => {
    expect(configError(() => parse('include a.conf b.conf\n')).message).toContain('takes one file name');
    expect(configError(() => parse('include a.conf {\n}\n')).message).toContain('must stand on a line of its own');
  });
});
