import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkQueue } from '../../../src/cluster/queue.js';

/** A promise with its resolve and reject at hand. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('WorkQueue', () => {
  it('handles a key added several times while it waits only once', async () => {
    const calls: string[] = [];
    const gate = deferred();
    const queue = new WorkQueue({
      handle: async (key) => {
        calls.push(key);
        if (key === 'first') await gate.promise;
      },
    });
    queue.add('first');
    queue.add('a');
    queue.add('b');
    queue.add('a');
    queue.add('a');
    expect(queue.length).toBe(2);
    gate.resolve();
    await queue.idle();
    expect(calls).toEqual(['first', 'a', 'b']);
  });

  it('runs a key re-added while its handler runs exactly once more afterwards, never two at once', async () => {
    const [first, second] = [deferred(), deferred()];
    const gates = [first, second];
    let running = 0;
    let mostAtOnce = 0;
    let calls = 0;
    // two workers: only the queue's bookkeeping keeps the same key from running twice at once
    const queue = new WorkQueue({
      workers: 2,
      handle: async () => {
        const gate = gates[calls++];
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        await gate?.promise;
        running -= 1;
      },
    });
    queue.add('vs');
    expect(calls).toBe(1);
    queue.add('vs');
    queue.add('vs');
    queue.add('vs');
    await settle();
    expect(calls).toBe(1);
    first.resolve();
    await settle();
    expect(calls).toBe(2);
    second.resolve();
    await queue.idle();
    await settle();
    expect(calls).toBe(2);
    expect(mostAtOnce).toBe(1);
  });

  it('runs different keys side by side up to the number of workers', async () => {
    const gate = deferred();
    const started: string[] = [];
    const queue = new WorkQueue({
      workers: 2,
      handle: async (key) => {
        started.push(key);
        await gate.promise;
      },
    });
    queue.add('a');
    queue.add('b');
    queue.add('c');
    expect(started).toEqual(['a', 'b']);
    gate.resolve();
    await queue.idle();
    expect(started).toEqual(['a', 'b', 'c']);
  });

  describe('after a failure', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('retries after a backoff that doubles from base and stops at max', async () => {
      const delays: number[] = [];
      const callTimes: number[] = [];
      const queue = new WorkQueue({
        baseDelayMs: 100,
        maxDelayMs: 350,
        handle: async () => {
          callTimes.push(Date.now());
          throw new Error('apiserver said no');
        },
        onError: (_key, _error, retryInMs) => delays.push(retryInMs),
      });
      const start = Date.now();
      queue.add('vs');
      await vi.advanceTimersByTimeAsync(0);
      expect(delays).toEqual([100]);

      await vi.advanceTimersByTimeAsync(99);
      expect(callTimes).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(callTimes).toHaveLength(2);

      await vi.advanceTimersByTimeAsync(200 + 350 + 350);
      expect(callTimes.map((t) => t - start)).toEqual([0, 100, 300, 650, 1000]);
      expect(delays).toEqual([100, 200, 350, 350, 350]);
      expect(queue.failuresOf('vs')).toBe(5);
      queue.stop();
    });

    it('forgets the backoff once the key succeeds', async () => {
      const delays: number[] = [];
      let failing = 2;
      const queue = new WorkQueue({
        baseDelayMs: 100,
        maxDelayMs: 10_000,
        handle: async () => {
          if (failing-- > 0) throw new Error('conflict');
        },
        onError: (_key, _error, retryInMs) => delays.push(retryInMs),
      });
      queue.add('vs');
      await vi.advanceTimersByTimeAsync(100 + 200);
      expect(delays).toEqual([100, 200]);
      expect(queue.failuresOf('vs')).toBe(0);

      failing = 1;
      queue.add('vs');
      await vi.advanceTimersByTimeAsync(0);
      expect(delays).toEqual([100, 200, 100]);
      queue.stop();
    });

    it('keeps a backoff per key', async () => {
      const delays: [string, number][] = [];
      const queue = new WorkQueue({
        baseDelayMs: 100,
        handle: async (key) => {
          if (key === 'bad') throw new Error('bad');
        },
        onError: (key, _error, retryInMs) => delays.push([key, retryInMs]),
      });
      queue.add('bad');
      await vi.advanceTimersByTimeAsync(100);
      queue.add('good');
      await vi.advanceTimersByTimeAsync(0);
      expect(queue.failuresOf('good')).toBe(0);
      expect(queue.failuresOf('bad')).toBe(2);
      expect(delays).toEqual([
        ['bad', 100],
        ['bad', 200],
      ]);
      queue.stop();
    });

    it('stop() cancels the pending retries and refuses new keys', async () => {
      let calls = 0;
      const queue = new WorkQueue({
        baseDelayMs: 100,
        handle: async () => {
          calls += 1;
          throw new Error('down');
        },
      });
      queue.add('vs');
      await vi.advanceTimersByTimeAsync(0);
      expect(calls).toBe(1);
      queue.stop();
      queue.add('other');
      await vi.advanceTimersByTimeAsync(60_000);
      expect(calls).toBe(1);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('idle() does not wait for a retry on a timer', async () => {
      const queue = new WorkQueue({
        baseDelayMs: 1000,
        handle: async () => {
          throw new Error('down');
        },
      });
      queue.add('vs');
      let idle = false;
      void queue.idle().then(() => (idle = true));
      await vi.advanceTimersByTimeAsync(0);
      expect(idle).toBe(true);
      expect(vi.getTimerCount()).toBe(1);
      queue.stop();
    });
  });

  it('idle() resolves at once on an empty queue and after the last handler otherwise', async () => {
    const queue = new WorkQueue({ handle: async () => {} });
    await queue.idle();
    const gate = deferred();
    const busy = new WorkQueue({ handle: () => gate.promise });
    busy.add('a');
    busy.add('b');
    let idle = false;
    void busy.idle().then(() => (idle = true));
    await settle();
    expect(idle).toBe(false);
    gate.resolve();
    await settle();
    expect(idle).toBe(true);
    expect(busy.length).toBe(0);
  });
});
