// ServicePlans as the planner writes them (defaults as the CRDs give), for health tests.
import type { DestinationPlan, HealthCheckPlan, ServicePlan } from '../../../src/core/api/objects.js';
import type { CheckResult } from '../../../src/node/health/check-result.js';
import type { Checker } from '../../../src/node/health/checker.js';

/** The seed's TCP check: every 6 s, 3 s timeout, 3 retries 3 s apart. */
export const seedCheck: HealthCheckPlan = {
  type: 'TCP',
  port: 80,
  interval: 6,
  timeout: 3,
  retries: 3,
  retryDelay: 3,
  onFailure: 'Remove',
};

export function destination(
  address: string,
  overrides: Partial<Omit<DestinationPlan, 'healthCheck'>> & { healthCheck?: Partial<HealthCheckPlan> } = {},
): DestinationPlan {
  const { healthCheck, ...rest } = overrides;
  const port = rest.port ?? 80;
  return {
    owner: `default/${address}`,
    address,
    port,
    forwarding: 'DR',
    weight: 1,
    ...rest,
    healthCheck: { ...seedCheck, port, ...healthCheck },
  };
}

export function service(
  destinations: DestinationPlan[],
  overrides: Partial<Omit<ServicePlan, 'destinations'>> = {},
): ServicePlan {
  return {
    owner: 'default/web',
    protocol: 'TCP',
    address: '172.16.40.160',
    port: 80,
    scheduler: 'rr',
    destinations,
    ...overrides,
  };
}

/** A checker whose answers the test sets per address:port; it records every call. */
export class FakeChecker {
  readonly calls: string[] = [];
  private readonly alive = new Set<string>();
  readonly check: Checker = (address, check) => {
    const target = `${address}:${check.port}`;
    this.calls.push(target);
    const ok = this.alive.has(target);
    const result: CheckResult = { ok, message: ok ? 'connected' : 'connect ECONNREFUSED', latencyMs: 1 };
    return Promise.resolve(result);
  };

  set(target: string, up: boolean): void {
    if (up) this.alive.add(target);
    else this.alive.delete(target);
  }

  callsTo(target: string): number {
    return this.calls.filter((c) => c === target).length;
  }
}
