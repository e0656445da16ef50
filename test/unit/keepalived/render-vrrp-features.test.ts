// keepalived.conf for tracked interfaces, a VIP on another device with its label, scope, prefix
// and broadcast, and sync groups; test/integration/keepalived-config.test.ts proves keepalived
// accepts the same forms.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LVSNodeSpec, VrrpInstancePlan } from '../../../src/core/api/objects.js';
import { KeepalivedRenderError, renderKeepalivedConf } from '../../../src/core/keepalived/render.js';
import { featuresSpec, instance } from './plans.js';

const root = new URL('../../../', import.meta.url).pathname;

const render = (spec: LVSNodeSpec) => renderKeepalivedConf(spec, { nodeName: 'd1' });
const one = (overrides: Partial<VrrpInstancePlan>) => render({ vrrp: { instances: [instance(overrides)] } });

describe('keepalived.conf with tracked interfaces, VIP options and sync groups', () => {
  it('matches the reviewed golden file', async () => {
    await expect(render(featuresSpec)).toMatchFileSnapshot(join(root, 'test/golden/keepalived/vrrp-features.conf'));
  });

  it('lists tracked interfaces, with a weight only when it has one (0: FAULT while down)', () => {
    const conf = one({
      trackInterfaces: [
        { name: 'eth1', weight: 0 },
        { name: 'eth2', weight: 253 },
      ],
    });
    expect(conf).toContain('    track_interface {\n        eth1\n        eth2 weight 253\n    }\n');
  });

  it('writes no track_interface block when nothing is tracked', () => {
    expect(one({})).not.toContain('track_interface');
  });

  it("leaves out the instance's own interface, which keepalived tracks anyway and refuses to be told", () => {
    expect(one({ trackInterfaces: [{ name: 'eth0', weight: -10 }] })).not.toContain('track_interface');
    const resolved = renderKeepalivedConf(
      {
        vrrp: {
          instances: [
            instance({
              interface: undefined,
              sourceAddress: '192.0.2.1',
              trackInterfaces: [
                { name: 'ens3', weight: 0 },
                { name: 'eth1', weight: 0 },
              ],
            }),
          ],
        },
      },
      { nodeName: 'd1', resolvedInterfaces: new Map([['VI_7', 'ens3']]) },
    );
    expect(resolved).toContain('    track_interface {\n        eth1\n    }\n');
  });

  it.each([
    [{ interface: 'eth1' }, '192.0.2.100 dev eth1'],
    [{ interface: 'eth1', label: 'eth1:vip' }, '192.0.2.100 dev eth1 label eth1:vip'],
    [{ label: 'eth0:vip' }, '192.0.2.100 label eth0:vip'],
    [{ scope: 'host' }, '192.0.2.100 scope host'],
    [{ scope: '200' }, '192.0.2.100 scope 200'],
    [{ prefixLength: 24 }, '192.0.2.100/24'],
    [{ prefixLength: 24, broadcast: '-' }, '192.0.2.100/24 brd -'],
    [{ prefixLength: 24, broadcast: '192.0.2.255' }, '192.0.2.100/24 brd 192.0.2.255'],
    [
      { interface: 'eth1', label: 'eth1:vip', scope: 'global', prefixLength: 24, broadcast: '+' },
      '192.0.2.100/24 brd + dev eth1 scope global label eth1:vip',
    ],
  ])('writes the VIP with %j as %s', (options, line) => {
    expect(one({ virtualAddressOptions: options })).toContain(`    virtual_ipaddress {\n        ${line}\n    }\n`);
  });

  it('writes an IPv6 VIP with its device and prefix', () => {
    expect(
      one({ virtualAddresses: ['2001:db8::1'], virtualAddressOptions: { interface: 'eth1', prefixLength: 64 } }),
    ).toContain('        2001:db8::1/64 dev eth1\n');
  });

  it('writes a sync group before the instances, members in the plan order', () => {
    const conf = render({
      vrrp: {
        syncGroups: [{ name: 'prod_pair', instances: ['VI_1', 'VI_2'] }],
        instances: [instance({ name: 'VI_1' }), instance({ name: 'VI_2', virtualRouterID: 2 })],
      },
    });
    expect(conf).toContain('\nvrrp_sync_group prod_pair {\n    group {\n        VI_1\n        VI_2\n    }\n}\n');
    expect(conf.indexOf('vrrp_sync_group')).toBeLessThan(conf.indexOf('vrrp_instance'));
    expect(conf).not.toContain('sync_group_tracking_weight');
  });

  it('says sync_group_tracking_weight when a member tracks with a weight, which keepalived ignores otherwise', () => {
    expect(render(featuresSpec)).toContain('        VI_8\n    }\n    sync_group_tracking_weight\n}\n');
  });

  it.each([
    ['a tracked interface with a newline', { trackInterfaces: [{ name: 'eth1\n}', weight: 0 }] }, /track_interface/],
    ['a tracked weight of 254', { trackInterfaces: [{ name: 'eth1', weight: 254 }] }, /weight 254 is not -253..253/],
    ['a fractional weight', { trackInterfaces: [{ name: 'eth1', weight: 1.5 }] }, /weight 1.5/],
    ['a VIP device with a blank', { virtualAddressOptions: { interface: 'eth1 up' } }, /virtual address interface/],
    ['a label of another device', { virtualAddressOptions: { interface: 'eth1', label: 'eth0:x' } }, /eth1:/],
    [
      'a label of the VRRP interface moved away',
      { virtualAddressOptions: { interface: 'eth1', label: 'eth0:1' } },
      /eth1:/,
    ],
    ['a label without a colon', { virtualAddressOptions: { label: 'eth0' } }, /label "eth0"/],
    ['a scope name keepalived lacks', { virtualAddressOptions: { scope: 'universe' } }, /scope/],
    ['a scope of 256', { virtualAddressOptions: { scope: '256' } }, /scope/],
    ['a broadcast that is a word', { virtualAddressOptions: { broadcast: 'all' } }, /broadcast/],
    ['an IPv4 prefix of 33', { virtualAddressOptions: { prefixLength: 33 } }, /prefix length 33 is not 1-32/],
    ['a prefix of 0', { virtualAddressOptions: { prefixLength: 0 } }, /prefix length 0/],
    [
      'a label on an IPv6 VIP',
      { virtualAddresses: ['2001:db8::1'], virtualAddressOptions: { label: 'eth0:1' } },
      /IPv6 address takes no label/,
    ],
  ] as [string, Partial<VrrpInstancePlan>, RegExp][])('refuses %s', (_what, overrides, message) => {
    expect(() => one(overrides)).toThrow(KeepalivedRenderError);
    expect(() => one(overrides)).toThrow(message);
  });

  it('refuses a sync group with a member this node does not run, or a name keepalived would split', () => {
    const instances = [instance({ name: 'VI_1' })];
    expect(() => render({ vrrp: { instances, syncGroups: [{ name: 'a_b', instances: ['VI_1', 'VI_2'] }] } })).toThrow(
      'vrrp sync group a_b: no vrrp instance VI_2 on this node',
    );
    expect(() => render({ vrrp: { instances, syncGroups: [{ name: 'a b {', instances: ['VI_1'] }] } })).toThrow(
      /vrrp sync group name/,
    );
  });
});
