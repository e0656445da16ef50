// HTTP_GET / SSL_GET url blocks: several urls, status_code lists and ranges, and digest import
// into healthCheck.urls as keepalived reads them; what keepalived refuses or drops is refused
// with its file and line, or imported as keepalived runs it with a warning.
import { describe, expect, it } from 'vitest';
import type { RealServer, VirtualService } from '../../../src/core/api/objects.js';
import { configError, importTexts, lineOf, template } from './helpers.js';

const DIGEST = '9e107d9d372bb6826bd81d3542a419d6';
type Objects = ReturnType<typeof importTexts>['objects'];
const vsOf = (objects: Objects) => objects.find((o): o is VirtualService => o.kind === 'VirtualService')!;
const rsOf = (objects: Objects) => objects.filter((o): o is RealServer => o.kind === 'RealServer');
const healthCheckOf = (text: string) => vsOf(importTexts({ 'a.conf': text }).objects).spec.healthCheck;

describe('url blocks import into healthCheck.urls', () => {
  it('several urls, in order, each with its own status codes', () => {
    const text = template({ check: 'url {\n path /ready\n status_code 200-299 301 302\n }' });
    expect(healthCheckOf(text)).toMatchObject({
      urls: [
        { path: '/ready', expectedStatus: ['200-299', '301', '302'] },
        { path: '/', expectedStatus: ['200'] },
      ],
    });
    expect(healthCheckOf(text)).not.toHaveProperty('path');
  });

  it('one url with one code stays in the single fields (path, expectedStatus)', () => {
    expect(healthCheckOf(template())).toMatchObject({ path: '/', expectedStatus: 200 });
    expect(healthCheckOf(template())).not.toHaveProperty('urls');
  });

  it('one url with a range, a list or a digest needs the list form', () => {
    expect(healthCheckOf(template().replace('status_code 200', 'status_code 200-299'))?.urls).toEqual([
      { path: '/', expectedStatus: ['200-299'] },
    ]);
    expect(healthCheckOf(template().replace('status_code 200', 'status_code 200 204'))?.urls).toEqual([
      { path: '/', expectedStatus: ['200', '204'] },
    ]);
    expect(healthCheckOf(template({ url: `digest ${DIGEST}` }))?.urls).toEqual([
      { path: '/', expectedStatus: ['200'], digest: DIGEST },
    ]);
  });

  it('several status_code lines add up, as keepalived sets bits for each', () => {
    const text = template({ url: 'status_code 301-302' });
    expect(healthCheckOf(text)?.urls).toEqual([{ path: '/', expectedStatus: ['200', '301-302'] }]);
  });

  it('a digest in capitals is read as keepalived reads it (hex either case) and written in lower case', () => {
    const text = template({ url: `digest ${DIGEST.toUpperCase()}` });
    expect(healthCheckOf(text)?.urls?.[0]?.digest).toBe(DIGEST);
  });

  it("a url without status_code gets keepalived's default, any 2xx, without a warning", () => {
    const text = template({ check: 'url {\n path /b\n }' });
    const { objects, warnings } = importTexts({ 'a.conf': text });
    expect(vsOf(objects).spec.healthCheck?.urls).toEqual([
      { path: '/b', expectedStatus: ['200-299'] },
      { path: '/', expectedStatus: ['200'] },
    ]);
    expect(warnings.filter((w) => !w.includes('VRRP priority'))).toEqual([]);
  });

  it("each url gets its own virtualhost, else the checker's, else the real server's", () => {
    const text = template({
      rs: 'virtualhost rs.example',
      check: 'url {\n path /a\n virtualhost a.example\n }\nurl {\n path /b\n }',
    });
    expect(healthCheckOf(text)?.urls).toEqual([
      { path: '/a', host: 'a.example', expectedStatus: ['200-299'] },
      { path: '/b', host: 'rs.example', expectedStatus: ['200-299'] },
      { path: '/', host: 'rs.example', expectedStatus: ['200'] },
    ]);
  });

  it("real servers that agree share the VirtualService's urls; one that differs gets its own", () => {
    const urls = 'url {\n path /a\n status_code 200-299\n }';
    const text = template({ check: urls }).replace(
      '    real_server 10.0.0.2 80 {',
      `    real_server 10.0.0.3 80 {\n HTTP_GET {\n ${urls}\n url {\n path /\n status_code 200\n }\n }\n }\n    real_server 10.0.0.4 80 {\n HTTP_GET {\n url {\n path /other\n }\n }\n }\n    real_server 10.0.0.2 80 {`,
    );
    const { objects } = importTexts({ 'a.conf': text });
    const shared = [
      { path: '/a', expectedStatus: ['200-299'] },
      { path: '/', expectedStatus: ['200'] },
    ];
    expect(vsOf(objects).spec.healthCheck).not.toHaveProperty('urls');
    const byAddress = Object.fromEntries(rsOf(objects).map((r) => [r.spec.address, r.spec.healthCheck?.urls]));
    expect(byAddress).toEqual({
      '10.0.0.2': shared,
      '10.0.0.3': shared,
      '10.0.0.4': [{ path: '/other', expectedStatus: ['200-299'] }],
    });
  });
});

describe('what keepalived refuses in a url is refused with file and line', () => {
  it.each([
    ['status_code 700', 'status_code 700: must lie within 100-599'],
    ['status_code 299-200', 'status_code 299-200: must run from low to high'],
    ['status_code 200-', 'status_code 200-: must be a status code'],
    ['status_code 2xx', 'status_code 2xx: must be a status code'],
    [`digest ${DIGEST.slice(1)}`, 'digest must be an MD5 digest of 32 hex digits'],
    [`digest ${DIGEST.replace('9', 'g')}`, 'digest must be an MD5 digest of 32 hex digits'],
    ['regex "ok"', 'not a regex over the body'],
    ['regex_no_match', 'not a regex over the body'],
  ])('%s', (line, message) => {
    const text = template({ url: line });
    const error = configError(() => importTexts({ 'a.conf': text }));
    expect(error.message).toContain(`a.conf:${lineOf(text, line)}: `);
    expect(error.message).toContain(message);
  });

  it('a second digest in one url: keepalived keeps the first, and so does the import, with a warning', () => {
    const other = 'd41d8cd98f00b204e9800998ecf8427e';
    const text = template({ url: `digest ${DIGEST}\n digest ${other}` });
    const { objects, warnings } = importTexts({ 'a.conf': text });
    expect(vsOf(objects).spec.healthCheck?.urls?.[0]?.digest).toBe(DIGEST);
    expect(warnings.filter((w) => !w.includes('VRRP priority'))).toEqual([
      `a.conf:${lineOf(text, `digest ${other}`)}: a second digest in one url: keepalived keeps the first (${DIGEST})`,
    ]);
  });
});
