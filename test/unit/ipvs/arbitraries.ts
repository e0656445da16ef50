// fast-check generators of VALID IPVS tables (what the kernel could hold and ipvsadm print).
// Two flavours: `anyTable` roams the whole address space for format round trips; `smallTable`
// draws from small pools so that two independent tables share services and destinations, which
// is what diff properties need.
import fc from 'fast-check';
import { isUnicastDestination, normalizeIp } from '../../../src/core/net/address.js';
import type { IpvsDestination, IpvsProtocol, IpvsService, IpvsTable } from '../../../src/core/ipvs/model.js';
import { serviceKey } from '../../../src/core/ipvs/model.js';

interface Pools {
  serviceAddress: fc.Arbitrary<string>;
  destinationAddress: (family: 4 | 6) => fc.Arbitrary<string>;
  servicePort: fc.Arbitrary<number>;
  natPort: fc.Arbitrary<number>;
  maxServices: number;
  maxDestinations: number;
}

const SCHEDULERS = ['rr', 'wrr', 'wlc', 'lc', 'sh', 'mh', 'dh', 'sed', 'nq', 'fo', 'ovf', 'lblc', 'lblcr'];
const familyOf = (a: string): 4 | 6 => (a.includes(':') ? 6 : 4);

function flagsFor(scheduler: string): fc.Arbitrary<string[] | undefined> {
  // Generic names are valid for every scheduler (ipvsadm prints sh/mh ones under their own
  // name); bit 3 is left out for sh/mh, where ipvsadm -S cannot show it.
  const all =
    scheduler === 'sh'
      ? ['sh-fallback', 'sh-port', 'flag-1', 'flag-2']
      : scheduler === 'mh'
        ? ['mh-fallback', 'mh-port', 'flag-1', 'flag-2']
        : ['flag-1', 'flag-2', 'flag-3'];
  return fc.option(fc.subarray(all, { minLength: 1 }), { nil: undefined });
}

const ipv4Netmask = fc.oneof(
  fc.integer({ min: 0, max: 32 }).map((bits) => {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return [24, 16, 8, 0].map((s) => (mask >>> s) & 0xff).join('.');
  }),
  fc.ipV4(), // ipvsadm takes (and prints) any dotted quad, contiguous or not
);

function persistenceFor(family: 4 | 6): fc.Arbitrary<IpvsService['persistence']> {
  const netmask = family === 4 ? ipv4Netmask : fc.integer({ min: 1, max: 128 }).map(String);
  return fc.record(
    { timeout: fc.oneof(fc.constantFrom(1, 360, 2_678_400), fc.integer({ min: 1, max: 2_678_400 })), netmask },
    { requiredKeys: ['timeout'] },
  );
}

function destinationFor(service: Pick<IpvsService, 'address' | 'port'>, pools: Pools): fc.Arbitrary<IpvsDestination> {
  const family = familyOf(service.address);
  const thresholds = fc
    .tuple(fc.integer({ min: 0, max: 2_147_483_647 }), fc.integer({ min: 0, max: 2_147_483_647 }))
    .map(([a, b]) =>
      a === 0
        ? {}
        : { upperThreshold: Math.max(a, b), ...(Math.min(a, b) > 0 ? { lowerThreshold: Math.min(a, b) } : {}) },
    );
  const common = fc.record({
    weight: fc.oneof(fc.constantFrom(0, 1, 65535), fc.integer({ min: 0, max: 65535 })),
    thresholds: fc.option(thresholds, { nil: undefined }),
  });
  const nat = fc
    .record({ address: pools.destinationAddress(family), port: pools.natPort, c: common })
    .map(({ address, port, c }): IpvsDestination => ({
      address,
      port,
      forwarding: 'NAT',
      weight: c.weight,
      ...c.thresholds,
    }));
  const direct = fc
    .record({ address: pools.destinationAddress(family), c: common })
    .map(({ address, c }): IpvsDestination => ({
      address,
      port: service.port,
      forwarding: 'DR',
      weight: c.weight,
      ...c.thresholds,
    }));
  const tunnel = fc.oneof(
    fc.constant({}),
    fc.constant({ tunnelType: 'ipip' as const }),
    fc.record(
      {
        tunnelType: fc.constant('gue' as const),
        tunnelPort: fc.integer({ min: 1, max: 65535 }),
        tunnelChecksum: fc.constantFrom('nocsum', 'csum', 'remcsum'),
      },
      { requiredKeys: ['tunnelType', 'tunnelPort'] },
    ),
    fc.record(
      { tunnelType: fc.constant('gre' as const), tunnelChecksum: fc.constantFrom('nocsum', 'csum') },
      { requiredKeys: ['tunnelType'] },
    ),
  );
  // TUN may cross address families (IPv6 real server behind an IPv4 VIP and vice versa).
  const tun = fc
    .record({
      address: fc.oneof(pools.destinationAddress(family), pools.destinationAddress(family === 4 ? 6 : 4)),
      c: common,
      tunnel,
    })
    .map(({ address, c, tunnel }): IpvsDestination => ({
      address,
      port: service.port,
      forwarding: 'TUN',
      weight: c.weight,
      ...c.thresholds,
      ...tunnel,
    }));
  return fc.oneof(nat, direct, tun);
}

