import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { VrrpInstancePlan } from '../../../src/core/api/objects.js';
import {
  interfaceHolding,
  linkAddressesOf,
  resolveInterfaces,
  stateFromAddresses,
} from '../../../src/node/dataplane/keepalived/links.js';
import { parseIpAddrJson } from '../../../src/node/dataplane/ip-addr.js';

// `ip -j addr show` of a netns (iproute2 6.1): lo; eth0 with 192.0.2.2/24, the VIP 192.0.2.100/32
// and 2001:db8::2/64; its veth peer eth1 without addresses; eth2 (down) with 198.51.100.2/24.
// Reindented by prettier; the data is as ip printed it.
const captured = readFileSync(new URL('fixtures/ip-addr-show.json', import.meta.url), 'utf8');
const links = linkAddressesOf(parseIpAddrJson(captured));

function instance(overrides: Partial<VrrpInstancePlan> = {}): VrrpInstancePlan {
  return {
    name: 'VI_10',
    owners: ['default/web'],
    virtualRouterID: 10,
    version: 2,
    virtualAddresses: ['192.0.2.100'],
    priority: 100,
    initialState: 'BACKUP',
    advertInterval: 1,
    preempt: true,
    preemptDelay: 0,
    ...overrides,
  };
}

describe('parseIpAddrJson', () => {
  it('reads the interfaces, their state and addresses from real output', () => {
    expect(links).toEqual([
      { name: 'lo', up: true, addresses: ['127.0.0.1', '::1'] },
      { name: 'eth1', up: true, addresses: [expect.stringMatching(/^fe80::/)] },
      {
        name: 'eth0',
        up: true,
        addresses: ['192.0.2.2', '192.0.2.100', '2001:db8::2', expect.stringMatching(/^fe80::/)],
      },
      { name: 'eth3', up: false, addresses: [] },
      { name: 'eth2', up: false, addresses: ['198.51.100.2'] },
    ]);
  });

  it('rejects output that is not an array', () => {
    expect(() => parseIpAddrJson('{}')).toThrow(/JSON array/);
  });
});

describe('the interface lookup', () => {
  it('finds the interface holding an address, IPv6 in any case', () => {
    expect(interfaceHolding(links, '192.0.2.2')).toBe('eth0');
    expect(interfaceHolding(links, '2001:DB8::2')).toBe('eth0');
    expect(interfaceHolding(links, '198.51.100.2')).toBe('eth2');
    expect(interfaceHolding(links, '192.0.2.3')).toBeUndefined();
  });

  it('resolves only the instances without an interface', () => {
    const resolved = resolveInterfaces(
      [
        instance({ name: 'VI_1', sourceAddress: '192.0.2.2' }),
        instance({ name: 'VI_2', interface: 'ens192', sourceAddress: '192.0.2.2' }),
      ],
      links,
    );
    expect(resolved).toEqual(new Map([['VI_1', 'eth0']]));
  });

  it('says which instance it cannot place', () => {
    expect(() => resolveInterfaces([instance({ sourceAddress: '192.0.2.9' })], links)).toThrow(
      'vrrp instance VI_10: no interface holds 192.0.2.9',
    );
    expect(() => resolveInterfaces([instance()], links)).toThrow(/VI_10: no interface and no sourceAddress/);
  });
});

describe('stateFromAddresses (an adopted keepalived)', () => {
  it('MASTER when the interface holds every VIP', () => {
    expect(stateFromAddresses(instance(), 'eth0', links)).toBe('MASTER');
  });
  it('BACKUP when a VIP is missing', () => {
    expect(stateFromAddresses(instance({ virtualAddresses: ['192.0.2.100', '192.0.2.101'] }), 'eth0', links)).toBe(
      'BACKUP',
    );
    expect(stateFromAddresses(instance(), 'eth1', links)).toBe('BACKUP');
  });
  it('FAULT when the interface is down or missing', () => {
    expect(stateFromAddresses(instance({ virtualAddresses: ['198.51.100.2'] }), 'eth2', links)).toBe('FAULT');
    expect(stateFromAddresses(instance(), 'nosuch0', links)).toBe('FAULT');
  });
  it('FAULT when a tracked interface without a weight is down or missing, as keepalived puts it', () => {
    const tracking = (name: string, weight = 0) => instance({ trackInterfaces: [{ name, weight }] });
    expect(stateFromAddresses(tracking('eth2'), 'eth0', links)).toBe('FAULT');
    expect(stateFromAddresses(tracking('nosuch0'), 'eth0', links)).toBe('FAULT');
    expect(stateFromAddresses(tracking('eth1'), 'eth0', links)).toBe('MASTER');
  });
  it('a weighted tracked interface that is down moves the priority only: the VIPs still tell the state', () => {
    expect(stateFromAddresses(instance({ trackInterfaces: [{ name: 'eth2', weight: -50 }] }), 'eth0', links)).toBe(
      'MASTER',
    );
  });
  it('a VIP on another interface than the instance is looked for there', () => {
    const onEth0 = instance({ virtualAddressOptions: { interface: 'eth0', prefixLength: 24 } });
    expect(stateFromAddresses(onEth0, 'eth1', links)).toBe('MASTER');
    const onEth1 = instance({ virtualAddressOptions: { interface: 'eth1' } });
    expect(stateFromAddresses(onEth1, 'eth0', links)).toBe('BACKUP');
  });
  it("FAULT when the VIP's own interface is down, which keepalived tracks too", () => {
    expect(stateFromAddresses(instance({ virtualAddressOptions: { interface: 'eth2' } }), 'eth0', links)).toBe('FAULT');
  });
});
