import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { LeaderElector, leaseDecision, microTime, type LeaseSpec } from '../../../src/cluster/lease.js';
import { ApiError, type KubeClient, type RequestSpec } from '../../../src/kube/client.js';
import { SERVER, testClient, useNock } from './kube-client.js';

const NOW = Date.parse('2025-03-01T12:00:00.000Z');
const ago = (seconds: number) => microTime(NOW - seconds * 1000);
const LEASE_PATH = '/apis/coordination.k8s.io/v1/namespaces/lvs-system/leases/lvs-operator';
const LEASES_PATH = '/apis/coordination.k8s.io/v1/namespaces/lvs-system/leases';

function lease(spec: LeaseSpec, resourceVersion = '42') {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'lvs-operator', namespace: 'lvs-system', resourceVersion },
    spec,
  };
}

const notFound = {
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  reason: 'NotFound',
  message: 'leases.coordination.k8s.io "lvs-operator" not found',
  code: 404,
};
const conflict = {
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  reason: 'Conflict',
  message: 'Operation cannot be fulfilled on leases.coordination.k8s.io "lvs-operator": the object has been modified',
  code: 409,
};

function elector(identity = 'me', extra: Partial<ConstructorParameters<typeof LeaderElector>[0]> = {}) {
  return new LeaderElector({
    client: testClient(),
    namespace: 'lvs-system',
    name: 'lvs-operator',
    identity,
    leaseDurationSeconds: 15,
    retryPeriodMs: 60_000,
    now: () => NOW,
    ...extra,
  });
}

describe('leaseDecision', () => {
  const seen = (seconds: number) => NOW - seconds * 1000;
  it('renews a Lease this candidate holds, however long unchanged', () => {
    expect(leaseDecision({ holderIdentity: 'me', leaseDurationSeconds: 15 }, 'me', NOW, seen(10))).toBe('renew');
    expect(leaseDecision({ holderIdentity: 'me', leaseDurationSeconds: 15 }, 'me', NOW, seen(100))).toBe('renew');
  });

  it('acquires a Lease nobody holds (a released one has an empty holder)', () => {
    expect(leaseDecision(undefined, 'me', NOW, NOW)).toBe('acquire');
    expect(leaseDecision({}, 'me', NOW, NOW)).toBe('acquire');
    expect(leaseDecision({ holderIdentity: '', renewTime: ago(0), leaseDurationSeconds: 1 }, 'me', NOW, NOW)).toBe(
      'acquire',
    );
  });

  it('acquires a Lease seen unchanged for longer than its duration', () => {
    expect(leaseDecision({ holderIdentity: 'other', leaseDurationSeconds: 15 }, 'me', NOW, seen(16))).toBe('acquire');
  });

  it('waits while the Lease has changed within the duration', () => {
    expect(leaseDecision({ holderIdentity: 'other', leaseDurationSeconds: 15 }, 'me', NOW, seen(14))).toBe('wait');
    expect(leaseDecision({ holderIdentity: 'other', leaseDurationSeconds: 15 }, 'me', NOW, seen(15))).toBe('wait');
  });

  it("never reads the holder's renewTime against its own clock (a skewed clock hands nothing over)", () => {
    // renewTime an hour in the past by this clock, yet just seen to change: wait
    const skewed = { holderIdentity: 'other', renewTime: ago(3600), leaseDurationSeconds: 15 };
    expect(leaseDecision(skewed, 'me', NOW, NOW)).toBe('wait');
  });
});

describe('microTime', () => {
  it('writes RFC 3339 with exactly six fractional digits, as metav1.MicroTime', () => {
    expect(microTime(Date.parse('2025-03-01T12:00:05.678Z'))).toBe('2025-03-01T12:00:05.678000Z');
    expect(microTime(Date.parse('2025-03-01T12:00:05Z'))).toBe('2025-03-01T12:00:05.000000Z');
    expect(Date.parse(microTime(NOW + 1234))).toBe(NOW + 1234);
  });
});

