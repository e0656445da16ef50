// track_interface, virtual_ipaddress options and vrrp_sync_group: mapped onto spec.vrrp, with
// keepalived's own corrections said at their line, and what cannot be carried refused there.
import { describe, expect, it } from 'vitest';
import type { VirtualService } from '../../../src/core/api/objects.js';
import { validateObjects } from '../../../src/core/api/validate/index.js';
import { configError, importTexts, lineOf, template } from './helpers.js';

const vsOf = (files: Record<string, string>) =>
  importTexts(files).objects.filter((o): o is VirtualService => o.kind === 'VirtualService');
const vrrpOf = (text: string) => vsOf({ 'a.conf': text })[0]!.spec.vrrp!;
const withVip = (entry: string) => template().replace('        10.0.0.1\n', `        ${entry}\n`);
const refused = (text: string) => configError(() => importTexts({ 'a.conf': text })).message;
/** Warnings but the one every single-director import gets. */
const warningsOf = (text: string) =>
  importTexts({ 'a.conf': text }).warnings.filter((w) => !w.includes('VRRP priority is known'));

/** Two instances (VIPs 10.0.0.1 and 10.0.0.2, each with a virtual_server) and `sync` before them. */
function pair(sync: string, vrrp1 = '', vrrp2 = ''): string {
  const second = `vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 2
    virtual_ipaddress {
        10.0.0.2
    }
    ${vrrp2}
}
virtual_server 10.0.0.2 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 10.0.0.3 80 {
        TCP_CHECK {
        }
    }
}
`;
  return `${sync}\n${template({ vrrp: vrrp1 })}${second}`;
}
const GROUP = 'vrrp_sync_group VG_1 {\n    group {\n        VI_1\n        VI_2\n    }\n}';

describe('track_interface', () => {
  it('maps names and weights, sorted by name, a weight only when it has one', () => {
    const text = template({ vrrp: 'track_interface {\n eth2 weight -20\n eth1\n bond0 weight 0\n }' });
    expect(vrrpOf(text).trackInterfaces).toEqual([{ name: 'bond0' }, { name: 'eth1' }, { name: 'eth2', weight: -20 }]);
    expect(warningsOf(text)).toEqual([]);
  });

  it('adds up repeated blocks, and says so of a repeated interface, which keepalived ignores', () => {
    const text = template({ vrrp: 'track_interface {\n eth1\n }\n track_interface {\n eth2\n eth1 weight 5\n }' });
    expect(vrrpOf(text).trackInterfaces).toEqual([{ name: 'eth1' }, { name: 'eth2' }]);
    expect(warningsOf(text)).toEqual([
      `a.conf:${lineOf(text, 'eth1 weight 5')}: track_interface eth1 is listed again (first at a.conf:${lineOf(text, 'eth1')}): keepalived ignores it, and so does the import`,
    ]);
  });

  it.each([254, -254])('takes weight %i as keepalived does: as 253 with its sign, and says so', (weight) => {
    const text = template({ vrrp: `track_interface {\n eth1 weight ${weight}\n }` });
    expect(vrrpOf(text).trackInterfaces).toEqual([{ name: 'eth1', weight: Math.sign(weight) * 253 }]);
    expect(warningsOf(text)).toEqual([
      `a.conf:${lineOf(text, 'eth1 weight')}: track_interface eth1: keepalived sets weight ${weight} to ${Math.sign(weight) * 253}, and so does the import`,
    ]);
  });

  it("drops the instance's own interface with a warning: keepalived tracks it anyway and ignores the line", () => {
    const text = template({ vrrp: 'track_interface {\n eth0 weight -10\n }' });
    expect(vrrpOf(text).trackInterfaces).toBeUndefined();
    expect(warningsOf(text)[0]).toBe(
      `a.conf:${lineOf(text, 'eth0 weight')}: track_interface eth0 is the instance's own interface: keepalived ignores it (it tracks that one anyway: down = FAULT), and so does the import`,
    );
  });

  it.each([
    ['eth1 weight 255', 'track_interface weight must be'],
    ['eth1 weight', 'expected "weight N", got "weight"'],
    ['eth1 weight -5 reverse', 'weight ... reverse is not supported'],
    ['eth1 weight 5 up', 'unknown option "up"'],
    ['eth1 prio 5', 'expected "weight N", got "prio 5"'],
    ['eth/1', 'track_interface "eth/1" is not a valid interface name'],
    ['abcdefghijklmnop', 'is not a valid interface name'],
  ])('refuses %s at its line', (entry, message) => {
    const text = template({ vrrp: `track_interface {\n ${entry}\n }` });
    expect(refused(text)).toMatch(new RegExp(`^\\s*a\\.conf:${lineOf(text, entry)}: .*${escape(message)}`, 'm'));
  });

  it('refuses directors that track differently, naming both files and lines', () => {
    const a = template({ vrrp: 'track_interface {\n eth1\n }' });
    const b = template({ vrrp: 'track_interface {\n eth2\n }' }).replace('router_id T', 'router_id U');
    expect(configError(() => importTexts({ 'a.conf': a, 'b.conf': b })).message).toContain(
      'disagrees between a.conf:5 and b.conf:5: track_interface is [{"name":"eth1"}] in a.conf and [{"name":"eth2"}] in b.conf',
    );
  });
});

