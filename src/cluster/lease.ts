// Leader election on a coordination.k8s.io Lease, as client-go's leaderelection does it: the
// leader renews the Lease every retry period; a candidate takes it over once the Lease has not
// changed for leaseDurationSeconds, timed on the candidate's own clock (as client-go does: the
// holder's renewTime is never compared with this clock, so clock skew between nodes does not
// hand the Lease over early); every write carries the resourceVersion it read, so two
// candidates cannot both win (the loser gets 409 Conflict). A leader that could not renew for the
// renew deadline stops leading (the process exits, and its replacement starts from scratch). A
// leader that stops cleanly releases the Lease, so the other replica takes over at its next try.
import { ApiError, isConflict, isNotFound, type KubeClient } from '../kube/client.js';
import { LEASES, resourcePath } from '../kube/resources.js';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

export type LeaseDecision = 'renew' | 'acquire' | 'wait';

/**
 * What a candidate may do with the Lease as it reads it, given since when (on its own clock) it
 * has seen the Lease exactly so. Pure.
 */
export function leaseDecision(
  spec: LeaseSpec | undefined,
  identity: string,
  nowMs: number,
  unchangedSinceMs: number,
): LeaseDecision {
  const holder = spec?.holderIdentity;
  if (holder === identity) return 'renew';
  if (!holder) return 'acquire';
  const durationMs = (spec?.leaseDurationSeconds ?? 0) * 1000;
  return unchangedSinceMs + durationMs < nowMs ? 'acquire' : 'wait';
}

/** What identifies one version of the Lease's record: a renewal or a new holder changes it. */
const recordOf = (spec: LeaseSpec | undefined) =>
  JSON.stringify([spec?.holderIdentity, spec?.renewTime, spec?.acquireTime, spec?.leaseDurationSeconds]);

/** metav1.MicroTime: RFC 3339 with exactly six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export interface LeaderElectorOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  log?: (event: string, fields?: Record<string, unknown>) => void;
  now?: () => number;
}

export class LeaderElector {
  private leading = false;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly durationS: number;
  /** The Lease record as last read, and when (this clock) it was first seen so. */
  private observed: { record: string; since: number } | undefined;
  /** The round in flight, which release() waits for. */
  private inFlight: Promise<void> | undefined;
  /** How this candidate last took the Lease: logged, so a handover can be told from an expiry. */
  private acquiredFrom: 'created' | 'released' | 'expired' | undefined;

  constructor(private readonly o: LeaderElectorOptions) {
    this.durationS = o.leaseDurationSeconds ?? 15;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Tries every retry period; calls onStart when it becomes leader and onStop if it stops being one. */
  run(callbacks: { onStart: () => void; onStop: () => void }): void {
    const tick = async () => {
      if (this.stopped) return;
      this.inFlight = this.round(callbacks);
      await this.inFlight;
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.o.retryPeriodMs ?? 2_000);
    };
    void tick();
  }

  private async round(callbacks: { onStart: () => void; onStop: () => void }): Promise<void> {
    const ok = await this.tryAcquireOrRenew().catch((error: unknown) => {
      this.o.log?.('lease update failed', { lease: this.o.name, error: String((error as Error).message) });
      return false;
    });
    const wasLeading = this.leading;
    // A round that won while release() waited for it still holds the Lease: release() gives it back.
    if (ok) this.leading = true;
    if (this.stopped) return;
    if (ok && !wasLeading) {
      this.o.log?.('leading', { lease: this.o.name, identity: this.o.identity, from: this.acquiredFrom });
      callbacks.onStart();
    } else if (!ok && this.leading && this.now() - this.lastRenew > (this.o.renewDeadlineMs ?? 10_000)) {
      this.leading = false;
      this.o.log?.('leadership lost', { lease: this.o.name, identity: this.o.identity });
      callbacks.onStop();
    }
  }

  /**
   * Stops trying; a leader gives the Lease up so that another replica need not wait for it to
   * expire. It first waits for a round in flight: a renewal landing between this read and this
   * write would make the release a 409 Conflict, and the Lease would then be held until it expired
   * (seen as a 16 s handover under load). A conflict from anything else is retried on a fresh read.
   */
  async release(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
    if (!this.leading) return;
    this.leading = false;
    for (let attempt = 1; ; attempt++) {
      const lease = await this.read();
      if (lease?.spec?.holderIdentity !== this.o.identity) return;
      try {
        await this.write({
          ...lease,
          spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.now()) },
        });
        this.o.log?.('lease released', { lease: this.o.name, identity: this.o.identity });
        return;
      } catch (error) {
        if (!isConflict(error) || attempt >= 3) throw error;
      }
    }
  }

  /** One round: true when this candidate holds the Lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.now();
    const lease = await this.read();
    if (!lease) {
      await this.o.client
        .request({
          method: 'POST',
          path: resourcePath(LEASES, { namespace: this.o.namespace }),
          body: {
            apiVersion: LEASES.apiVersion,
            kind: LEASES.kind,
            metadata: { name: this.o.name, namespace: this.o.namespace },
            spec: this.held(now, now, 0),
          },
        })
        .catch((error: unknown) => {
          // Another candidate created it first: it leads, this one waits.
          if (error instanceof ApiError && error.statusCode === 409) return undefined;
          throw error;
        });
      this.acquiredFrom = 'created';
      return this.confirm(now);
    }
    const record = recordOf(lease.spec);
    if (this.observed?.record !== record) this.observed = { record, since: now };
    const decision = leaseDecision(lease.spec, this.o.identity, now, this.observed.since);
    if (decision === 'wait') return false;
    if (decision === 'acquire') this.acquiredFrom = lease.spec?.holderIdentity ? 'expired' : 'released';
    const spec =
      decision === 'renew'
        ? {
            ...lease.spec,
            ...this.held(Date.parse(lease.spec?.acquireTime ?? '') || now, now, lease.spec?.leaseTransitions ?? 0),
          }
        : this.held(now, now, (lease.spec?.leaseTransitions ?? 0) + 1);
    try {
      await this.write({ ...lease, spec });
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
    this.lastRenew = now;
    return true;
  }

  private async confirm(now: number): Promise<boolean> {
    const lease = await this.read();
    const mine = lease?.spec?.holderIdentity === this.o.identity;
    if (mine) this.lastRenew = now;
    return mine;
  }

  private held(acquired: number, renewed: number, transitions: number): LeaseSpec {
    return {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: this.durationS,
      acquireTime: microTime(acquired),
      renewTime: microTime(renewed),
      leaseTransitions: transitions,
    };
  }

  private async read(): Promise<Lease | undefined> {
    try {
      return await this.o.client.request<Lease>({
        method: 'GET',
        path: resourcePath(LEASES, { namespace: this.o.namespace, name: this.o.name }),
      });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async write(lease: Lease): Promise<void> {
    // PUT with the resourceVersion read: a write on a Lease changed meanwhile fails with 409.
    await this.o.client.request({
      method: 'PUT',
      path: resourcePath(LEASES, { namespace: this.o.namespace, name: this.o.name }),
      body: lease,
    });
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }
}
