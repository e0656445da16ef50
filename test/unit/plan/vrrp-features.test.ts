// The planner carries tracked interfaces and VIP options into each director's instance, and
// collects the instances of a sync group per director.
import { describe, expect, it } from 'vitest';
import type { VirtualServiceSpec } from '../../../src/core/api/objects.js';
import { plan } from '../../../src/core/plan/plan.js';
import { renderKeepalivedConf } from '../../../src/core/keepalived/render.js';
import { director, objects, virtualService } from './builders.js';

const base = { version: 3, advertInterval: 0.1, preempt: true, preemptDelay: 0, unicast: false } as const;
const vrrp = (extra: Partial<NonNullable<VirtualServiceSpec['vrrp']>>) => ({ vrrp: { ...base, ...extra } });
const directors = [director('lvs01', '192.0.2.1'), director('lvs02', '192.0.2.2')];

describe('tracked interfaces and VIP options in the plan', () => {
  it('gives every director the tracked interfaces sorted by name, a missing weight as 0 (FAULT while down)', () => {
    const vs = virtualService('web', {
      address: '192.0.2.100',
      port: 80,
      ...vrrp({ trackInterfaces: [{ name: 'eth2', weight: -30 }, { name: 'eth1' }] }),
    });
    const { nodes, problems } = plan(objects({ virtualServices: [vs], nodes: directors }));
    expect(problems).toEqual([]);
    for (const name of ['lvs01', 'lvs02']) {
      expect(nodes.get(name)!.vrrp!.instances![0]!.trackInterfaces).toEqual([
        { name: 'eth1', weight: 0 },
        { name: 'eth2', weight: -30 },
      ]);
    }
  });

  it('carries the VIP options as written, and none when the VirtualService gives none', () => {
    const vip = { interface: 'eth1', label: 'eth1:vip', scope: 'global', prefixLength: 24, broadcast: '+' };
    const { nodes } = plan(
      objects({
        virtualServices: [
          virtualService('web', { address: '192.0.2.100', port: 80, ...vrrp({ vip }) }),
          virtualService('plain', { address: '192.0.2.101', port: 80 }),
        ],
        nodes: directors,
      }),
    );
    const [web, plain] = nodes.get('lvs01')!.vrrp!.instances!;
    expect(web).toMatchObject({ virtualAddresses: ['192.0.2.100'], virtualAddressOptions: vip });
    expect(plain).not.toHaveProperty('virtualAddressOptions');
    expect(plain).not.toHaveProperty('trackInterfaces');
  });
});

describe('sync groups in the plan', () => {
  const member = (name: string, address: string, group?: string, namespace = 'default') =>
    virtualService(name, { address, port: 80, ...vrrp(group ? { syncGroup: group } : {}) }, namespace);

  it("lists each group's instances on every director, named after the namespace and the group", () => {
    const { nodes, problems } = plan(
      objects({
        virtualServices: [
          member('a', '192.0.2.100', 'pair'),
          member('b', '192.0.2.101', 'pair'),
          member('c', '192.0.2.102', 'pair', 'other'),
          member('d', '192.0.2.103', 'pair', 'other'),
          member('alone', '192.0.2.104'),
        ],
        nodes: directors,
      }),
    );
    expect(problems).toEqual([]);
    const byVip = (node: string) =>
      new Map(nodes.get(node)!.vrrp!.instances!.map((i) => [i.virtualAddresses[0], i.name]));
    for (const node of ['lvs01', 'lvs02']) {
      const names = byVip(node);
      expect(nodes.get(node)!.vrrp!.syncGroups).toEqual([
        { name: 'default_pair', instances: [names.get('192.0.2.100'), names.get('192.0.2.101')].sort() },
        { name: 'other_pair', instances: [names.get('192.0.2.102'), names.get('192.0.2.103')].sort() },
      ]);
    }
  });

  it('counts VirtualServices of one VIP once: their shared instance is one member', () => {
    const { nodes } = plan(
      objects({
        virtualServices: [
          member('http', '192.0.2.100', 'pair'),
          virtualService('https', { address: '192.0.2.100', port: 443, ...vrrp({ syncGroup: 'pair' }) }),
        ],
        nodes: directors,
      }),
    );
    // One instance alone is no group: keepalived refuses it (checked in the integration test).
    expect(nodes.get('lvs01')!.vrrp!.syncGroups).toBeUndefined();
  });

  it('renders what keepalived reads: the group before its instances', () => {
    const { nodes } = plan(
      objects({
        virtualServices: [member('a', '192.0.2.100', 'pair'), member('b', '192.0.2.101', 'pair')],
        nodes: directors,
      }),
    );
    const conf = renderKeepalivedConf(nodes.get('lvs02')!, {
      nodeName: 'lvs02',
      resolvedInterfaces: new Map([
        ['VI_1', 'eth0'],
        ['VI_2', 'eth0'],
      ]),
    });
    expect(conf).toMatch(/vrrp_sync_group default_pair \{\n {4}group \{\n {8}VI_1\n {8}VI_2\n {4}\}\n\}/);
  });
});
