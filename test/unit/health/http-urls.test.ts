// The HTTP checker's urls against a real HTTP server on 127.0.0.1: every url must pass, in
// order; a status outside the accepted codes or a body whose MD5 differs fails, naming the url.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthCheckPlan } from '../../../src/core/api/objects.js';
import { networkChecker } from '../../../src/node/health/checker.js';
import { checkHttpUrls, type HttpUrl } from '../../../src/node/health/http-check.js';

const BODY = 'all good\n';
const BODY_MD5 = createHash('md5').update(BODY).digest('hex');
// Long enough that only a hung check reaches it: every verdict here comes from an answer.
const TIMEOUT_MS = 10_000;

let server: Server;
let port: number;
const requested: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requested.push(`${req.headers.host} ${req.url}`);
    if (req.url === '/ok') res.end(BODY);
    else if (req.url === '/created') res.writeHead(201).end(BODY);
    else if (req.url === '/moved') res.writeHead(301, { Location: '/ok' }).end();
    else if (req.url === '/down') res.writeHead(503).end('down\n');
    // a body in several writes: the digest is of all of them
    else if (req.url === '/chunked') {
      res.write(BODY.slice(0, 3));
      setImmediate(() => res.end(BODY.slice(3)));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const check = (urls: HttpUrl[]) => {
  requested.length = 0;
  return checkHttpUrls({ address: '127.0.0.1', port, timeoutMs: TIMEOUT_MS, tls: false }, urls);
};
const url = (path: string, expectedStatus: string[] = ['200'], digest?: string): HttpUrl =>
  digest === undefined ? { path, expectedStatus } : { path, expectedStatus, digest };

describe('HTTP check with several urls', () => {
  it('passes when every url passes, and GETs each once, in order', async () => {
    const result = await check([url('/ok'), url('/created', ['201']), url('/moved', ['301', '302'])]);
    expect(result).toMatchObject({ ok: true, message: '3 urls: HTTP 200, HTTP 201, HTTP 301' });
    expect(requested).toEqual([`127.0.0.1:${port} /ok`, `127.0.0.1:${port} /created`, `127.0.0.1:${port} /moved`]);
  });

  it('fails when the second url answers a status it does not accept, naming that url', async () => {
    const result = await check([url('/ok'), url('/down', ['200-299']), url('/created', ['201'])]);
    expect(result).toMatchObject({ ok: false, message: 'url 2 of 3 (/down): HTTP 503, expected 200-299' });
    // the third url is not asked once the second failed
    expect(requested).toEqual([`127.0.0.1:${port} /ok`, `127.0.0.1:${port} /down`]);
  });

  it('accepts a status inside a range', async () => {
    expect(await check([url('/created', ['200-299'])])).toMatchObject({ ok: true, message: 'HTTP 201' });
    expect((await check([url('/moved', ['200-299', '300-399'])])).ok).toBe(true);
  });

  it('refuses a status outside the listed codes and ranges', async () => {
    const result = await check([url('/created', ['200', '202-204', '301'])]);
    expect(result).toMatchObject({ ok: false, message: 'HTTP 201, expected 200 or 202-204 or 301' });
  });

  it('sends each url with its own Host header', async () => {
    await check([
      { ...url('/ok'), host: 'a.example' },
      { ...url('/ok'), host: 'b.example' },
    ]);
    expect(requested).toEqual(['a.example /ok', 'b.example /ok']);
  });
});

describe('HTTP check with a digest', () => {
  it('passes when the MD5 of the whole body matches, however the body is split', async () => {
    expect(await check([url('/ok', ['200'], BODY_MD5)])).toMatchObject({ ok: true, message: 'HTTP 200' });
    expect((await check([url('/chunked', ['200'], BODY_MD5)])).ok).toBe(true);
  });

  it('fails on a digest mismatch, naming the url and both digests', async () => {
    const other = createHash('md5').update('something else').digest('hex');
    const result = await check([url('/ok'), url('/created', ['201'], other)]);
    expect(result).toMatchObject({
      ok: false,
      message: `url 2 of 2 (/created): HTTP 201, body MD5 ${BODY_MD5}, expected ${other}`,
    });
  });

  it('a wrong status fails as a status, whatever the body', async () => {
    expect(await check([url('/down', ['200'], BODY_MD5)])).toMatchObject({
      ok: false,
      message: 'HTTP 503, expected 200',
    });
  });
});

describe('networkChecker runs the urls of the plan', () => {
  const plan: HealthCheckPlan = {
    type: 'HTTP',
    port: 0,
    interval: 30,
    timeout: TIMEOUT_MS / 1000,
    retries: 1,
    retryDelay: 1,
    onFailure: 'Inhibit',
  };

  it('the urls list, all of them', async () => {
    const urls = [url('/ok', ['200'], BODY_MD5), url('/down', ['500-599'])];
    expect(await networkChecker('127.0.0.1', { ...plan, port, urls })).toMatchObject({ ok: true });
    const failing = [url('/ok'), url('/missing', ['200-299'])];
    expect(await networkChecker('127.0.0.1', { ...plan, port, urls: failing })).toMatchObject({
      ok: false,
      message: 'url 2 of 2 (/missing): HTTP 404, expected 200-299',
    });
  });

  it('the single path and expectedStatus, as before urls', async () => {
    expect(await networkChecker('127.0.0.1', { ...plan, port, path: '/created', expectedStatus: 201 })).toMatchObject({
      ok: true,
      message: 'HTTP 201',
    });
    expect(await networkChecker('127.0.0.1', { ...plan, port, path: '/created' })).toMatchObject({
      ok: false,
      message: 'HTTP 201, expected 200',
    });
  });
});
