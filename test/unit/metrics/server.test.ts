import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgentMetrics } from '../../../src/node/metrics.js';
import { ControllerMetrics } from '../../../src/cluster/metrics.js';
import {
  createRegistry,
  serveMetrics,
  startMetricsServer,
  type MetricsServer,
} from '../../../src/io/metrics-server.js';
import { parseExposition, scrape } from './scrape.js';

const servers: MetricsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(registry: Registry): Promise<string> {
  const server = await startMetricsServer(registry, { host: '127.0.0.1', port: 0 });
  servers.push(server);
  return `http://127.0.0.1:${server.port}`;
}

describe('the metrics endpoint', () => {
  it('serves the registry on GET /metrics, with the default process metrics', async () => {
    const registry = createRegistry();
    new AgentMetrics(registry);
    const base = await serve(registry);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(registry.contentType);
    const text = await res.text();
    for (const name of [
      'lvs_ipvs_connections_total',
      'lvs_ipvs_incoming_packets_total',
      'lvs_ipvs_outgoing_packets_total',
      'lvs_ipvs_incoming_bytes_total',
      'lvs_ipvs_outgoing_bytes_total',
      'lvs_ipvs_active_connections',
      'lvs_ipvs_inactive_connections',
      'lvs_ipvs_destination_weight',
      'lvs_vrrp_state',
      'lvs_health_check_up',
      'lvs_health_check_duration_seconds',
      'lvs_health_checks_total',
      'lvs_agent_apply_duration_seconds',
      'lvs_agent_apply_errors_total',
      'lvs_agent_plan_generation',
      'process_cpu_seconds_total',
      'nodejs_heap_size_used_bytes',
    ])
      expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('# TYPE lvs_ipvs_connections_total counter');
    expect(text).toContain('# TYPE lvs_agent_apply_duration_seconds histogram');
  });

  it('answers /healthz with ok and anything else with 404', async () => {
    const base = await serve(new Registry());
    const health = await fetch(`${base}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok']);
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/metricsx'],
      ['POST', '/metrics'],
    ] as const)
      expect((await fetch(`${base}${path}`, { method })).status).toBe(404);
    expect((await fetch(`${base}/metrics?x=1`)).status).toBe(200);
  });

  it('keeps registries apart: one per process, none global', async () => {
    const a = new Registry();
    const b = new Registry();
    new ControllerMetrics(a);
    new ControllerMetrics(b); // would throw "already registered" on a shared registry
    expect((await scrape(b)).has('lvs_controller_leader')).toBe(true);
  });

  it('a port already taken is logged, not fatal, and tried again until stopped', async () => {
    const taken = await startMetricsServer(new Registry(), { host: '127.0.0.1', port: 0 });
    servers.push(taken);
    const logs: [string, Record<string, unknown> | undefined][] = [];
    const stop = serveMetrics(new Registry(), { host: '127.0.0.1', port: taken.port }, (e, f) => logs.push([e, f]));
    // the refusal comes when the listen fails; the retry (5 s later) is not awaited
    await vi.waitFor(() => expect(logs).toHaveLength(1), 10_000);
    expect(logs).toEqual([
      ['metrics not serving', expect.objectContaining({ address: `127.0.0.1:${taken.port}`, retryMs: 5000 })],
    ]);
    await stop();
  });
});

describe('controller metrics', () => {
  it('reconciles by kind, leadership and writes', async () => {
    const registry = new Registry();
    const metrics = new ControllerMetrics(registry);
    const writes = { lvsNodeApply: 0, lvsNodeDelete: 0, status: 0, finalizer: 0, event: 0 };
    metrics.watchWrites(() => writes);
    let samples = await scrape(registry);
    expect(samples.get('lvs_controller_leader')).toBe(0);
    expect(samples.get('lvs_controller_reconcile_errors_total{kind="RealServer"}')).toBe(0);

    metrics.setLeader(true);
    metrics.observeReconcile({ kind: 'VirtualService', seconds: 0.02, failed: false });
    metrics.observeReconcile({ kind: 'LVSNode', seconds: 0.3, failed: true });
    writes.status = 3;
    writes.event = 1;
    samples = await scrape(registry);
    expect(samples.get('lvs_controller_leader')).toBe(1);
    expect(samples.get('lvs_controller_reconcile_duration_seconds_count{kind="VirtualService"}')).toBe(1);
    expect(samples.get('lvs_controller_reconcile_duration_seconds_bucket{le="0.025",kind="VirtualService"}')).toBe(1);
    expect(samples.get('lvs_controller_reconcile_errors_total{kind="LVSNode"}')).toBe(1);
    expect(samples.get('lvs_controller_reconcile_errors_total{kind="VirtualService"}')).toBe(0);
    expect(samples.get('lvs_controller_writes_total{write="status"}')).toBe(3);
    expect(samples.get('lvs_controller_writes_total{write="event"}')).toBe(1);
    expect(samples.get('lvs_controller_writes_total{write="lvsNodeApply"}')).toBe(0);

    writes.status = 5;
    expect((await scrape(registry)).get('lvs_controller_writes_total{write="status"}')).toBe(5);
    metrics.setLeader(false);
    expect(parseExposition(await registry.metrics()).get('lvs_controller_leader')).toBe(0);
  });
});
