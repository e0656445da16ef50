import { describe, expect, it, vi } from 'vitest';
import type { HealthCheckPlan } from '../../../src/core/api/objects.js';
import { DestinationMonitor, type HealthState } from '../../../src/node/health/destination-monitor.js';
import type { Checker } from '../../../src/node/health/checker.js';
import { FakeChecker, seedCheck } from './builders.js';
import { FakeClock, settle } from './fake-clock.js';

const TARGET = '172.16.40.151:80';

function setup(check: Partial<HealthCheckPlan> = {}, initialState?: HealthState, checker?: Checker) {
  const clock = new FakeClock();
  const fake = new FakeChecker();
  const transitions: { at: number; up: boolean }[] = [];
  const monitor = new DestinationMonitor({
    address: '172.16.40.151',
    check: { ...seedCheck, ...check },
    checker: checker ?? fake.check,
    clock,
    initialState,
    onTransition: (up) => transitions.push({ at: clock.now() / 1000, up }),
  });
  return { clock, fake, monitor, transitions };
}

describe('DestinationMonitor: keepalived retry semantics', () => {
  it('the seed check (6 s, 3 retries 3 s apart): DOWN only after the first failure and all 3 retries', async () => {
    const { clock, fake, monitor, transitions } = setup();
    fake.set(TARGET, true);
    monitor.start();
    await clock.advanceSeconds(7); // checks at 0 and 6 pass
    expect(monitor.state).toBe('up');
    fake.set(TARGET, false);
    await clock.advanceSeconds(13); // t=20: failed at 12, retries at 15 and 18 failed
    expect(monitor.state).toBe('up');
    expect(monitor.message).toBe('connect ECONNREFUSED (retry 3/3)');
    await clock.advanceSeconds(1); // t=21: the third retry fails
    expect(monitor.state).toBe('down');
    expect(transitions).toEqual([{ at: 21, up: false }]);
    expect(fake.callsTo(TARGET)).toBe(6); // 0, 6, 12, 15, 18, 21
  });

  it('while DOWN a failure is not retried: one check per interval', async () => {
    const { clock, fake, monitor } = setup();
    monitor.start();
    await clock.advanceSeconds(9); // 0 fails, retries at 3, 6, 9 -> DOWN at 9
    expect(monitor.state).toBe('down');
    const before = fake.callsTo(TARGET);
    await clock.advanceSeconds(30); // 15, 21, 27, 33, 39
    expect(fake.callsTo(TARGET) - before).toBe(5);
  });

  it('one success brings a DOWN destination UP at once', async () => {
    const { clock, fake, monitor, transitions } = setup();
    monitor.start();
    await clock.advanceSeconds(9);
    fake.set(TARGET, true);
    await clock.advanceSeconds(6); // the check at 15 passes
    expect(monitor.state).toBe('up');
    expect(transitions).toEqual([
      { at: 9, up: false },
      { at: 15, up: true },
    ]);
    expect(monitor.message).toBe('connected');
  });

  it('a success between retries clears the count: the next failure starts all retries again', async () => {
    const { clock, fake, monitor, transitions } = setup({ retries: 2, retryDelay: 1, interval: 10 });
    fake.set(TARGET, true);
    monitor.start();
    await clock.advance(0); // t=0 passes
    fake.set(TARGET, false);
    await clock.advanceSeconds(11); // t=10 fails, t=11 retry 1 fails
    fake.set(TARGET, true);
    await clock.advanceSeconds(1); // t=12 retry 2 passes
    fake.set(TARGET, false);
    await clock.advanceSeconds(10); // t=22 fails (retry 1 pending at 23)
    expect(monitor.state).toBe('up');
    await clock.advanceSeconds(2); // 23, 24 fail -> DOWN at 24
    expect(transitions).toEqual([{ at: 24, up: false }]);
  });

  it.each([
    { retries: 0, retryDelay: 1, downAt: 0, calls: 1 },
    { retries: 1, retryDelay: 1, downAt: 1, calls: 2 },
    { retries: 3, retryDelay: 3, downAt: 9, calls: 4 },
    { retries: 2, retryDelay: 0, downAt: 0, calls: 3 },
    { retries: 5, retryDelay: 0.5, downAt: 2.5, calls: 6 },
  ])('retries $retries, retryDelay $retryDelay: DOWN at $downAt s after $calls attempts', async (row) => {
    const { clock, fake, monitor, transitions } = setup({ retries: row.retries, retryDelay: row.retryDelay });
    monitor.start();
    await clock.advanceSeconds(row.downAt);
    expect(transitions).toEqual([{ at: row.downAt, up: false }]);
    expect(fake.callsTo(TARGET)).toBe(row.calls);
  });
});

