// HealthMonitor end to end: real checkers, the real clock, real servers that the test stops and
// starts again. Asserts the transitions and the attempts behind them; prints the detection times
// (not asserted: they depend on the machine's load). Waits are for events (a verdict, a change),
// never for a span of time, so a loaded machine only makes the test slower.
import { createServer as createHttpServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthCheckPlan, ServicePlan } from '../../../src/core/api/objects.js';
import { networkChecker, type Checker } from '../../../src/node/health/checker.js';
import { HealthMonitor, type HealthChange } from '../../../src/node/health/health-monitor.js';
import { listen, tcpServer } from './servers.js';

// Short interval and retries; a timeout that no check here reaches (the servers refuse or answer
// 503 at once), so that a slow connect on a loaded machine is not a failed attempt.
const fastCheck = { interval: 0.2, timeout: 5, retries: 2, retryDelay: 0.1, onFailure: 'Inhibit' as const };

function plan(address: string, port: number, check: Omit<HealthCheckPlan, 'port'>): ServicePlan[] {
  const destination = { owner: 'default/rs', address, port, forwarding: 'DR' as const, weight: 1 };
  return [
    {
      owner: 'default/web',
      protocol: 'TCP',
      address: '192.0.2.100',
      port: 80,
      scheduler: 'rr',
      destinations: [{ ...destination, healthCheck: { ...check, port } }],
    },
  ];
}

/** Resolves with the next change (and how long it took), or rejects after `limitMs` (a stop for a hang). */
function nextChange(monitor: HealthMonitor, limitMs = 20_000): Promise<{ change: HealthChange; afterMs: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no health change within ${limitMs} ms`)), limitMs);
    const unsubscribe = monitor.onChange((change) => {
      clearTimeout(timer);
      unsubscribe();
      resolve({ change, afterMs: Date.now() - started });
    });
  });
}

/** The real checker, recording each verdict (true = passed) so that the test can count attempts. */
function recordingChecker(verdicts: boolean[]): Checker {
  return async (address, check) => {
    const result = await networkChecker(address, check);
    verdicts.push(result.ok);
    return result;
  };
}

/** Resolves once the checker has passed `count` times: the monitor has seen the server up. */
async function passes(verdicts: boolean[], count: number): Promise<void> {
  while (verdicts.filter(Boolean).length < count) await new Promise((r) => setTimeout(r, 20));
}

/** The failed attempts since the last pass: the first failure and its retries. */
const failuresSinceLastPass = (verdicts: boolean[]) => verdicts.length - 1 - verdicts.lastIndexOf(true);

const monitors: HealthMonitor[] = [];
afterEach(() => monitors.splice(0).forEach((m) => m.stop()));

describe('HealthMonitor with real checks', () => {
  it('TCP on 127.0.0.1: DOWN after the retries when the server stops, UP when it is back', async () => {
    let server = await listen(tcpServer(), '127.0.0.1');
    const port = server.port;
    const verdicts: boolean[] = [];
    const monitor = new HealthMonitor({ checker: recordingChecker(verdicts) });
    monitors.push(monitor);
    monitor.update(plan('127.0.0.1', port, { type: 'TCP', ...fastCheck }));
    await passes(verdicts, 2); // a few passing checks
    expect(monitor.snapshot()[0]).toMatchObject({ healthy: true, message: 'connected' });

    const down = nextChange(monitor);
    await server.close();
    const wentDown = await down;
    expect(wentDown.change).toMatchObject({ healthy: false, address: '127.0.0.1', port });
    expect(wentDown.change.message).toContain('ECONNREFUSED');
    expect(failuresSinceLastPass(verdicts)).toBe(1 + fastCheck.retries);
    console.log(`TCP: DOWN ${wentDown.afterMs} ms after the server stopped (interval 0.2 s, 2 retries 0.1 s apart)`);

    const up = nextChange(monitor);
    server = await listen(tcpServer(), '127.0.0.1', port);
    const cameBack = await up;
    expect(cameBack.change).toMatchObject({ healthy: true, message: 'connected' });
    console.log(`TCP: UP ${cameBack.afterMs} ms after the server returned`);
    expect(monitor.health()).toEqual(new Map([['TCP/192.0.2.100:80 -> 127.0.0.1:' + port, true]]));
    await server.close();
  });

  it('HTTP on ::1: a 503 takes it DOWN, a 200 brings it back', async () => {
    let status = 200;
    const server = await listen(
      createHttpServer((_req, res) => res.writeHead(status).end()),
      '::1',
    );
    const verdicts: boolean[] = [];
    const monitor = new HealthMonitor({ checker: recordingChecker(verdicts) });
    monitors.push(monitor);
    const check = { type: 'HTTP' as const, path: '/healthz', expectedStatus: 200, ...fastCheck };
    monitor.update(plan('::1', server.port, check));
    await passes(verdicts, 2);
    expect(monitor.snapshot()[0]).toMatchObject({ healthy: true, message: 'HTTP 200' });

    const down = nextChange(monitor);
    status = 503;
    const wentDown = await down;
    expect(wentDown.change).toMatchObject({ healthy: false, message: 'HTTP 503, expected 200', address: '::1' });
    expect(failuresSinceLastPass(verdicts)).toBe(1 + fastCheck.retries);
    console.log(`HTTP: DOWN ${wentDown.afterMs} ms after the server started answering 503`);

    const up = nextChange(monitor);
    status = 200;
    const cameBack = await up;
    expect(cameBack.change).toMatchObject({ healthy: true, message: 'HTTP 200' });
    console.log(`HTTP: UP ${cameBack.afterMs} ms after the server answered 200 again`);
    expect(monitor.snapshot()[0]!.service).toBe('TCP/192.0.2.100:80');
    await server.close();
  });
});
