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
import { validateObjects } from '../../src/core/api/validate/index.js';
import { plan } from '../../src/core/plan/plan.js';
import { renderKeepalivedConf } from '../../src/core/keepalived/render.js';
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

  describe('tracked interfaces, VIP options and sync groups', () => {
    /** Two instances in a sync group, each VIP with a virtual_server; `vrrp1` goes into VI_1. */
    const grouped = (vrrp1: string, vip1 = '10.0.0.1', group = '') =>
      `vrrp_sync_group VG_1 {\n    group {\n        VI_1\n        VI_2\n    }\n    ${group}\n}\n` +
      template({ vrrp: vrrp1 }).replace('        10.0.0.1\n', `        ${vip1}\n`) +
      template()
        .replace(/global_defs \{[^}]*\}\n/, '')
        .replaceAll('10.0.0.1', '10.0.0.5')
        .replace('VI_1', 'VI_2')
        .replace('virtual_router_id 1', 'virtual_router_id 2');

    it('keepalived reads them silently; imported, planned and rendered again, it reads that silently too', () => {
      const text = grouped(
        'track_interface {\n eth1 weight -20\n }',
        '10.0.0.1/24 brd + dev eth1 scope link label eth1:vip',
        'sync_group_tracking_weight',
      );
      expect(keepalivedCheck(text)).toEqual({ status: 0, output: '' });
      const { objects } = importTexts({ 'a.conf': text });
      expect(vsOf(text).spec.vrrp).toMatchObject({
        syncGroup: 'vg-1',
        trackInterfaces: [{ name: 'eth1', weight: -20 }],
        vip: { interface: 'eth1', label: 'eth1:vip', scope: 'link', prefixLength: 24, broadcast: '+' },
      });
      const validated = validateObjects(objects);
      expect(validated.errors).toEqual([]);
      const nodes = plan(validated.valid).nodes;
      const [name, spec] = [...nodes.entries()].find(([, s]) => s.vrrp)!;
      const rendered = renderKeepalivedConf(spec, { nodeName: name });
      expect(rendered).toContain('vrrp_sync_group default_vg-1 {');
      expect(rendered).toContain('10.0.0.1/24 brd + dev eth1 scope link label eth1:vip');
      expect(keepalivedCheck(rendered)).toEqual({ status: 0, output: '' });
    });

    it.each([
      ['eth1 weight 254', 'weight for eth1 cannot be +/-254. Setting to +/-253', 'sets weight 254 to 253'],
      ['eth0', 'Ignoring track_interface eth0 since own interface', "is the instance's own interface"],
    ])('track_interface { %s }: keepalived logs it, the importer says it', (entry, logged, said) => {
      const text = template({ vrrp: `track_interface {\n ${entry}\n }` });
      expect(keepalivedCheck(text).output).toContain(logged);
      expect(importTexts({ 'a.conf': text }).warnings.join('\n')).toContain(said);
    });

    it('a weight in a sync group without sync_group_tracking_weight: keepalived ignores it, the importer too', () => {
      const text = grouped('track_interface {\n eth1 weight -20\n }');
      expect(keepalivedCheck(text).output).toContain('ignoring eth1 tracked interface weight due to SYNC group');
      expect(vsOf(text).spec.vrrp?.trackInterfaces).toEqual([{ name: 'eth1' }]);
    });

    it('a sync group of one instance, and a member that is none: keepalived logs them, the importer warns', () => {
      const text = grouped('').replace('        VI_2\n', '        VI_9\n');
      const { output } = keepalivedCheck(text);
      expect(output).toContain('Virtual router VI_9 specified in sync group VG_1 doesn');
      expect(output).toContain('Sync group VG_1 has only 1 virtual router(s)');
      const warnings = importTexts({ 'a.conf': text }).warnings.join('\n');
      expect(warnings).toContain('no vrrp_instance VI_9');
      expect(warnings).toContain('vrrp_sync_group VG_1 has 1 instance(s)');
    });

    it.each([
      ['2001:db8::1/64 label eth0:6', 'Cannot specify label for IPv6 addresses'],
      ['10.0.0.1/31 brd +', 'too long for broadcast'],
      ['10.0.0.1 dev eth0 label eth0:0123456789a', 'is longer than maximum length'],
    ])('%s: keepalived logs it, the importer refuses it', (vip, logged) => {
      const text = template().replace('        10.0.0.1\n', `        ${vip}\n`);
      expect(keepalivedCheck(text).output).toContain(logged);
      expect(() => importTexts({ 'a.conf': text })).toThrow();
    });
  });
});