describe('DestinationMonitor: start, stop and odd checkers', () => {
  it('starts UNKNOWN, counted as UP; a first success makes it UP without a transition', async () => {
    const { clock, fake, monitor, transitions } = setup();
    expect(monitor.state).toBe('unknown');
    expect(monitor.up).toBe(true);
    expect(monitor.message).toBe('not checked yet');
    fake.set(TARGET, true);
    monitor.start();
    await clock.advance(0);
    expect(monitor.state).toBe('up');
    expect(transitions).toEqual([]);
  });

  it('a reconfigured monitor starts from the state it is given: DOWN stays out until a success', async () => {
    const { clock, fake, monitor, transitions } = setup({}, 'down');
    expect(monitor.up).toBe(false);
    monitor.start();
    await clock.advanceSeconds(0);
    expect(fake.callsTo(TARGET)).toBe(1);
    await clock.advanceSeconds(5.9);
    expect(fake.callsTo(TARGET)).toBe(1); // no retries while DOWN
    fake.set(TARGET, true);
    await clock.advanceSeconds(0.1);
    expect(transitions).toEqual([{ at: 6, up: true }]);
  });

  it('type None is UP, never checked, and ignores a DOWN start state', async () => {
    const { clock, fake, monitor } = setup({ type: 'None' }, 'down');
    monitor.start();
    await clock.advanceSeconds(100);
    expect(monitor.up).toBe(true);
    expect(fake.calls).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
    expect(monitor.message).toBe('not checked (type None)');
  });

  it('a checker that rejects counts as a failure with its message', async () => {
    const rejecting: Checker = () => Promise.reject(new Error('boom'));
    const { clock, monitor, transitions } = setup({ retries: 0 }, undefined, rejecting);
    monitor.start();
    await clock.advance(0);
    expect(transitions).toEqual([{ at: 0, up: false }]);
    expect(monitor.message).toBe('boom');
  });

  it('stop() cancels the timer, and a result that arrives after stop() changes nothing', async () => {
    let release: (ok: boolean) => void = () => {};
    const slow: Checker = () =>
      new Promise((resolve) => (release = (ok) => resolve({ ok, message: 'late', latencyMs: 1 })));
    const { clock, monitor, transitions } = setup({ retries: 0 }, undefined, slow);
    monitor.start();
    await clock.advance(0); // the check is in flight
    monitor.stop();
    release(false);
    await settle();
    expect(transitions).toEqual([]);
    expect(monitor.state).toBe('unknown');
    expect(clock.pendingTimers).toBe(0);
  });

  it('start() twice runs one loop', async () => {
    const { clock, fake, monitor } = setup();
    fake.set(TARGET, true);
    monitor.start();
    monitor.start();
    await clock.advanceSeconds(12);
    expect(fake.callsTo(TARGET)).toBe(3); // 0, 6, 12
  });

  it('a listener that throws does not stop the loop', async () => {
    const clock = new FakeClock();
    const fake = new FakeChecker();
    const monitor = new DestinationMonitor({
      address: '172.16.40.151',
      check: { ...seedCheck, retries: 0 },
      checker: fake.check,
      clock,
      onTransition: () => {
        throw new Error('listener');
      },
    });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    monitor.start();
    await clock.advance(0);
    expect(monitor.state).toBe('down');
    expect(logged).toHaveBeenCalledOnce();
    logged.mockRestore();
    expect(clock.pendingTimers).toBe(1);
  });
});
