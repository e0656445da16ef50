import { describe, expect, it } from 'vitest';
import type { ServicePlan } from '../../../src/core/api/objects.js';
import { healthKey } from '../../../src/node/health/health-key.js';
import { applyHealth } from '../../../src/node/health/overlay.js';
import { nextQuorumUp } from '../../../src/node/health/quorum.js';
import { serviceFromPlan } from '../../../src/core/ipvs/from-plan.js';
import { formatHostPort, serviceKey, type IpvsService } from '../../../src/core/ipvs/model.js';
import { destination, service } from './builders.js';

const inhibit = { healthCheck: { onFailure: 'Inhibit' as const } };
const a = destination('10.0.0.1', { weight: 3 });
const b = destination('10.0.0.2', { weight: 2 });
const c = destination('10.0.0.3', { weight: 1, ...inhibit });
const pool = service([a, b, c]);
const sorry = { address: '10.9.9.9', port: 8080, forwarding: 'DR' as const };

/** Health as "which addresses are down" (everything else up, or absent when listed in `unknown`). */
function health(svc: ServicePlan, down: string[], unknown: string[] = []): Map<string, boolean> {
  return new Map(
    svc.destinations
      .filter((d) => !unknown.includes(d.address))
      .map((d) => [healthKey(svc, d), !down.includes(d.address)]),
  );
}

/** `address:port/weight`, and the forwarding when not DR. */
function row(s: IpvsService): string[] {
  return s.destinations.map(
    (d) => `${formatHostPort(d.address, d.port)}/${d.weight}${d.forwarding === 'DR' ? '' : ` ${d.forwarding}`}`,
  );
}

