// One destination's check loop with keepalived's semantics (check/check_tcp.c tcp_epilog and
// friends):
// - every `interval` s one check; a success makes the destination UP at once (one success is
//   enough, there is no "rise" count);
// - a failure while UP is retried up to `retries` times, `retryDelay` apart; only when the first
//   attempt and every retry failed does it go DOWN (retries 0: down at the first failure); a
//   success in between clears the count;
// - while DOWN, a failure is not retried: the next check comes after `interval` again.
// Start state: keepalived starts real servers alive (unless `alpha`). We start UNKNOWN and treat
// it as UP, so that an agent restart does not drain a healthy pool; the first verdict replaces it
// (a success, or a failure followed by all its retries, exactly as for an UP destination).
import type { HealthCheckPlan } from '../../core/api/objects.js';
import { errorMessage, type CheckResult } from './check-result.js';
import type { Checker } from './checker.js';
import type { Clock, TimerHandle } from './clock.js';

export type HealthState = 'unknown' | 'up' | 'down';

export interface DestinationMonitorOptions {
  address: string;
  check: HealthCheckPlan;
  checker: Checker;
  clock: Clock;
  /** Where to start: `unknown` for a new destination, the previous state for a reconfigured one. */
  initialState?: HealthState;
  /**
   * Called on every change of `up` (UP -> DOWN, DOWN -> UP, UNKNOWN -> DOWN), never for
   * UNKNOWN -> UP (nothing to reprogram). A throw is logged and does not stop the checks.
   */
  onTransition: (up: boolean) => void;
  /** Called with every verdict (metrics); a throw is logged and does not stop the checks. */
  onResult?: (result: CheckResult) => void;
}

export class DestinationMonitor {
  readonly address: string;
  readonly check: HealthCheckPlan;
  private readonly checker: Checker;
  private readonly clock: Clock;
  private readonly onTransition: (up: boolean) => void;
  private readonly onResult: ((result: CheckResult) => void) | undefined;
  private currentState: HealthState;
  /** Failed attempts in the current run of retries (0 when the last attempt passed). */
  private failedAttempts = 0;
  private last: CheckResult | undefined;
  private timer: TimerHandle | undefined;
  private running = false;
  /** Bumped by stop(): a check still in flight from an earlier run must not touch the state. */
  private generation = 0;

  constructor(options: DestinationMonitorOptions) {
    this.address = options.address;
    this.check = options.check;
    this.checker = options.checker;
    this.clock = options.clock;
    this.onTransition = options.onTransition;
    this.onResult = options.onResult;
    // type None: always healthy and never checked, whatever came before
    this.currentState = options.check.type === 'None' ? 'up' : (options.initialState ?? 'unknown');
  }

  get state(): HealthState {
    return this.currentState;
  }

  /** What the IPVS table uses: UNKNOWN counts as UP. */
  get up(): boolean {
    return this.currentState !== 'down';
  }

  get lastResult(): CheckResult | undefined {
    return this.last;
  }

  /** For status: the last result, and where a run of retries stands. */
  get message(): string {
    if (this.check.type === 'None') return 'not checked (type None)';
    if (!this.last) return 'not checked yet';
    if (this.failedAttempts > 0) return `${this.last.message} (retry ${this.failedAttempts}/${this.check.retries})`;
    return this.last.message;
  }

  /** The first check runs at once: a new destination should not wait a whole interval for a verdict. */
  start(): void {
    if (this.running || this.check.type === 'None') return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    this.generation++;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delaySeconds: number): void {
    const generation = this.generation;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        void this.runOnce(generation);
      },
      Math.round(delaySeconds * 1000),
    );
  }

  private async runOnce(generation: number): Promise<void> {
    let result: CheckResult;
    try {
      result = await this.checker(this.address, this.check);
    } catch (error) {
      result = { ok: false, message: errorMessage(error), latencyMs: 0 };
    }
    if (generation !== this.generation || !this.running) return;
    this.last = result;
    let next: HealthState = this.currentState;
    let delaySeconds = this.check.interval;
    if (result.ok) {
      this.failedAttempts = 0;
      next = 'up';
    } else if (this.currentState === 'down') {
      // already down: no retries, the next check comes after the interval
    } else if (this.failedAttempts < this.check.retries) {
      this.failedAttempts++;
      delaySeconds = this.check.retryDelay;
    } else {
      this.failedAttempts = 0;
      next = 'down';
    }
    // schedule before reporting, so a listener that throws cannot stop the loop
    this.schedule(delaySeconds);
    this.setState(next);
    try {
      this.onResult?.(result);
    } catch (error) {
      console.error(`health result listener failed for ${this.address}:${this.check.port}:`, error);
    }
  }

  private setState(next: HealthState): void {
    const wasUp = this.up;
    this.currentState = next;
    if (this.up === wasUp) return;
    try {
      this.onTransition(this.up);
    } catch (error) {
      // the loop runs on timers: a throw here would be an unhandled rejection, which ends the agent
      console.error(`health transition listener failed for ${this.address}:${this.check.port}:`, error);
    }
  }
}