describe('LeaderElector against the API server', () => {
  useNock();

  it('creates an absent Lease and leads', async () => {
    let created: ReturnType<typeof lease> | undefined;
    nock(SERVER)
      .get(LEASE_PATH)
      .reply(404, notFound)
      .post(LEASES_PATH, (body: ReturnType<typeof lease>) => {
        created = body;
        return true;
      })
      .reply(201, {})
      .get(LEASE_PATH)
      .reply(200, () => lease(created!.spec, '1'));
    await expect(elector().tryAcquireOrRenew()).resolves.toBe(true);
    expect(created).toEqual({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'lvs-operator', namespace: 'lvs-system' },
      spec: {
        holderIdentity: 'me',
        leaseDurationSeconds: 15,
        acquireTime: microTime(NOW),
        renewTime: microTime(NOW),
        leaseTransitions: 0,
      },
    });
  });

  it('does not lead when another candidate created the Lease first', async () => {
    nock(SERVER)
      .get(LEASE_PATH)
      .reply(404, notFound)
      .post(LEASES_PATH)
      .reply(409, { ...conflict, reason: 'AlreadyExists' })
      .get(LEASE_PATH)
      .reply(200, lease({ holderIdentity: 'other', renewTime: ago(0), leaseDurationSeconds: 15 }));
    await expect(elector().tryAcquireOrRenew()).resolves.toBe(false);
  });

  it('does not lead, and writes nothing, while another holds the Lease fresh', async () => {
    // no PUT is answered: one would fail the request and so the call
    nock(SERVER)
      .get(LEASE_PATH)
      .reply(200, lease({ holderIdentity: 'other', renewTime: ago(3), leaseDurationSeconds: 15, leaseTransitions: 2 }));
    await expect(elector().tryAcquireOrRenew()).resolves.toBe(false);
  });

  it('takes over a Lease seen unchanged for its duration, with the resourceVersion it read and one more transition', async () => {
    let written: ReturnType<typeof lease> | undefined;
    let now = NOW - 16_000;
    const stale = lease(
      {
        holderIdentity: 'other',
        acquireTime: ago(600),
        renewTime: ago(20),
        leaseDurationSeconds: 15,
        leaseTransitions: 3,
      },
      '42',
    );
    nock(SERVER).get(LEASE_PATH).times(2).reply(200, stale);
    const me = elector('me', { now: () => now });
    // first seen 16 s ago: not before its duration has passed on this clock
    await expect(me.tryAcquireOrRenew()).resolves.toBe(false);
    now = NOW;
    nock(SERVER)
      .put(LEASE_PATH, (body: ReturnType<typeof lease>) => {
        written = body;
        return true;
      })
      .reply(200, {});
    await expect(me.tryAcquireOrRenew()).resolves.toBe(true);
    expect(written?.metadata.resourceVersion).toBe('42');
    expect(written?.spec).toEqual({
      holderIdentity: 'me',
      leaseDurationSeconds: 15,
      acquireTime: microTime(NOW),
      renewTime: microTime(NOW),
      leaseTransitions: 4,
    });
  });

  it('renews its own Lease keeping acquireTime and the transition count', async () => {
    let written: ReturnType<typeof lease> | undefined;
    nock(SERVER)
      .get(LEASE_PATH)
      .reply(
        200,
        lease(
          {
            holderIdentity: 'me',
            acquireTime: ago(600),
            renewTime: ago(2),
            leaseDurationSeconds: 15,
            leaseTransitions: 7,
          },
          '77',
        ),
      )
      .put(LEASE_PATH, (body: ReturnType<typeof lease>) => {
        written = body;
        return true;
      })
      .reply(200, {});
    await expect(elector().tryAcquireOrRenew()).resolves.toBe(true);
    expect(written?.metadata.resourceVersion).toBe('77');
    expect(written?.spec).toMatchObject({
      holderIdentity: 'me',
      acquireTime: ago(600),
      renewTime: microTime(NOW),
      leaseTransitions: 7,
    });
  });

  it('does not lead when its write is answered 409 Conflict (another candidate wrote first)', async () => {
    let now = NOW - 20_000;
    const me = elector('me', { now: () => now });
    const stale = lease({ holderIdentity: 'other', renewTime: ago(60), leaseDurationSeconds: 15 });
    nock(SERVER).get(LEASE_PATH).times(2).reply(200, stale).put(LEASE_PATH).reply(409, conflict);
    await expect(me.tryAcquireOrRenew()).resolves.toBe(false);
    now = NOW;
    await expect(me.tryAcquireOrRenew()).resolves.toBe(false);
  });

  it('reports any other error to the caller', async () => {
    nock(SERVER).get(LEASE_PATH).reply(403, { kind: 'Status', reason: 'Forbidden', message: 'leases is forbidden' });
    await expect(elector().tryAcquireOrRenew()).rejects.toMatchObject({ statusCode: 403, reason: 'Forbidden' });
  });

  it('release() hands the Lease back: empty holder and a duration of 1 s', async () => {
    const me = elector();
    let written: ReturnType<typeof lease> | undefined;
    nock(SERVER)
      .get(LEASE_PATH)
      .reply(
        200,
        lease({ holderIdentity: 'me', acquireTime: ago(60), renewTime: ago(2), leaseDurationSeconds: 15 }, '5'),
      )
      .put(LEASE_PATH)
      .reply(200, {})
      .get(LEASE_PATH)
      .reply(
        200,
        lease({ holderIdentity: 'me', acquireTime: ago(60), renewTime: ago(0), leaseDurationSeconds: 15 }, '6'),
      )
      .put(LEASE_PATH, (body: ReturnType<typeof lease>) => {
        written = body;
        return true;
      })
      .reply(200, {});
    const started = new Promise<void>((resolve) => me.run({ onStart: resolve, onStop: () => {} }));
    await started;
    expect(me.isLeader).toBe(true);
    await me.release();
    expect(me.isLeader).toBe(false);
    expect(written?.metadata.resourceVersion).toBe('6');
    expect(written?.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(NOW) });
    // and the next candidate may take it at once
    expect(leaseDecision(written?.spec, 'other', NOW, NOW)).toBe('acquire');
  });

  it('release() during a renewal in flight still hands the Lease back (no 409 from its own renewal)', async () => {
    // A Lease as the API server keeps it: a write must carry the resourceVersion it read, and takes
    // 100 ms, so release() is called while a renewal is on the wire.
    const server = {
      rv: 1,
      spec: { holderIdentity: 'me', acquireTime: ago(60), renewTime: ago(1), leaseDurationSeconds: 15 } as LeaseSpec,
    };
    const events: string[] = [];
    const request = async (spec: RequestSpec): Promise<unknown> => {
      if (spec.method === 'GET') return lease(server.spec, String(server.rv));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const sent = spec.body as ReturnType<typeof lease>;
      if (sent.metadata.resourceVersion !== String(server.rv)) throw new ApiError(409, 'Conflict', conflict.message);
      server.rv += 1;
      server.spec = sent.spec;
      events.push(sent.spec.holderIdentity === '' ? 'released' : 'renewed');
      return lease(server.spec, String(server.rv));
    };
    const client = { request } as unknown as KubeClient;
    const me = elector('me', { client, retryPeriodMs: 1, log: (event) => events.push(event) });
    await new Promise<void>((resolve) => me.run({ onStart: resolve, onStop: () => {} }));
    await new Promise((resolve) => setTimeout(resolve, 30)); // the second renewal is in flight
    await me.release();
    expect(server.spec.holderIdentity).toBe('');
    expect(events.slice(-3)).toEqual(['renewed', 'released', 'lease released']);
  });

  it('release() writes nothing when this candidate does not lead', async () => {
    await elector().release();
  });

  it('stops leading once renewals have failed for longer than the renew deadline', async () => {
    let now = NOW;
    nock(SERVER)
      .get(LEASE_PATH)
      .reply(200, lease({ holderIdentity: 'me', renewTime: ago(1), leaseDurationSeconds: 15 }))
      .put(LEASE_PATH)
      .reply(200, {})
      .get(LEASE_PATH)
      .times(2)
      .reply(500, { kind: 'Status', reason: 'InternalError', message: 'etcdserver: request timed out' });
    let fails = 0;
    // each failed round takes 6 s: the first is within the 10 s deadline, the second is not
    const log = (event: string) => {
      if (event !== 'lease update failed') return;
      fails += 1;
      now += 6000;
    };
    const me = elector('me', { now: () => now, retryPeriodMs: 5, renewDeadlineMs: 10_000, log });
    let stoppedAt: number | undefined;
    await new Promise<void>((resolve) =>
      me.run({
        onStart: () => {},
        onStop: () => {
          stoppedAt = now;
          resolve();
        },
      }),
    );
    await me.release();
    expect(fails).toBe(2);
    expect(stoppedAt).toBe(NOW + 12_000);
    expect(me.isLeader).toBe(false);
  });
});