describe('virtual_ipaddress options', () => {
  it.each([
    [
      '10.0.0.1/24 dev eth1 label eth1:vip scope global',
      { interface: 'eth1', label: 'eth1:vip', prefixLength: 24, scope: 'global' },
    ],
    ['10.0.0.1/24 brd + dev eth1', { interface: 'eth1', prefixLength: 24, broadcast: '+' }],
    ['10.0.0.1/24 broadcast 10.0.0.255', { prefixLength: 24, broadcast: '10.0.0.255' }],
    ['10.0.0.1 scope 253', { scope: '253' }],
    ['10.0.0.1 label eth0:1', { label: 'eth0:1' }],
    ['10.0.0.1/32 dev eth0', undefined],
  ])('maps %s', (entry, vip) => {
    const text = withVip(entry);
    expect(vrrpOf(text).vip).toEqual(vip);
    expect(warningsOf(text)).toEqual([]);
  });

  it('the imported objects pass validation, the label against directors.interface', () => {
    const { objects } = importTexts({ 'a.conf': withVip('10.0.0.1/24 brd - label eth0:vip scope link') });
    expect(validateObjects(objects).errors).toEqual([]);
  });

  it.each(['no_track', '-nodad', 'noprefixroute'])('says %s is not carried over', (option) => {
    const text = withVip(`10.0.0.1 ${option}`);
    expect(warningsOf(text)).toEqual([
      `a.conf:${lineOf(text, option)}: ${option} is not carried over: lvs-operator holds the VIP with the kernel's defaults`,
    ]);
  });

  it.each([
    ['10.0.0.1 dev eth1 label eth0:vip', "label eth0:vip must be the VIP's device eth1, a colon and a suffix"],
    ['10.0.0.1 label vip', "label vip must be the VIP's device eth0"],
    ['10.0.0.1 dev eth1 label eth1:0123456789a', 'longer than 15 characters'],
    ['10.0.0.1/31 brd +', 'brd + needs a prefix of at most /30'],
    ['10.0.0.1 brd -', 'brd - needs a prefix of at most /30'],
    ['10.0.0.1/24 brd fe80::1', 'brd must be an IPv4 address, + or -'],
    ['10.0.0.1/24 brd x', 'brd must be an IPv4 or IPv6 address, got "x"'],
    ['10.0.0.1 scope universe', 'scope "universe" is not global, site, link, host, nowhere or 0-255'],
    ['10.0.0.1 dev eth/1', 'dev "eth/1" is not a valid interface name'],
    ['10.0.0.1 dev', 'dev needs a value'],
    ['10.0.0.1 peer 10.0.0.9', 'peer is not supported'],
    ['10.0.0.1 frob', 'unknown virtual_ipaddress option "frob"'],
    ['10.0.0.1/0', 'the VIP prefix length must be'],
    ['10.0.0.1 use_vmac', 'use_vmac is not supported'],
  ])('refuses %s at its line', (entry, message) => {
    const text = withVip(entry);
    expect(refused(text)).toMatch(new RegExp(`^\\s*a\\.conf:${lineOf(text, entry)}: .*${escape(message)}`, 'm'));
  });

  it.each(['label eth0:6', 'scope link', 'brd -'])('refuses %s on an IPv6 VIP', (option) => {
    const text = template()
      .replace('        10.0.0.1\n', `        2001:db8::1/64 ${option}\n`)
      .replace('virtual_server 10.0.0.1 80', 'virtual_server 2001:db8::1 80')
      .replace('real_server 10.0.0.2 80', 'real_server 2001:db8::2 80');
    expect(refused(text)).toContain(`${option.split(' ')[0]} on an IPv6 VIP: keepalived ignores it`);
  });
});

