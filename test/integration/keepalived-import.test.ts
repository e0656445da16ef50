// The importer's claims about what keepalived does with a value, checked against the real
// keepalived (`keepalived --config-test`, Debian's 2.2.7): for each case the importer says
// keepalived logs something and runs otherwise than the config reads, keepalived must log it.
// Needs root (a network namespace with the interface the configs name) and keepalived.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VirtualService } from '../../src/core/api/objects.js';
import { importTexts, template } from '../unit/keepalived-import/helpers.js';

const netns = `lvs-kimport-${process.pid}`;

function run(argv: string[]): void {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${argv.join(' ')}: ${result.stderr}`);
}

beforeAll(() => {
  run(['ip', 'netns', 'add', netns]);
  run(['ip', '-n', netns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1']);
});
afterAll(() => run(['ip', 'netns', 'del', netns]));

/** keepalived's config test of `conf`: its exit status and what it logged. */
function keepalivedCheck(conf: string): { status: number | null; output: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'lvs-kimport-')), 'keepalived.conf');
  writeFileSync(file, conf);
  const result = spawnSync('ip', ['netns', 'exec', netns, 'keepalived', '--config-test', '--use-file', file], {
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const vsOf = (text: string) =>
  importTexts({ 'a.conf': text }).objects.find((o): o is VirtualService => o.kind === 'VirtualService')!;

describe('what keepalived logs is what the importer says it does', () => {
  it('the unchanged template passes the config test (so each message below comes from its one change)', () => {
    expect(keepalivedCheck(template())).toEqual({ status: 0, output: '' });
  });

  it('lb_kind dr: an unknown routing method, and NAT', () => {
    const text = template().replace('lb_kind DR', 'lb_kind dr');
    const { output } = keepalivedCheck(text);
    expect(output).toContain('unknown [dr] routing method for virtual server');
    expect(output).toContain('no forwarding method set, setting default NAT');
    expect(vsOf(text).spec.forwarding).toBe('NAT');
  });

  it('state master: an unknown state, and BACKUP', () => {
    const text = template({ vrrp: 'state master' });
    expect(keepalivedCheck(text).output).toContain("unknown state 'master', defaulting to BACKUP");
    expect(importTexts({ 'a.conf': text }).warnings.join('\n')).toContain('starts as BACKUP');
  });

  it('auth_type pass: an unknown authentication type, and no authentication', () => {
    const text = template({ vrrp: 'authentication {\n auth_type pass\n auth_pass secret\n }' });
    expect(keepalivedCheck(text).output).toContain("unknown authentication type 'pass'");
    expect(vsOf(text).spec.vrrp?.authSecretRef).toBeUndefined();
  });

  it('inhibit_on_failure YES: an invalid parameter, ignored', () => {
    const text = template({ rs: 'inhibit_on_failure YES' });
    expect(keepalivedCheck(text).output).toContain('Invalid inhibit_on_failure parameter YES');
    expect(vsOf(text).spec.healthCheck?.onFailure).toBe('Remove');
  });

  it('lb_kind DR // direct routing: DR, and the words after it logged as an invalid tunnel option', () => {
    const text = template().replace('lb_kind DR', 'lb_kind DR // direct routing');
    const { output } = keepalivedCheck(text);
    expect(output).toContain('Invalid tunnel option // for virtual server');
    expect(output).not.toContain('setting default NAT');
    expect(vsOf(text).spec.forwarding).toBe('DR');
  });

  it('what the importer reads silently, keepalived reads silently too', () => {
    const text = template({
      global: "vrrp_mcast_group4 224.0.0.18\n notification_email_from o'brien@example.com",
      vs: 'persistence_granularity 255.255.255.0',
      check: 'virtualhost www\\#1.example.com # a comment',
    }).replace('lb_kind DR', 'lb_kind DR ! a comment');
    expect(keepalivedCheck(text)).toEqual({ status: 0, output: '' });
    expect(vsOf(text).spec).toMatchObject({
      forwarding: 'DR',
      persistence: { timeout: 360, netmask: '255.255.255.0' },
      healthCheck: { host: 'www#1.example.com' },
    });
  });

  it('several urls, status_code lists and ranges and a digest: keepalived reads them silently, and so does the importer', () => {
    const text = template({
      check:
        'url {\n path /ready\n status_code 200-299 301 302\n digest 9E107D9D372BB6826BD81D3542A419D6\n }\nurl {\n path /b\n }',
      url: 'status_code 204-206',
    });
    expect(keepalivedCheck(text)).toEqual({ status: 0, output: '' });
    const { warnings } = importTexts({ 'a.conf': text });
    expect(warnings.filter((w) => !w.includes('VRRP priority'))).toEqual([]);
    expect(vsOf(text).spec.healthCheck?.urls).toEqual([
      { path: '/ready', expectedStatus: ['200-299', '301', '302'], digest: '9e107d9d372bb6826bd81d3542a419d6' },
      { path: '/b', expectedStatus: ['200-299'] },
      { path: '/', expectedStatus: ['200', '204-206'] },
    ]);
  });

  it.each([
    ['status_code 299-200', "Invalid HTTP_GET status code '299-200'"],
    ['status_code 700', "Invalid HTTP_GET status code '700'"],
    ['digest 9e107d9d', "digest '9e107d9d' character length should be 32"],
  ])('%s: keepalived logs it as invalid, and the importer refuses it', (line, logged) => {
    const text = template({ url: line });
    expect(keepalivedCheck(text).output).toContain(logged);
    expect(() => importTexts({ 'a.conf': text })).toThrow(line.split(' ')[0]!);
  });

  it('a second digest in one url: keepalived logs it and keeps the first, as the importer does', () => {
    const first = '9e107d9d372bb6826bd81d3542a419d6';
    const text = template({ url: `digest ${first}\n digest d41d8cd98f00b204e9800998ecf8427e` });
    expect(keepalivedCheck(text).output).toContain("Digest 'd41d8cd98f00b204e9800998ecf8427e' is a duplicate");
    expect(vsOf(text).spec.healthCheck?.urls?.[0]?.digest).toBe(first);
  });
});
