// A manual clock for the health scheduler: timers fire only when a test advances time, and the
// (async) checks they start settle before the next timer fires.
import type { Clock, TimerHandle } from '../../../src/node/health/clock.js';

interface Timer {
  id: number;
  due: number;
  callback: () => void;
}

export class FakeClock implements Clock {
  private time = 0;
  private nextId = 1;
  private timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const timer = { id: this.nextId++, due: this.time + Math.max(0, delayMs), callback };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Runs every timer due within `ms` from now, in order, letting each one's promises settle. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (;;) {
      const due = this.timers.filter((t) => t.due <= target).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.due;
      due.callback();
      await settle();
    }
    this.time = target;
  }

  advanceSeconds(seconds: number): Promise<void> {
    return this.advance(seconds * 1000);
  }
}

/** Lets pending promise callbacks (a fake check resolving, the monitor reacting) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
