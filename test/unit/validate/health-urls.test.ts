// The urls checks in code, behind the CRD schema: what an object that skipped the schema (an API
// server with an older CRD) gets, and the status-code words the agent reads.
import { describe, expect, it } from 'vitest';
import { parseStatusCode, planUrls, statusAccepted } from '../../../src/core/api/http-urls.js';
import { checkHealthCheckUrls } from '../../../src/core/api/validate/health-urls.js';
import { check, directors, names, rs, vs } from './builders.js';

const DIGEST = '9e107d9d372bb6826bd81d3542a419d6';
const fieldsOf = (errors: ReturnType<typeof checkHealthCheckUrls>) =>
  errors.map((e) => [e.object, e.field, e.value, e.severity]);

describe('status codes', () => {
  it.each([
    ['200', { low: 200, high: 200 }],
    ['200-299', { low: 200, high: 299 }],
    ['100-599', { low: 100, high: 599 }],
    ['301-301', { low: 301, high: 301 }],
  ])('%s is a range', (text, range) => expect(parseStatusCode(text)).toEqual(range));

  it.each([
    ['299-200', 'low to high'],
    ['600', '100-599'],
    ['099', '100-599'],
    ['200-600', '100-599'],
    ['20', 'status code'],
    ['2xx', 'status code'],
    ['200,201', 'status code'],
    [' 200', 'status code'],
    ['', 'status code'],
  ])('%j is refused: %s', (text, says) => {
    const parsed = parseStatusCode(text);
    expect('error' in parsed && parsed.error).toContain(says);
  });

  it('accepts a status in any listed code or range, and nothing else', () => {
    const codes = ['200-204', '301', '302'];
    expect([200, 204, 301, 302].every((s) => statusAccepted(codes, s))).toBe(true);
    expect([199, 205, 300, 303, 500].some((s) => statusAccepted(codes, s))).toBe(false);
    expect(statusAccepted(['299-200'], 250)).toBe(false);
  });

  it("a plan's single fields are one url with their defaults", () => {
    const base = { type: 'HTTP' as const, port: 80, interval: 2, timeout: 1, retries: 1, retryDelay: 1 };
    const check = { ...base, onFailure: 'Inhibit' as const };
    expect(planUrls({ ...check, path: '/h', host: 'w', expectedStatus: 204 })).toEqual([
      { path: '/h', host: 'w', expectedStatus: ['204'] },
    ]);
    expect(planUrls(check)).toEqual([{ path: '/', expectedStatus: ['200'] }]);
    const urls = [{ path: '/a', expectedStatus: ['200-299'] }];
    expect(planUrls({ ...check, urls })).toBe(urls);
  });
});

describe('checkHealthCheckUrls (in code, whatever the schema let through)', () => {
  const web = vs('web');
  it('names each single field set beside urls, with its value', () => {
    const check = { path: '/old', host: 'h', expectedStatus: 204, urls: [{ path: '/ok' }] } as never;
    const errors = checkHealthCheckUrls(web, check);
    expect(fieldsOf(errors)).toEqual([
      ['VirtualService default/web', 'spec.healthCheck.path', '/old', 'error'],
      ['VirtualService default/web', 'spec.healthCheck.host', 'h', 'error'],
      ['VirtualService default/web', 'spec.healthCheck.expectedStatus', 204, 'error'],
    ]);
    expect(errors[0]!.message).toContain('urls replaces path, host and expectedStatus');
  });

  it('names each bad status word, digest and path by its index', () => {
    const urls = [
      { path: '/ok', expectedStatus: ['200', '299-200'] },
      { path: 'no-slash', expectedStatus: ['700'], digest: DIGEST.toUpperCase() },
    ];
    const errors = checkHealthCheckUrls(rs('web-1'), { urls } as never);
    expect(fieldsOf(errors)).toEqual([
      ['RealServer default/web-1', 'spec.healthCheck.urls[0].expectedStatus[1]', '299-200', 'error'],
      ['RealServer default/web-1', 'spec.healthCheck.urls[1].path', 'no-slash', 'error'],
      ['RealServer default/web-1', 'spec.healthCheck.urls[1].expectedStatus[0]', '700', 'error'],
      ['RealServer default/web-1', 'spec.healthCheck.urls[1].digest', DIGEST.toUpperCase(), 'error'],
    ]);
    expect(errors.map((e) => e.message)).toEqual([
      'must run from low to high (200-299, not 299-200)',
      'must start with / and hold no blanks',
      'must lie within 100-599',
      'must be an MD5 digest: 32 lowercase hex digits',
    ]);
  });

  it('refuses an empty list', () => {
    expect(fieldsOf(checkHealthCheckUrls(web, { urls: [] } as never))).toEqual([
      ['VirtualService default/web', 'spec.healthCheck.urls', [], 'error'],
    ]);
  });

  it('passes good urls and the single fields alone', () => {
    const urls = [{ path: '/a', expectedStatus: ['200-299', '301'], digest: DIGEST, host: 'x' }, { path: '/b' }];
    expect(checkHealthCheckUrls(web, { urls } as never)).toEqual([]);
    expect(checkHealthCheckUrls(web, { path: '/a', expectedStatus: 204 })).toEqual([]);
    expect(checkHealthCheckUrls(web, undefined)).toEqual([]);
  });
});

describe('valid urls pass the whole validation (schema, CEL rules and code)', () => {
  it('a VirtualService and a RealServer with codes, ranges, digests and hosts', () => {
    const urls = [
      { path: '/healthz', expectedStatus: ['200-299', '301', '599', '100-100'] },
      { path: '/index.html?x=1', host: 'www.example.com', digest: DIGEST },
    ];
    const result = check([
      ...directors(),
      vs('web', { healthCheck: { type: 'HTTP', urls } }),
      rs('web-1', { healthCheck: { type: 'HTTPS', urls: [{ path: '/rs' }] } as never }),
    ]);
    expect(result.errors).toEqual([]);
    expect(names(result.valid.realServers)).toEqual(['web-1']);
  });
});
