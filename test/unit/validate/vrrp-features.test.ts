// Tracked interfaces, VIP options and sync groups across objects: VirtualServices of one VIP
// share them (one VRRP instance), and the members of a sync group must share their directors.
import { describe, expect, it } from 'vitest';
import { check, director, directors, expectOneError, names, vs } from './builders.js';

describe('valid tracked interfaces, VIP options and sync groups', () => {
  it('accepts every form the CRD allows, with no warning', () => {
    const r = check([
      ...directors(),
      vs('track', {
        address: '192.0.2.11',
        directors: { interface: 'ens192' },
        vrrp: {
          trackInterfaces: [{ name: 'eth1' }, { name: 'bond0.100', weight: -253 }, { name: 'eth_2', weight: 253 }],
        },
      }),
      vs('dev', {
        address: '192.0.2.12',
        vrrp: {
          vip: { interface: 'eth1', label: 'eth1:vip', scope: 'global', prefixLength: 24, broadcast: '+' },
        },
      }),
      vs('label-on-vrrp-interface', {
        address: '192.0.2.13',
        directors: { interface: 'ens192' },
        vrrp: { vip: { label: 'ens192:13', scope: '200', prefixLength: 30, broadcast: '192.0.2.15' } },
      }),
      vs('v6', { address: '2001:db8::14', vrrp: { vip: { interface: 'eth1', prefixLength: 64 } } }),
      vs('a', { address: '192.0.2.15', vrrp: { syncGroup: 'pair' } }),
      vs('b', { address: '192.0.2.16', vrrp: { syncGroup: 'pair' } }),
    ]);
    expect(r.errors).toEqual([]);
    expect(names(r.valid.virtualServices).sort()).toEqual(
      ['a', 'b', 'dev', 'label-on-vrrp-interface', 'track', 'v6'].sort(),
    );
  });

  it('lets VirtualServices of one VIP share a sync group, tracked interfaces and VIP options they agree on', () => {
    const vrrp = { syncGroup: 'g', trackInterfaces: [{ name: 'eth1' }], vip: { prefixLength: 24 } };
    const r = check([...directors(), vs('http', { vrrp }), vs('https', { port: 443, vrrp })]);
    expect(r.errors).toEqual([]);
  });
});

describe('VirtualServices of one VIP must agree on the instance', () => {
  it.each([
    ['spec.vrrp.trackInterfaces', { trackInterfaces: [{ name: 'eth1' }] }, [{ name: 'eth1' }]],
    ['spec.vrrp.vip', { vip: { interface: 'eth1' } }, { interface: 'eth1' }],
    ['spec.vrrp.syncGroup', { syncGroup: 'g' }, 'g'],
  ])('%s', (field, vrrp, value) => {
    const r = check([...directors(), vs('http'), vs('https', { port: 443, vrrp })]);
    const e = expectOneError(r.hard, 'VirtualService default/https', field);
    expect(e.value).toEqual(value);
    expect(e.message).toContain('share one VRRP instance and must agree; VirtualService default/http has');
  });

  it('compares tracked interfaces whatever their order', () => {
    const t = [{ name: 'eth1' }, { name: 'eth2', weight: 5 }];
    const r = check([
      ...directors(),
      vs('http', { vrrp: { trackInterfaces: t } }),
      vs('https', { port: 443, vrrp: { trackInterfaces: [...t].reverse() } }),
    ]);
    expect(r.errors).toEqual([]);
  });
});

describe('the members of a sync group', () => {
  const world = () => [...directors(), director('lvs03', '192.0.2.3'), director('lvs04', '192.0.2.4')];
  const on = (...nodes: string[]) =>
    Object.fromEntries(nodes.map((n) => [`pair/${n}`, 'true'])) as Record<string, string>;
  const labelled = () =>
    world().map((n) => ({
      ...n,
      metadata: {
        ...n.metadata,
        labels: { ...n.metadata.labels, [`pair/${n.metadata.name}`]: 'true' },
      },
    }));

  it('refuses a member on other directors, naming both VirtualServices and both director sets', () => {
    const r = check([
      ...labelled(),
      vs('a', { address: '192.0.2.15', directors: { nodeSelector: on('lvs01') }, vrrp: { syncGroup: 'pair' } }),
      vs('b', { address: '192.0.2.16', directors: { nodeSelector: on('lvs03') }, vrrp: { syncGroup: 'pair' } }),
    ]);
    const e = expectOneError(r.hard, 'VirtualService default/b', 'spec.vrrp.syncGroup');
    expect(e.value).toBe('pair');
    expect(e.message).toBe(
      'the members of a sync group must have the same directors: VirtualService default/b has lvs03, VirtualService default/a of the same sync group has lvs01',
    );
    expect(names(r.valid.virtualServices)).toEqual(['a']);
  });

  it('refuses a member whose directors are a subset of the others', () => {
    const r = check([
      ...world(),
      vs('a', { address: '192.0.2.15', vrrp: { syncGroup: 'pair' } }),
      vs('b', {
        address: '192.0.2.16',
        directors: { nodeSelector: { 'kubernetes.io/hostname': 'x' } },
        vrrp: { syncGroup: 'pair' },
      }),
    ]);
    const e = expectOneError(r.hard, 'VirtualService default/b', 'spec.vrrp.syncGroup');
    expect(e.message).toContain(
      'has none, VirtualService default/a of the same sync group has lvs01, lvs02, lvs03, lvs04',
    );
  });

  it('takes a group name of another namespace for another group', () => {
    const r = check([
      ...labelled(),
      vs('a', { address: '192.0.2.15', directors: { nodeSelector: on('lvs01') }, vrrp: { syncGroup: 'pair' } }),
      vs(
        'b',
        { address: '192.0.2.16', directors: { nodeSelector: on('lvs03') }, vrrp: { syncGroup: 'pair' } },
        'other',
      ),
    ]);
    expect(r.hard).toEqual([]);
  });
});