function serviceFrom(pools: Pools): fc.Arbitrary<IpvsService> {
  const head = fc.record({
    protocol: fc.constantFrom<IpvsProtocol>('TCP', 'UDP', 'SCTP'),
    address: pools.serviceAddress,
    port: pools.servicePort,
    scheduler: fc.constantFrom(...SCHEDULERS),
  });
  return head.chain((h) =>
    fc
      .record({
        schedulerFlags: flagsFor(h.scheduler),
        // Port 0 (all ports) exists only for persistent services.
        persistence:
          h.port === 0
            ? persistenceFor(familyOf(h.address))
            : fc.option(persistenceFor(familyOf(h.address)), { nil: undefined }),
        onePacket: h.protocol === 'UDP' ? fc.option(fc.constant(true), { nil: undefined }) : fc.constant(undefined),
        destinations: fc.uniqueArray(destinationFor(h, pools), {
          maxLength: pools.maxDestinations,
          selector: (d) => `${normalizeIp(d.address)}/${d.port}`,
        }),
      })
      .map((rest): IpvsService => {
        const s: IpvsService = { ...h, destinations: rest.destinations };
        if (rest.schedulerFlags) s.schedulerFlags = rest.schedulerFlags;
        if (rest.persistence) s.persistence = rest.persistence;
        if (rest.onePacket) s.onePacket = true;
        return s;
      }),
  );
}

function tableFrom(pools: Pools): fc.Arbitrary<IpvsTable> {
  return fc
    .uniqueArray(serviceFrom(pools), {
      maxLength: pools.maxServices,
      selector: (s) => serviceKey({ ...s, address: normalizeIp(s.address) as string }),
    })
    .map((services) => ({ services }));
}

// Real servers must be addresses the kernel takes (see isUnicastDestination).
const anyAddress = (family: 4 | 6) => (family === 4 ? fc.ipV4() : fc.ipV6()).filter(isUnicastDestination);

/** Any valid table: all address forms fast-check can write (so normalization is exercised). */
export const anyTable: fc.Arbitrary<IpvsTable> = tableFrom({
  serviceAddress: fc.oneof(fc.ipV4(), fc.ipV6()),
  destinationAddress: anyAddress,
  servicePort: fc.oneof(fc.constantFrom(0, 1, 80, 65535), fc.integer({ min: 0, max: 65535 })),
  natPort: fc.integer({ min: 0, max: 65535 }),
  maxServices: 6,
  maxDestinations: 5,
});

/** Tables over a few services and destinations, so that two of them overlap a lot. */
export const smallTable: fc.Arbitrary<IpvsTable> = tableFrom({
  // Written in several spellings on purpose: the diff must see through them.
  serviceAddress: fc.constantFrom('192.0.2.1', '192.0.2.2', '2001:db8::1', '2001:DB8:0::1'),
  destinationAddress: (family) =>
    family === 4
      ? fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.3')
      : fc.constantFrom('2001:db8::a', '2001:db8::b', '2001:0db8::000a'),
  servicePort: fc.constantFrom(0, 80),
  natPort: fc.constantFrom(80, 8080),
  maxServices: 5,
  maxDestinations: 4,
});
