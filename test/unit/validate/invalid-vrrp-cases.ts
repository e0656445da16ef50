// Invalid VRRP tracked interfaces, VIP options and sync group names for invalid-objects.test.ts
// (and the same table against a real kube-apiserver in test/envtest). Each must be refused with
// the field and the value.
import type { Case } from './invalid-cases.js';
import { vs } from './builders.js';

const badVs = (vrrp: Record<string, unknown>, spec: Record<string, unknown> = {}) =>
  vs('bad', { address: '192.0.2.30', ...spec, vrrp });
const V6 = { address: '2001:db8::30' };
const tracked = (name: unknown, weight?: number) => ({ trackInterfaces: [{ name, weight }] });

export const vrrpCases: Case[] = [
  ...(
    [
      ['with a slash', 'eth0/1'],
      ['of 16 characters', 'abcdefghijklmnop'],
      ['with a blank', 'eth 1'],
      ['starting with a dot', '.eth1'],
      ['empty', ''],
    ] as const
  ).map(([what, name]) => ({
    name: `tracked interface name ${what}`,
    object: badVs(tracked(name)),
    field: 'spec.vrrp.trackInterfaces[0].name',
    value: name,
    says: 'pattern',
  })),
  ...[254, -254, 1000].map((weight) => ({
    name: `tracked interface weight ${weight}`,
    object: badVs(tracked('eth1', weight)),
    field: 'spec.vrrp.trackInterfaces[0].weight',
    value: weight,
  })),
  {
    name: 'tracked interface listed twice',
    object: badVs({ trackInterfaces: [{ name: 'eth1' }, { name: 'eth1', weight: 10 }] }),
    field: 'spec.vrrp.trackInterfaces[1]',
    value: { name: 'eth1', weight: 10 },
    says: 'duplicate',
  },
  {
    name: 'tracked interface is the VRRP interface',
    object: badVs(tracked('ens192'), { directors: { interface: 'ens192' } }),
    field: 'spec.vrrp.trackInterfaces',
    value: [{ name: 'ens192' }],
    says: 'tracks the VRRP interface itself',
  },
  {
    name: 'VIP interface with a slash',
    object: badVs({ vip: { interface: 'eth1/2' } }),
    field: 'spec.vrrp.vip.interface',
    value: 'eth1/2',
    says: 'pattern',
  },
  {
    name: 'VIP label of another interface',
    object: badVs({ vip: { interface: 'eth1', label: 'eth0:vip' } }),
    field: 'spec.vrrp.vip.label',
    value: 'eth0:vip',
    says: 'must start with the VIP',
  },
  {
    name: 'VIP label of the VRRP interface when the VIP is elsewhere',
    object: badVs({ vip: { interface: 'eth1', label: 'ens192:vip' } }, { directors: { interface: 'ens192' } }),
    field: 'spec.vrrp.vip.label',
    value: 'ens192:vip',
    says: 'must start with the VIP',
  },
  {
    name: 'VIP label with no interface to check it against',
    object: badVs({ vip: { label: 'eth0:vip' } }),
    field: 'spec.vrrp.vip.label',
    value: 'eth0:vip',
    says: 'which must then be set',
  },
  ...['eth1:', 'eth1:v ip', 'eth1:a:b'].map((label) => ({
    name: `VIP label ${JSON.stringify(label)}`,
    object: badVs({ vip: { interface: 'eth1', label } }),
    field: 'spec.vrrp.vip.label',
    value: label,
    says: 'pattern',
  })),
  {
    name: 'VIP label of 16 characters',
    object: badVs({ vip: { interface: 'eth1', label: 'eth1:0123456789a' } }),
    field: 'spec.vrrp.vip.label',
    value: 'eth1:0123456789a',
  },
  ...['universe', '256', 'Global', '-1', ''].map((scope) => ({
    name: `VIP scope ${JSON.stringify(scope)}`,
    object: badVs({ vip: { scope } }),
    field: 'spec.vrrp.vip.scope',
    value: scope,
    says: 'pattern',
  })),
  ...['all', '192.0.2.256', '2001:db8::ff', '++'].map((broadcast) => ({
    name: `VIP broadcast ${JSON.stringify(broadcast)}`,
    object: badVs({ vip: { prefixLength: 24, broadcast } }),
    field: 'spec.vrrp.vip.broadcast',
    value: broadcast,
    says: 'pattern',
  })),
  {
    name: 'VIP broadcast + without a prefix length',
    object: badVs({ vip: { broadcast: '+' } }),
    field: 'spec.vrrp.vip.broadcast',
    value: '+',
    says: 'at most 30',
  },
  {
    name: 'VIP broadcast - on a /31',
    object: badVs({ vip: { prefixLength: 31, broadcast: '-' } }),
    field: 'spec.vrrp.vip.broadcast',
    value: '-',
    says: 'at most 30',
  },
  {
    name: 'VIP prefix length 33 on IPv4',
    object: badVs({ vip: { prefixLength: 33 } }),
    field: 'spec.vrrp.vip.prefixLength',
    value: 33,
    says: '1-32',
  },
  ...[0, 129].map((prefixLength) => ({
    name: `VIP prefix length ${prefixLength}`,
    object: badVs({ vip: { prefixLength } }, V6),
    field: 'spec.vrrp.vip.prefixLength',
    value: prefixLength,
  })),
  ...[{ label: 'eth1:v6' }, { scope: 'link' }, { broadcast: '-', prefixLength: 24 }].map((extra) => ({
    name: `IPv6 VIP with ${Object.keys(extra)[0]}`,
    object: badVs({ vip: { interface: 'eth1', ...extra } }, V6),
    field: 'spec.vrrp.vip',
    value: { interface: 'eth1', ...extra },
    says: 'IPv6 VIP takes no',
  })),
  ...['VG_1', 'web.prod', '-web', 'a'.repeat(64)].map((syncGroup) => ({
    name: `sync group name ${JSON.stringify(syncGroup.length > 20 ? `${syncGroup.slice(0, 4)}...` : syncGroup)}`,
    object: badVs({ syncGroup }),
    field: 'spec.vrrp.syncGroup',
    value: syncGroup,
    says: 'pattern',
  })),
];