describe('vrrp_sync_group', () => {
  it("maps the group onto every member's VirtualService, as a DNS label", () => {
    const text = pair(GROUP);
    expect(vsOf({ 'a.conf': text }).map((v) => v.spec.vrrp?.syncGroup)).toEqual(['vg-1', 'vg-1']);
    expect(importTexts({ 'a.conf': text }).warnings).toEqual([
      `a.conf:1: only t's VRRP priority is known: other director Nodes get lvs-operator's defaults (100, 90, ... by name); import every director's config together to keep theirs`,
    ]);
  });

  it('sets weights to 0 without sync_group_tracking_weight, as keepalived does, and keeps them with it', () => {
    const tracked = 'track_interface {\n eth1 weight -30\n }';
    const without = pair(GROUP, tracked);
    expect(vsOf({ 'a.conf': without })[0]!.spec.vrrp!.trackInterfaces).toEqual([{ name: 'eth1' }]);
    expect(importTexts({ 'a.conf': without }).warnings).toContain(
      `a.conf:${lineOf(without, 'eth1 weight')}: track_interface eth1 weight -30: keepalived ignores the weight in vrrp_sync_group VG_1 (no sync_group_tracking_weight), so the interface going down puts the instance in FAULT, and so does the import`,
    );
    for (const keyword of ['sync_group_tracking_weight', 'global_tracking']) {
      const text = pair(GROUP.replace('    }\n}', `    }\n    ${keyword}\n}`), tracked);
      expect(vsOf({ 'a.conf': text })[0]!.spec.vrrp!.trackInterfaces).toEqual([{ name: 'eth1', weight: -30 }]);
    }
  });

  it('warns of a member that is no instance and of a group left with one, as keepalived reports them', () => {
    const text = pair('vrrp_sync_group G {\n    group {\n        VI_1\n        VI_9\n    }\n}');
    const { warnings } = importTexts({ 'a.conf': text });
    expect(warnings).toContain(
      `a.conf:${lineOf(text, 'VI_9')}: no vrrp_instance VI_9: keepalived ignores it, and so does the import`,
    );
    expect(warnings).toContain(
      'a.conf:1: vrrp_sync_group G has 1 instance(s): keepalived reports it as a configuration error, and lvs-operator plans no group of fewer than two',
    );
  });

  it.each([
    [`${GROUP}\n${GROUP}`, 'vrrp_sync_group VG_1 is defined twice (first at a.conf:1)', 7],
    [`${GROUP}\n${GROUP.replace('VG_1', 'VG_2')}`, 'vrrp_instance VI_1 is already in vrrp_sync_group VG_1', 9],
    [
      GROUP.replace('    }\n}', '    }\n    group {\n        VI_1\n    }\n}'),
      'the group list of vrrp_sync_group VG_1 is given twice',
      6,
    ],
    [GROUP.replace('    }\n}', '    }\n    track_script {\n        x\n    }\n}'), 'track_script is not supported', 6],
    [GROUP.replace('VI_2', 'VI_2 VI_3'), 'a sync group member is one vrrp_instance name', 4],
    [
      'vrrp_sync_group ___ {\n    group {\n        VI_1\n        VI_2\n    }\n}',
      'vrrp_sync_group "___" makes no name',
      0,
    ],
  ])('refuses at its line: %s', (sync, message, line) => {
    const error = refused(pair(sync));
    expect(error).toContain(message);
    if (line) expect(error).toMatch(new RegExp(`^\\s*a\\.conf:${line}: .*${escape(message)}`, 'm'));
  });

  it('refuses directors that group an instance differently', () => {
    const a = pair(GROUP);
    const b = pair('').replace('router_id T', 'router_id U');
    expect(configError(() => importTexts({ 'a.conf': a, 'b.conf': b })).message).toContain(
      'vrrp_sync_group is VG_1 in a.conf and undefined in b.conf',
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
