// The node agent's health checks: one DestinationMonitor per (virtual service, destination) of
// the plan, kept in step with the plan by update(). The agent reads health() to build the table
// (applyHealth) and reprograms IPVS from onChange at once on every UP/DOWN transition.
import type { DestinationHealth } from '../../core/api/generated/lvsnode.js';
import type { DestinationPlan, HealthCheckPlan, ServicePlan } from '../../core/api/objects.js';
import { serviceKey } from '../../core/ipvs/model.js';
import type { CheckResult } from './check-result.js';
import { networkChecker, type Checker } from './checker.js';
import { systemClock, type Clock } from './clock.js';
import { DestinationMonitor } from './destination-monitor.js';
import { healthKey } from './health-key.js';

export interface HealthChange {
  /** healthKey(service, destination): the key of health(). */
  key: string;
  /** The virtual service as PROTOCOL/address:port. */
  service: string;
  /** The RealServer as namespace/name. */
  owner: string;
  address: string;
  port: number;
  healthy: boolean;
  message: string;
}

export type HealthListener = (change: HealthChange) => void;

/** One check's verdict, for metrics: every attempt, retries included, not only the transitions. */
export interface CheckVerdict {
  /** The virtual service as PROTOCOL/address:port. */
  service: string;
  address: string;
  port: number;
  ok: boolean;
  latencyMs: number;
}

export interface HealthMonitorOptions {
  clock?: Clock;
  checker?: Checker;
  /** Where an exception thrown by a listener goes (default console.error); it never stops the checks. */
  onListenerError?: (error: unknown, change: HealthChange) => void;
  /** Called with every check's verdict. */
  onCheck?: (verdict: CheckVerdict) => void;
}

interface Entry {
  service: string;
  destination: DestinationPlan;
  settings: string;
  monitor: DestinationMonitor;
}

export class HealthMonitor {
  private readonly clock: Clock;
  private readonly checker: Checker;
  private readonly onListenerError: (error: unknown, change: HealthChange) => void;
  private readonly onCheck: ((verdict: CheckVerdict) => void) | undefined;
  private entries = new Map<string, Entry>();
  private readonly listeners = new Set<HealthListener>();

  constructor(options: HealthMonitorOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.checker = options.checker ?? networkChecker;
    this.onCheck = options.onCheck;
    this.onListenerError =
      options.onListenerError ?? ((error, change) => console.error(`health listener failed on ${change.key}:`, error));
  }

  /**
   * Brings the monitors in line with the plan: new destinations start (UNKNOWN, checked at once),
   * gone ones stop, and those whose check settings changed restart with the new settings but keep
   * their UP/DOWN state (a destination that was DOWN is not put back in the pool by an edit of its
   * check; the new check's first result decides). A monitor whose settings did not change keeps
   * running untouched (a change of onFailure or weight is no check change). update() never calls
   * the listeners: the caller applies the new plan right after and reads health() then.
   */
  update(services: readonly ServicePlan[]): void {
    const next = new Map<string, Entry>();
    for (const service of services) {
      for (const destination of service.destinations) {
        const key = healthKey(service, destination);
        if (next.has(key)) continue; // validation forbids duplicates; the first one wins
        const settings = checkSettings(destination.healthCheck);
        const old = this.entries.get(key);
        if (old && old.settings === settings) {
          old.destination = destination; // the owner may have changed; the check did not
          next.set(key, old);
          continue;
        }
        old?.monitor.stop();
        const monitor = new DestinationMonitor({
          address: destination.address,
          check: destination.healthCheck,
          checker: this.checker,
          clock: this.clock,
          initialState: old?.monitor.state ?? 'unknown',
          onTransition: () => this.emit(key),
          onResult: this.onCheck && verdictTo(this.onCheck, serviceKey(service), destination),
        });
        next.set(key, { service: serviceKey(service), destination, settings, monitor });
      }
    }
    for (const [key, old] of this.entries) if (!next.has(key)) old.monitor.stop();
    this.entries = next;
    for (const entry of next.values()) entry.monitor.start(); // no-op for those already running
  }

  /** Up (true) or down (false) per healthKey; a destination not yet checked counts as up. */
  health(): Map<string, boolean> {
    return new Map([...this.entries].map(([key, entry]) => [key, entry.monitor.up]));
  }

  /** The LVSNode status shape, in plan order; `weight` is left to the agent, which knows the kernel's. */
  snapshot(): DestinationHealth[] {
    return [...this.entries.values()].map(healthOf);
  }

  /** Calls `listener` synchronously on every UP/DOWN transition. Returns the way to unsubscribe. */
  onChange(listener: HealthListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops every check; update() may start them again. */
  stop(): void {
    for (const entry of this.entries.values()) entry.monitor.stop();
    this.entries = new Map();
  }

  private emit(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    const change: HealthChange = { key, ...healthOf(entry) };
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (error) {
        this.onListenerError(error, change);
      }
    }
  }
}

/** Hands each result on as a verdict; service, address and port are part of the monitor's key. */
function verdictTo(onCheck: (verdict: CheckVerdict) => void, service: string, destination: DestinationPlan) {
  return (result: CheckResult) =>
    onCheck({
      service,
      address: destination.address,
      port: destination.port,
      ok: result.ok,
      latencyMs: result.latencyMs,
    });
}

/** Everything that changes how the check runs; onFailure only matters to the table. */
function checkSettings(check: HealthCheckPlan): string {
  if (check.type === 'None') return 'None';
  const { type, port, path, host, expectedStatus, urls, interval, timeout, retries, retryDelay } = check;
  return JSON.stringify([type, port, path, host, expectedStatus, urls, interval, timeout, retries, retryDelay]);
}

/** One destination's health as the status reports it and listeners receive it. */
function healthOf(entry: Entry): Omit<HealthChange, 'key'> {
  return {
    service: entry.service,
    owner: entry.destination.owner,
    address: entry.destination.address,
    port: entry.destination.port,
    healthy: entry.monitor.up,
    message: entry.monitor.message,
  };
}
