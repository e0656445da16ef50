// The urls of an HTTP(S) check from the VirtualService and the RealServer to the LVSNode plan:
// which form wins, the defaults filled in, and the single fields' plans left as they were.
import { describe, expect, it } from 'vitest';
import type { HealthCheckPlan } from '../../../src/core/api/objects.js';
import { plan } from '../../../src/core/plan/plan.js';
import { director, objects, realServer, virtualService } from './builders.js';

const DIGEST = '9e107d9d372bb6826bd81d3542a419d6';
const TIMING = { interval: 2, timeout: 1, retries: 1, retryDelay: 1, onFailure: 'Inhibit' };

/** The plan's check of real server r of VirtualService v (HTTP on port 80 unless `vsCheck` says). */
function plannedCheck(vsCheck: Record<string, unknown>, rsCheck?: Record<string, unknown>): HealthCheckPlan {
  const vs = virtualService('v', { address: '192.0.2.100', port: 80, healthCheck: { type: 'HTTP', ...vsCheck } });
  const rs = realServer('r', 'v', { address: '192.0.2.11', ...(rsCheck ? { healthCheck: rsCheck } : {}) });
  const set = objects({ nodes: [director('d1', '192.0.2.1')], virtualServices: [vs], realServers: [rs] });
  return plan(set).nodes.get('d1')!.ipvs!.services![0]!.destinations[0]!.healthCheck;
}

describe('health-check urls in the plan', () => {
  it("carries every url in order, with each url's own host, codes and digest", () => {
    const urls = [
      { path: '/healthz', expectedStatus: ['200-299', '301'] },
      { path: '/index.html', host: 'www.example.com', digest: DIGEST, expectedStatus: ['200'] },
    ];
    expect(plannedCheck({ urls })).toEqual({ type: 'HTTP', port: 80, ...TIMING, urls });
  });

  it('fills a url without expectedStatus with 200, as the single expectedStatus defaults', () => {
    expect(plannedCheck({ urls: [{ path: '/a' }, { path: '/b', expectedStatus: ['204'] }] }).urls).toEqual([
      { path: '/a', expectedStatus: ['200'] },
      { path: '/b', expectedStatus: ['204'] },
    ]);
  });

  it('keeps the single fields as single fields (plans that do not use urls do not change)', () => {
    const check = plannedCheck({ path: '/h', host: 'w', expectedStatus: 204 });
    expect(check).toEqual({ type: 'HTTP', port: 80, ...TIMING, path: '/h', host: 'w', expectedStatus: 204 });
    expect(check.urls).toBeUndefined();
  });

  it("the RealServer's urls replace the VirtualService's urls", () => {
    const check = plannedCheck({ urls: [{ path: '/vs' }] }, { urls: [{ path: '/rs', expectedStatus: ['503'] }] });
    expect(check.urls).toEqual([{ path: '/rs', expectedStatus: ['503'] }]);
  });

  it("the RealServer's urls replace the VirtualService's single fields", () => {
    const check = plannedCheck({ path: '/vs', host: 'vs.example', expectedStatus: 204 }, { urls: [{ path: '/rs' }] });
    expect(check).toMatchObject({ urls: [{ path: '/rs', expectedStatus: ['200'] }] });
    expect([check.path, check.host, check.expectedStatus]).toEqual([undefined, undefined, undefined]);
  });

  it("the RealServer's single fields replace the VirtualService's urls (the unset ones take their defaults)", () => {
    const check = plannedCheck({ urls: [{ path: '/a' }, { path: '/b' }] }, { host: 'rs.example' });
    expect(check).toMatchObject({ path: '/', host: 'rs.example', expectedStatus: 200 });
    expect(check.urls).toBeUndefined();
  });

  it("the RealServer's other overrides keep the VirtualService's urls", () => {
    const urls = [{ path: '/a', expectedStatus: ['200'] }];
    expect(plannedCheck({ urls }, { port: 8080, retries: 3 })).toMatchObject({ port: 8080, retries: 3, urls });
  });

  it('a TCP check carries no urls', () => {
    const check = plannedCheck({ type: 'TCP', urls: [{ path: '/a' }] });
    expect(check).toEqual({ type: 'TCP', port: 80, ...TIMING });
  });

  it('a RealServer turning the check into HTTPS keeps the urls', () => {
    const check = plannedCheck({ type: 'TCP', urls: [{ path: '/a' }] }, { type: 'HTTPS' });
    expect(check).toMatchObject({ type: 'HTTPS', urls: [{ path: '/a', expectedStatus: ['200'] }] });
  });
});
