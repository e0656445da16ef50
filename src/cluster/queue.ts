// A keyed work queue in the manner of client-go's workqueue: a key added while waiting is not
// added twice; a key being processed that is added again runs once more afterwards (never two
// at once); a key whose handler fails comes back after an exponential backoff (base doubling to
// max), and its backoff is forgotten once it succeeds.
import { backoffDelay } from '../core/backoff.js';
export interface WorkQueueOptions {
  handle: (key: string) => Promise<void>;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Keys handled at the same time (default 1: one reconcile at a time is plenty here). */
  workers?: number;
  onError?: (key: string, error: unknown, retryInMs: number) => void;
}

export class WorkQueue {
  private readonly waiting = new Set<string>();
  private readonly order: string[] = [];
  private readonly active = new Set<string>();
  /** Keys added again while being processed: they go back in line when their handler ends. */
  private readonly again = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private running = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: WorkQueueOptions) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.again.add(key);
      return;
    }
    if (this.waiting.has(key)) return;
    this.waiting.add(key);
    this.order.push(key);
    this.pump();
  }

  /** Adds the key after its backoff: base * 2^(failures-1), capped. */
  private addRateLimited(key: string): number {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    const delay = backoffDelay(failures, { base: this.o.baseDelayMs ?? 5, max: this.o.maxDelayMs ?? 60_000 });
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.add(key);
      }, delay),
    );
    return delay;
  }

  /** Failures in a row of the key (0 after a success). */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  get length(): number {
    return this.order.length;
  }

  /** Resolves when nothing waits and nothing runs (retries on a timer do not count). */
  idle(): Promise<void> {
    if (this.order.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.order.length = 0;
    this.waiting.clear();
  }

  private pump(): void {
    while (!this.stopped && this.running < (this.o.workers ?? 1) && this.order.length) {
      const key = this.order.shift()!;
      this.waiting.delete(key);
      this.active.add(key);
      this.running += 1;
      void this.run(key);
    }
    if (this.order.length === 0 && this.running === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((resolve) => resolve());
    }
  }

  private async run(key: string): Promise<void> {
    try {
      await this.o.handle(key);
      this.failures.delete(key);
    } catch (error) {
      if (!this.stopped) {
        const delay = this.addRateLimited(key);
        this.o.onError?.(key, error, delay);
      }
    } finally {
      this.active.delete(key);
      this.running -= 1;
      if (this.again.delete(key)) this.add(key);
      this.pump();
    }
  }
}
