import { describe, expect, it, vi } from 'vitest';
import type { ServicePlan } from '../../../src/core/api/objects.js';
import { healthKey } from '../../../src/node/health/health-key.js';
import { HealthMonitor, type HealthChange } from '../../../src/node/health/health-monitor.js';
import { applyHealth } from '../../../src/node/health/overlay.js';
import { destination, FakeChecker, service } from './builders.js';
import { FakeClock } from './fake-clock.js';

const nginx01 = destination('172.16.40.151');
const nginx02 = destination('172.16.40.152');
const web = service([nginx01, nginx02]);
const KEY1 = 'TCP/172.16.40.160:80 -> 172.16.40.151:80';
const KEY2 = 'TCP/172.16.40.160:80 -> 172.16.40.152:80';

function setup(services: ServicePlan[] = [web]) {
  const clock = new FakeClock();
  const fake = new FakeChecker();
  fake.set('172.16.40.151:80', true);
  fake.set('172.16.40.152:80', true);
  const monitor = new HealthMonitor({ clock, checker: fake.check });
  const changes: HealthChange[] = [];
  monitor.onChange((c) => changes.push(c));
  monitor.update(services);
  return { clock, fake, monitor, changes };
}

describe('HealthMonitor', () => {
  it('checks every destination of every service; the same real server behind two services twice', async () => {
    const api = service([destination('172.16.40.151', { port: 8080 })], { port: 443, owner: 'default/api' });
    const { clock, fake, monitor } = setup([web, api]);
    fake.set('172.16.40.151:8080', true);
    await clock.advance(0);
    expect([...monitor.health().keys()]).toEqual([KEY1, KEY2, 'TCP/172.16.40.160:443 -> 172.16.40.151:8080']);
    expect(fake.calls.sort()).toEqual(['172.16.40.151:80', '172.16.40.151:8080', '172.16.40.152:80']);
  });

  it('snapshot() is the LVSNode status shape, in plan order', async () => {
    const { clock, fake, monitor } = setup();
    expect(monitor.snapshot()[0]).toEqual({
      service: 'TCP/172.16.40.160:80',
      owner: 'default/172.16.40.151',
      address: '172.16.40.151',
      port: 80,
      healthy: true,
      message: 'not checked yet',
    });
    fake.set('172.16.40.152:80', false);
    await clock.advanceSeconds(9); // 0, 3, 6, 9 fail
    expect(monitor.snapshot().map((d) => [d.address, d.healthy, d.message])).toEqual([
      ['172.16.40.151', true, 'connected'],
      ['172.16.40.152', false, 'connect ECONNREFUSED'],
    ]);
  });

  it('calls onChange at once on DOWN and on UP, with the key health() and applyHealth use', async () => {
    const { clock, fake, monitor, changes } = setup();
    await clock.advanceSeconds(1);
    fake.set('172.16.40.152:80', false);
    await clock.advanceSeconds(14); // fails at 6, retries 9, 12, 15 -> DOWN at 15
    expect(changes).toEqual([
      {
        key: KEY2,
        service: 'TCP/172.16.40.160:80',
        owner: 'default/172.16.40.152',
        address: '172.16.40.152',
        port: 80,
        healthy: false,
        message: 'connect ECONNREFUSED',
      },
    ]);
    expect(changes[0]!.key).toBe(healthKey(web, nginx02));
    expect(applyHealth([web], monitor.health()).table.services[0]!.destinations.map((d) => d.address)).toEqual([
      '172.16.40.151',
    ]);
    fake.set('172.16.40.152:80', true);
    await clock.advanceSeconds(6);
    expect(changes.map((c) => c.healthy)).toEqual([false, true]);
  });

  it('update() with the same check keeps the monitor running and its state (no new check, no reset)', async () => {
    const { clock, fake, monitor } = setup();
    fake.set('172.16.40.152:80', false);
    await clock.advanceSeconds(10); // DOWN at 9
    const calls = fake.calls.length;
    const reweighted = service([nginx01, destination('172.16.40.152', { weight: 5, owner: 'other/nginx02' })]);
    monitor.update([reweighted]);
    await clock.advance(0);
    expect(fake.calls.length).toBe(calls);
    expect(monitor.health().get(KEY2)).toBe(false);
    expect(monitor.snapshot()[1]!.owner).toBe('other/nginx02');
  });

  it('a change of onFailure only is no check change', async () => {
    const { clock, fake, monitor } = setup();
    await clock.advance(0);
    const calls = fake.calls.length;
    monitor.update([service([nginx01, destination('172.16.40.152', { healthCheck: { onFailure: 'Inhibit' } })])]);
    await clock.advance(0);
    expect(fake.calls.length).toBe(calls);
  });

  it('a changed check restarts the monitor at once, keeping DOWN until the new check passes', async () => {
    const { clock, fake, monitor, changes } = setup();
    fake.set('172.16.40.152:80', false);
    await clock.advanceSeconds(10);
    expect(changes.map((c) => c.healthy)).toEqual([false]);
    monitor.update([service([nginx01, destination('172.16.40.152', { healthCheck: { port: 8080 } })])]);
    expect(monitor.health().get(KEY2)).toBe(false);
    fake.set('172.16.40.152:8080', true);
    await clock.advance(0);
    expect(fake.callsTo('172.16.40.152:8080')).toBe(1);
    expect(changes.map((c) => c.healthy)).toEqual([false, true]);
  });

  it('a changed urls list restarts the check at once; the same urls do not', async () => {
    const urls = (path: string) => ({
      healthCheck: { type: 'HTTP' as const, urls: [{ path, expectedStatus: ['200'] }] },
    });
    const { clock, fake, monitor } = setup([service([nginx01, destination('172.16.40.152', urls('/a'))])]);
    await clock.advance(0);
    const calls = fake.callsTo('172.16.40.152:80');
    monitor.update([service([nginx01, destination('172.16.40.152', urls('/a'))])]);
    await clock.advance(0);
    expect(fake.callsTo('172.16.40.152:80')).toBe(calls);
    monitor.update([service([nginx01, destination('172.16.40.152', urls('/b'))])]);
    await clock.advance(0);
    expect(fake.callsTo('172.16.40.152:80')).toBe(calls + 1);
  });

  it('a destination that leaves the plan is no longer checked nor reported', async () => {
    const { clock, fake, monitor } = setup();
    await clock.advance(0);
    monitor.update([service([nginx01])]);
    const calls = fake.callsTo('172.16.40.152:80');
    await clock.advanceSeconds(60);
    expect(fake.callsTo('172.16.40.152:80')).toBe(calls);
    expect([...monitor.health().keys()]).toEqual([KEY1]);
    expect(clock.pendingTimers).toBe(1);
  });

  it('type None is healthy and never checked', async () => {
    const { clock, fake, monitor } = setup([service([destination('10.0.0.1', { healthCheck: { type: 'None' } })])]);
    await clock.advanceSeconds(60);
    expect(fake.calls).toEqual([]);
    expect(monitor.snapshot()[0]).toMatchObject({ healthy: true, message: 'not checked (type None)' });
  });

  it('a DOWN destination whose check becomes None is UP (update() itself does not call onChange)', async () => {
    const { clock, fake, monitor, changes } = setup();
    fake.set('172.16.40.152:80', false);
    await clock.advanceSeconds(10);
    monitor.update([service([nginx01, destination('172.16.40.152', { healthCheck: { type: 'None' } })])]);
    expect(monitor.health().get(KEY2)).toBe(true);
    expect(changes.map((c) => c.healthy)).toEqual([false]);
  });

  it('unsubscribe, a throwing listener reported aside, stop()', async () => {
    const clock = new FakeClock();
    const fake = new FakeChecker();
    const errors: unknown[] = [];
    const monitor = new HealthMonitor({ clock, checker: fake.check, onListenerError: (e) => errors.push(e) });
    const seen = vi.fn();
    const unsubscribe = monitor.onChange(seen);
    monitor.onChange(() => {
      throw new Error('listener');
    });
    unsubscribe();
    monitor.update([service([destination('10.0.0.1', { healthCheck: { retries: 0 } })])]);
    await clock.advance(0);
    expect(seen).not.toHaveBeenCalled();
    expect(errors).toEqual([new Error('listener')]);
    monitor.stop();
    expect(clock.pendingTimers).toBe(0);
    expect(monitor.snapshot()).toEqual([]);
  });
});
