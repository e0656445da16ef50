import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DestinationPlan, ServicePlan } from '../../../src/core/api/objects.js';
import { healthKey } from '../../../src/node/health/health-key.js';
import { applyHealth, isHealthy } from '../../../src/node/health/overlay.js';
import { serviceFromPlan } from '../../../src/core/ipvs/from-plan.js';
import { destinationKey, serviceKey } from '../../../src/core/ipvs/model.js';
import { destination, service } from './builders.js';

const RUNS = { numRuns: 500 };
const ADDRESSES = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '2001:db8::1', '2001:db8::2'];

const anyDestination = fc
  .record({
    address: fc.constantFrom(...ADDRESSES),
    port: fc.constantFrom(80, 8080),
    weight: fc.integer({ min: 0, max: 10 }),
    onFailure: fc.constantFrom('Inhibit' as const, 'Remove' as const),
    type: fc.constantFrom('TCP' as const, 'HTTP' as const, 'None' as const),
  })
  .map(({ address, port, weight, onFailure, type }) =>
    destination(address, { port, weight, healthCheck: { onFailure, type } }),
  );

const anyService = (port: number) =>
  fc
    .record({
      destinations: fc.uniqueArray(anyDestination, { maxLength: 5, selector: (d) => destinationKey(d) }),
      forwarding: fc.constantFrom('DR' as const, 'NAT' as const, 'TUN' as const),
      quorum: fc.option(
        fc.record({ minimum: fc.integer({ min: 1, max: 25 }), hysteresis: fc.integer({ max: 6, min: 0 }) }),
        { nil: undefined },
      ),
      sorryServer: fc.option(fc.record({ address: fc.constantFrom('10.9.9.9'), port: fc.constantFrom(80, 8080) }), {
        nil: undefined,
      }),
    })
    .map(({ destinations, forwarding, quorum, sorryServer }) =>
      service(
        destinations.map((d) => ({ ...d, forwarding })),
        {
          port,
          ...(quorum ? { quorum } : {}),
          ...(sorryServer ? { sorryServer: { ...sorryServer, forwarding } } : {}),
        },
      ),
    );

/** A plan, what health knows about it (up, down or not yet) and a prior quorum state. */
const anyCase = fc
  .uniqueArray(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 })
  .chain((ports) => fc.tuple(...ports.map(anyService)))
  .chain((services) => {
    const keys = services.flatMap((s) => s.destinations.map((d) => healthKey(s, d)));
    return fc.record({
      services: fc.constant(services as ServicePlan[]),
      health: fc
        .tuple(...keys.map(() => fc.constantFrom(true, false, undefined)))
        .map((states) => new Map(keys.flatMap((k, i) => (states[i] === undefined ? [] : [[k, states[i]] as const])))),
      prior: fc
        .tuple(...services.map(() => fc.constantFrom(true, false, undefined)))
        .map(
          (states) =>
            new Map(services.flatMap((s, i) => (states[i] === undefined ? [] : [[serviceKey(s), states[i]] as const]))),
        ),
    });
  });

/** The pool health alone makes: healthy at planned weight, Inhibit at 0, Remove left out. */
function poolOf(svc: ServicePlan, health: ReadonlyMap<string, boolean>) {
  const planned = serviceFromPlan(svc).destinations;
  return svc.destinations.flatMap((d: DestinationPlan, i) => {
    if (isHealthy(svc, d, health)) return [planned[i]!];
    return d.healthCheck.onFailure === 'Inhibit' ? [{ ...planned[i]!, weight: 0 }] : [];
  });
}

describe('applyHealth properties', () => {
  it('every destination is a healthy planned one at its weight, an inhibited one at 0, or the sorry server alone', () => {
    fc.assert(
      fc.property(anyCase, ({ services, health, prior }) => {
        const { table } = applyHealth(services, health, prior);
        table.services.forEach((out, i) => {
          const svc = services[i]!;
          for (const d of out.destinations) {
            const plan = svc.destinations.find((p) => destinationKey(p) === destinationKey(d));
            const isSorry =
              svc.sorryServer !== undefined &&
              d.address === svc.sorryServer.address &&
              d.port === svc.sorryServer.port &&
              d.weight === 1 &&
              out.destinations.length === 1;
            const healthyAtWeight = plan !== undefined && isHealthy(svc, plan, health) && d.weight === plan.weight;
            const inhibited =
              plan !== undefined &&
              !isHealthy(svc, plan, health) &&
              plan.healthCheck.onFailure === 'Inhibit' &&
              d.weight === 0;
            expect(isSorry || healthyAtWeight || inhibited).toBe(true);
          }
        });
      }),
      RUNS,
    );
  });

  it('quorum met (or no sorry server): exactly the pool health makes; else the sorry server alone', () => {
    fc.assert(
      fc.property(anyCase, ({ services, health, prior }) => {
        const { table, quorumState } = applyHealth(services, health, prior);
        services.forEach((svc, i) => {
          const out = table.services[i]!;
          const { destinations: _planned, ...fields } = serviceFromPlan(svc);
          const { destinations, ...outFields } = out;
          expect(outFields).toEqual(fields);
          if (quorumState.get(serviceKey(svc)) || !svc.sorryServer) {
            expect(destinations).toEqual(poolOf(svc, health));
          } else {
            expect(destinations).toEqual([{ ...svc.sorryServer, weight: 1 }]);
          }
        });
        expect([...quorumState.keys()]).toEqual(services.map(serviceKey));
      }),
      RUNS,
    );
  });

  it('no flapping: applying again with the state it returned gives the same table and state', () => {
    fc.assert(
      fc.property(anyCase, ({ services, health, prior }) => {
        const once = applyHealth(services, health, prior);
        expect(applyHealth(services, health, once.quorumState)).toEqual(once);
      }),
      RUNS,
    );
  });

  it('without hysteresis the previous state does not matter', () => {
    fc.assert(
      fc.property(anyCase, ({ services, health, prior }) => {
        const flat = services.map((s) => ({ ...s, quorum: s.quorum && { ...s.quorum, hysteresis: 0 } }));
        expect(applyHealth(flat, health, prior)).toEqual(applyHealth(flat, health, new Map()));
      }),
      RUNS,
    );
  });

  it('a destination coming back never loses quorum', () => {
    fc.assert(
      fc.property(anyCase, fc.nat(), ({ services, health, prior }, pick) => {
        const downKeys = [...health].filter(([, up]) => !up).map(([k]) => k);
        fc.pre(downKeys.length > 0);
        const better = new Map(health).set(downKeys[pick % downKeys.length]!, true);
        const before = applyHealth(services, health, prior).quorumState;
        const after = applyHealth(services, better, prior).quorumState;
        for (const [key, up] of before) if (up) expect(after.get(key)).toBe(true);
      }),
      RUNS,
    );
  });
});
