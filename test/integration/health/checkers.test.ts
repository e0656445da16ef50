// The checkers against real TCP, HTTP and HTTPS servers on 127.0.0.1 and ::1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHttp } from '../../../src/node/health/http-check.js';
import { checkTcp } from '../../../src/node/health/tcp-check.js';
import { networkChecker } from '../../../src/node/health/checker.js';
import {
  closedPort,
  httpServer,
  httpsServer,
  listen,
  selfSignedCert,
  silentServer,
  tcpServer,
  type Running,
} from './servers.js';

// Two timeouts: a check that must pass or fail on its own (connected, refused, a status) gets one
// that only a hung check reaches, so that a loaded machine cannot turn its verdict into a timeout;
// the checks that must time out get a short one, which load can only make later, never earlier.
const TIMEOUT_MS = 10_000;
const SHORT_TIMEOUT_MS = 400;

describe.each(['127.0.0.1', '::1'])('checkers on %s', (address) => {
  const hosts: string[] = [];
  let tcp: Running, silent: Running, http: Running, https: Running, refused: number;
  const servers: Running[] = [];

  beforeAll(async () => {
    const tls = selfSignedCert();
    tcp = await listen(tcpServer(), address);
    silent = await listen(silentServer(), address);
    http = await listen(httpServer(hosts), address);
    https = await listen(httpsServer(hosts, tls), address);
    servers.push(tcp, silent, http, https);
    refused = await closedPort(address);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  const get = (
    port: number,
    path: string,
    extra: { tls?: boolean; expectedStatus?: number; host?: string; timeoutMs?: number } = {},
  ) => {
    const { expectedStatus = 200, ...rest } = extra;
    return checkHttp({
      address,
      port,
      path,
      timeoutMs: TIMEOUT_MS,
      tls: false,
      ...rest,
      expectedStatus: [`${expectedStatus}`],
    });
  };

  it('TCP: a listener passes', async () => {
    expect(await checkTcp({ address, port: tcp.port, timeoutMs: TIMEOUT_MS })).toMatchObject({
      ok: true,
      message: 'connected',
    });
  });

  it('TCP: a closed port is refused', async () => {
    const result = await checkTcp({ address, port: refused, timeoutMs: TIMEOUT_MS });
    expect(result.ok).toBe(false);
    expect(result.message).toContain('ECONNREFUSED'); // refused, not timed out
  });

  it('TCP: a listener that never answers still passes (TCP_CHECK only connects)', async () => {
    expect((await checkTcp({ address, port: silent.port, timeoutMs: TIMEOUT_MS })).ok).toBe(true);
  });

  it('HTTP: the expected status passes, with the address and port as Host', async () => {
    hosts.length = 0;
    expect(await get(http.port, '/ok')).toMatchObject({ ok: true, message: 'HTTP 200' });
    expect(hosts).toEqual([address.includes(':') ? `[${address}]:${http.port}` : `${address}:${http.port}`]);
  });

  it('HTTP: another status fails, naming both', async () => {
    expect(await get(http.port, '/down')).toMatchObject({ ok: false, message: 'HTTP 503, expected 200' });
    expect(await get(http.port, '/missing')).toMatchObject({ ok: false, message: 'HTTP 404, expected 200' });
  });

  it('HTTP: expectedStatus 503 makes 503 healthy; an explicit Host is sent as given', async () => {
    hosts.length = 0;
    expect((await get(http.port, '/down', { expectedStatus: 503, host: 'www.example.org' })).ok).toBe(true);
    expect(hosts).toEqual(['www.example.org']);
  });

  it('HTTP: a 1 MiB body is read and discarded', async () => {
    expect((await get(http.port, '/big')).ok).toBe(true);
  });

  it('HTTP: a listener that never answers times out', async () => {
    const result = await get(silent.port, '/ok', { timeoutMs: SHORT_TIMEOUT_MS });
    expect(result).toMatchObject({ ok: false, message: `no answer within ${SHORT_TIMEOUT_MS} ms` });
    expect(result.latencyMs).toBeGreaterThanOrEqual(SHORT_TIMEOUT_MS - 5);
  });

  it('HTTP: a body that stalls after the status times out', async () => {
    expect(await get(http.port, '/stall', { timeoutMs: SHORT_TIMEOUT_MS })).toMatchObject({
      ok: false,
      message: `no answer within ${SHORT_TIMEOUT_MS} ms`,
    });
  });

  it('HTTP: a connection closed before the end of the body fails', async () => {
    const result = await get(http.port, '/truncated');
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^HTTP 200; /);
  });

  it('HTTP: a closed port is refused', async () => {
    const result = await get(refused, '/ok');
    expect(result.ok).toBe(false);
    expect(result.message).toContain('ECONNREFUSED');
  });

  it('HTTPS: a self-signed certificate is accepted, the status decides', async () => {
    expect(await get(https.port, '/ok', { tls: true })).toMatchObject({ ok: true, message: 'HTTP 200' });
    expect(await get(https.port, '/down', { tls: true })).toMatchObject({
      ok: false,
      message: 'HTTP 503, expected 200',
    });
  });

  it('HTTPS against plain HTTP, and HTTP against HTTPS, fail', async () => {
    expect((await get(http.port, '/ok', { tls: true })).ok).toBe(false);
    expect((await get(https.port, '/ok')).ok).toBe(false);
  });

  it('networkChecker runs the check the plan names', async () => {
    const plan = { interval: 1, timeout: TIMEOUT_MS / 1000, retries: 0, retryDelay: 1, onFailure: 'Inhibit' as const };
    expect((await networkChecker(address, { ...plan, type: 'TCP', port: tcp.port })).ok).toBe(true);
    const https200 = { ...plan, type: 'HTTPS' as const, port: https.port, path: '/ok', expectedStatus: 200 };
    expect((await networkChecker(address, https200)).ok).toBe(true);
    expect((await networkChecker(address, { ...https200, type: 'HTTP' })).ok).toBe(false);
    expect((await networkChecker(address, { ...plan, type: 'None', port: refused })).ok).toBe(true);
  });
});

describe('checkers never throw', () => {
  it('an invalid port or Host header is a failed check', async () => {
    expect((await checkTcp({ address: '127.0.0.1', port: 70000, timeoutMs: 100 })).ok).toBe(false);
    const badHost = { address: '127.0.0.1', port: 1, path: '/', host: 'a\nb', expectedStatus: ['200'], timeoutMs: 100 };
    const result = await checkHttp({ ...badHost, tls: false });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/invalid character/i);
  });
});