describe('applyHealth: one service', () => {
  const cases: {
    name: string;
    svc: ServicePlan;
    down?: string[];
    unknown?: string[];
    before?: boolean;
    pool: string[];
    quorum: boolean;
  }[] = [
    {
      name: 'all healthy: the plan',
      svc: pool,
      pool: ['10.0.0.1:80/3', '10.0.0.2:80/2', '10.0.0.3:80/1'],
      quorum: true,
    },
    {
      name: 'not yet checked counts as healthy',
      svc: pool,
      unknown: ['10.0.0.1', '10.0.0.2', '10.0.0.3'],
      pool: ['10.0.0.1:80/3', '10.0.0.2:80/2', '10.0.0.3:80/1'],
      quorum: true,
    },
    {
      name: 'DOWN with Remove: left out',
      svc: pool,
      down: ['10.0.0.2'],
      pool: ['10.0.0.1:80/3', '10.0.0.3:80/1'],
      quorum: true,
    },
    {
      name: 'DOWN with Inhibit: weight 0',
      svc: pool,
      down: ['10.0.0.3'],
      pool: ['10.0.0.1:80/3', '10.0.0.2:80/2', '10.0.0.3:80/0'],
      quorum: true,
    },
    {
      name: 'all DOWN, no sorry server: the pool as health made it',
      svc: pool,
      down: ['10.0.0.1', '10.0.0.2', '10.0.0.3'],
      pool: ['10.0.0.3:80/0'],
      quorum: false,
    },
    {
      name: 'all DOWN, sorry server: only it, weight 1',
      svc: service([a, b, c], { sorryServer: sorry }),
      down: ['10.0.0.1', '10.0.0.2', '10.0.0.3'],
      pool: ['10.9.9.9:8080/1'],
      quorum: false,
    },
    {
      name: 'sorry server unused while one is up',
      svc: service([a, b, c], { sorryServer: sorry }),
      down: ['10.0.0.1', '10.0.0.2'],
      pool: ['10.0.0.3:80/1'],
      quorum: true,
    },
    {
      name: "sorry server takes the forwarding the plan gives it (the VirtualService's)",
      svc: service([destination('10.0.0.1', { forwarding: 'NAT' })], { sorryServer: { ...sorry, forwarding: 'NAT' } }),
      down: ['10.0.0.1'],
      pool: ['10.9.9.9:8080/1 NAT'],
      quorum: false,
    },
    {
      name: 'empty pool: no quorum, the sorry server in DR',
      svc: service([], { sorryServer: sorry }),
      pool: ['10.9.9.9:8080/1'],
      quorum: false,
    },
    { name: 'empty pool without sorry server: empty', svc: service([]), pool: [], quorum: false },
    {
      name: 'healthy weight 0 is no quorum',
      svc: service([destination('10.0.0.1', { weight: 0 })], { sorryServer: sorry }),
      pool: ['10.9.9.9:8080/1'],
      quorum: false,
    },
    {
      name: 'type None is healthy whatever the map says',
      svc: service([destination('10.0.0.1', { healthCheck: { type: 'None' } })]),
      down: ['10.0.0.1'],
      pool: ['10.0.0.1:80/1'],
      quorum: true,
    },
    {
      name: 'quorum 4: 3+2 up is enough',
      svc: service([a, b, c], { quorum: { minimum: 4, hysteresis: 0 }, sorryServer: sorry }),
      down: ['10.0.0.3'],
      pool: ['10.0.0.1:80/3', '10.0.0.2:80/2', '10.0.0.3:80/0'],
      quorum: true,
    },
    {
      name: 'quorum 4: 3+1 up is enough',
      svc: service([a, b, c], { quorum: { minimum: 4, hysteresis: 0 }, sorryServer: sorry }),
      down: ['10.0.0.2'],
      pool: ['10.0.0.1:80/3', '10.0.0.3:80/1'],
      quorum: true,
    },
    {
      name: 'quorum 4: 2+1 up is not',
      svc: service([a, b, c], { quorum: { minimum: 4, hysteresis: 0 }, sorryServer: sorry }),
      down: ['10.0.0.1'],
      pool: ['10.9.9.9:8080/1'],
      quorum: false,
    },
    {
      name: 'quorum 4 without sorry server: below it, the pool stays',
      svc: service([a, b, c], { quorum: { minimum: 4, hysteresis: 0 } }),
      down: ['10.0.0.1'],
      pool: ['10.0.0.2:80/2', '10.0.0.3:80/1'],
      quorum: false,
    },
    {
      name: 'hysteresis 1, was up: 3 of 4 keeps it up',
      svc: service([a, b, c], { quorum: { minimum: 4, hysteresis: 1 }, sorryServer: sorry }),
      down: ['10.0.0.2', '10.0.0.3'],
      before: true,
      pool: ['10.0.0.1:80/3', '10.0.0.3:80/0'],
      quorum: true,
    },
    {
      name: 'hysteresis 1, was up: 2 of 4 drops it',
      svc: service([a, b, c], { quorum: { minimum: 4, hysteresis: 1 }, sorryServer: sorry }),
      down: ['10.0.0.1', '10.0.0.3'],
      before: true,
      pool: ['10.9.9.9:8080/1'],
      quorum: false,
    },
    {
      name: 'hysteresis 1, was down: 4 of 4 is not enough',
      svc: service([a, b, c], { quorum: { minimum: 4, hysteresis: 1 }, sorryServer: sorry }),
      down: ['10.0.0.2'],
      before: false,
      pool: ['10.9.9.9:8080/1'],
      quorum: false,
    },
    {
      name: 'hysteresis 1, was down: 5 of 4 brings it up',
      svc: service([a, b, c], { quorum: { minimum: 4, hysteresis: 1 }, sorryServer: sorry }),
      down: ['10.0.0.3'],
      before: false,
      pool: ['10.0.0.1:80/3', '10.0.0.2:80/2', '10.0.0.3:80/0'],
      quorum: true,
    },
    {
      name: 'hysteresis 1, never evaluated: judged as down (keepalived start-up)',
      svc: service([a, b, c], { quorum: { minimum: 4, hysteresis: 1 }, sorryServer: sorry }),
      down: ['10.0.0.2'],
      pool: ['10.9.9.9:8080/1'],
      quorum: false,
    },
    {
      name: 'IPv6',
      svc: service([destination('2001:db8::1'), destination('2001:db8::2', inhibit)], { address: '2001:db8::100' }),
      down: ['2001:db8::2'],
      pool: ['[2001:db8::1]:80/1', '[2001:db8::2]:80/0'],
      quorum: true,
    },
  ];

  it.each(cases)('$name', ({ svc, down = [], unknown = [], before, pool: expectedPool, quorum }) => {
    const prior = before === undefined ? new Map() : new Map([[serviceKey(svc), before]]);
    const out = applyHealth([svc], health(svc, down, unknown), prior);
    expect(row(out.table.services[0]!)).toEqual(expectedPool);
    expect([...out.quorumState.values()]).toEqual([quorum]);
  });
});

describe('applyHealth: the table around the destinations', () => {
  it('keeps every service field of the plan, thresholds on kept destinations, plan order', () => {
    const svc = service(
      [destination('10.0.0.2', { upperThreshold: 100, lowerThreshold: 10 }), destination('10.0.0.1', inhibit)],
      { scheduler: 'sh', schedulerFlags: ['sh-port'], persistence: { timeout: 5, netmask: '255.255.255.0' } },
    );
    const out = applyHealth([svc], health(svc, ['10.0.0.1']));
    const planned = serviceFromPlan(svc);
    expect(out.table.services[0]).toEqual({
      ...planned,
      destinations: [planned.destinations[0], { ...planned.destinations[1], weight: 0 }],
    });
  });

  it('services are independent, and only the plan’s services keep a quorum state', () => {
    const one = service([a], { port: 80, sorryServer: sorry });
    const two = service([a], { port: 81, sorryServer: sorry });
    const down = new Map([[healthKey(one, a), false]]);
    const out = applyHealth([one, two], down, new Map([['TCP/192.0.2.1:1', true]]));
    expect(out.table.services.map(row)).toEqual([['10.9.9.9:8080/1'], ['10.0.0.1:80/3']]);
    expect(out.quorumState).toEqual(
      new Map([
        ['TCP/172.16.40.160:80', false],
        ['TCP/172.16.40.160:81', true],
      ]),
    );
  });

  it('the quorum state walks keepalived’s hysteresis loop as health changes', () => {
    const svc = service([a, b, c], { quorum: { minimum: 4, hysteresis: 1 }, sorryServer: sorry });
    // weights a=3 b=2 c=1; up stays up from 4 - 1 = 3, down comes up from 4 + 1 = 5
    const walk: [string[], boolean][] = [
      [[], true], // 6
      [['10.0.0.2'], true], // 4
      [['10.0.0.2', '10.0.0.3'], true], // 3: still up
      [['10.0.0.1'], true], // 2 + 1 = 3: weight decides, not the count
      [['10.0.0.1', '10.0.0.3'], false], // 2: lost
      [['10.0.0.2'], false], // 4: not enough to come back
      [['10.0.0.3'], true], // 5: gained
    ];
    let state = new Map<string, boolean>();
    for (const [down, expected] of walk) {
      state = applyHealth([svc], health(svc, down), state).quorumState;
      expect([down, state.get('TCP/172.16.40.160:80')]).toEqual([down, expected]);
    }
  });
});

describe('nextQuorumUp', () => {
  it.each([
    { quorum: undefined, weight: 1, before: undefined, up: true },
    { quorum: undefined, weight: 0, before: true, up: false },
    { quorum: { minimum: 1, hysteresis: 5 }, weight: 1, before: true, up: true },
    { quorum: { minimum: 1, hysteresis: 5 }, weight: 0, before: true, up: false },
    { quorum: { minimum: 1, hysteresis: 5 }, weight: 5, before: false, up: false },
    { quorum: { minimum: 1, hysteresis: 5 }, weight: 6, before: false, up: true },
    { quorum: { minimum: 10, hysteresis: 2 }, weight: 8, before: true, up: true },
    { quorum: { minimum: 10, hysteresis: 2 }, weight: 7, before: true, up: false },
    { quorum: { minimum: 10, hysteresis: 2 }, weight: 11, before: false, up: false },
    { quorum: { minimum: 10, hysteresis: 2 }, weight: 12, before: undefined, up: true },
  ])('minimum/hysteresis $quorum, weight $weight, was $before: $up', ({ quorum, weight, before, up }) => {
    expect(nextQuorumUp(quorum, weight, before)).toBe(up);
  });
});
