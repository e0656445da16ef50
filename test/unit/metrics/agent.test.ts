import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { NodeAgent } from '../../../src/node/agent.js';
import type { AgentDrivers } from '../../../src/node/drivers.js';
import type { VrrpState } from '../../../src/core/api/vrrp.js';
import { EMPTY_STATE } from '../../../src/node/state.js';
import type { LVSNodeSpec } from '../../../src/core/api/objects.js';
import type { CommandOutput, RunCommand } from '../../../src/node/dataplane/command.js';
import { FakeIpvs } from '../../../src/node/ipvs/fake.js';
import { Ipvsadm } from '../../../src/node/ipvs/ipvsadm.js';
import { createHealthTracker } from '../../../src/node/health/tracker.js';
import { AgentMetrics, type AgentMetricSources } from '../../../src/node/metrics.js';
import { destination, FakeChecker, service } from '../health/builders.js';
import { FakeClock } from '../health/fake-clock.js';
import { FakeIpvsKernel } from '../agent/fake-system.js';
import { scrape, seriesOf } from './scrape.js';

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

/** ipvsadm as the fixtures print it; every argv recorded. */
function fakeIpvsadm(fail = false) {
  const commands: (readonly string[])[] = [];
  const run: RunCommand = async (argv): Promise<CommandOutput> => {
    commands.push(argv);
    if (fail) return { code: 2, stdout: '', stderr: "Can't initialize ipvs: Protocol not available" };
    const cmd = argv.join(' ');
    if (cmd === 'ipvsadm -L -n --exact --stats') return { code: 0, stdout: fixture('stats.txt'), stderr: '' };
    if (cmd === 'ipvsadm -L -n --exact') return { code: 0, stdout: fixture('list.txt'), stderr: '' };
    throw new Error(`unexpected command ${cmd}`);
  };
  return { run, commands };
}

function setup(options: { owned?: string[]; fail?: boolean } = {}) {
  const ipvsadm = fakeIpvsadm(options.fail);
  const logs: string[] = [];
  const registry = new Registry();
  const metrics = new AgentMetrics(registry, { log: (event) => logs.push(event) });
  const vrrp = new Map<string, { state: VrrpState }>();
  const sources: AgentMetricSources & { owned: string[]; generation: number } = {
    owned: options.owned ?? ['TCP/198.51.100.100:80', 'TCP/[2001:db8::1]:443'],
    generation: 0,
    ownedServices: () => sources.owned,
    appliedGeneration: () => sources.generation,
    vrrpStates: () => vrrp,
    health: () => [],
    ipvs: new Ipvsadm(ipvsadm.run),
  };
  metrics.watch(sources);
  return { registry, metrics, sources, vrrp, logs, commands: ipvsadm.commands };
}

describe('agent metrics: IPVS', () => {
  it('exposes the counters and gauges of the services the agent owns, never the others', async () => {
    const { registry, commands } = setup();
    const samples = await scrape(registry);
    const dest = 'service="TCP/198.51.100.100:80",destination="192.0.2.11:80"';
    expect(samples.get(`lvs_ipvs_connections_total{${dest}}`)).toBe(3);
    expect(samples.get(`lvs_ipvs_incoming_packets_total{${dest}}`)).toBe(18);
    expect(samples.get(`lvs_ipvs_outgoing_packets_total{${dest}}`)).toBe(18);
    expect(samples.get(`lvs_ipvs_incoming_bytes_total{${dest}}`)).toBe(1194);
    expect(samples.get(`lvs_ipvs_outgoing_bytes_total{${dest}}`)).toBe(1593);
    expect(samples.get(`lvs_ipvs_active_connections{${dest}}`)).toBe(0);
    expect(samples.get(`lvs_ipvs_inactive_connections{${dest}}`)).toBe(5);
    expect(samples.get(`lvs_ipvs_destination_weight{${dest}}`)).toBe(3);
    expect([...seriesOf(samples, 'lvs_ipvs_connections_total').keys()]).toEqual([
      'lvs_ipvs_connections_total{service="TCP/198.51.100.100:80",destination="192.0.2.11:80"}',
      'lvs_ipvs_connections_total{service="TCP/198.51.100.100:80",destination="192.0.2.12:80"}',
      'lvs_ipvs_connections_total{service="TCP/[2001:db8::1]:443",destination="[2001:db8:0:1234:5678:9abc:def0:11]:443"}',
    ]);
    expect([...samples.keys()].some((s) => s.includes('10.96.0.1'))).toBe(false);
    // one run of each listing per scrape, shared by the eight metrics; argv arrays, no shell
    expect(commands).toEqual([
      ['ipvsadm', '-L', '-n', '--exact', '--stats'],
      ['ipvsadm', '-L', '-n', '--exact'],
    ]);
  });

  it('follows the kernel: counters mirror its values, a service no longer owned goes', async () => {
    const { registry, sources } = setup();
    await scrape(registry);
    sources.owned = ['SCTP/198.51.100.7:9000'];
    const samples = await scrape(registry);
    expect([...seriesOf(samples, 'lvs_ipvs_destination_weight')]).toEqual([
      ['lvs_ipvs_destination_weight{service="SCTP/198.51.100.7:9000",destination="192.0.2.12:9000"}', 4],
    ]);
    expect([...samples.keys()].filter((k) => k.includes('198.51.100.100'))).toEqual([]);
  });

  it('mirrors the kernel counters scrape after scrape (set, not added up)', async () => {
    const { registry } = setup();
    await scrape(registry);
    const samples = await scrape(registry);
    expect(samples.get('lvs_ipvs_connections_total{service="TCP/198.51.100.100:80",destination="192.0.2.11:80"}')).toBe(
      3,
    );
  });

  it('runs no ipvsadm while the agent owns no service (a real server)', async () => {
    const { registry, commands } = setup({ owned: [] });
    const samples = await scrape(registry);
    expect(commands).toEqual([]);
    expect(seriesOf(samples, 'lvs_ipvs_connections_total').size).toBe(0);
  });

  it('a failing ipvsadm leaves the IPVS metrics empty, the scrape whole, and is logged once', async () => {
    const { registry, logs } = setup({ fail: true });
    await scrape(registry);
    const samples = await scrape(registry);
    expect(seriesOf(samples, 'lvs_ipvs_active_connections').size).toBe(0);
    expect(samples.has('lvs_agent_plan_generation')).toBe(true);
    expect(logs).toEqual(['ipvs metrics not read']);
  });
});

describe('agent metrics: VRRP', () => {
  it('lvs_vrrp_state is one-hot and moves with the state', async () => {
    const { registry, vrrp } = setup({ owned: [] });
    vrrp.set('VI_10', { state: 'BACKUP' });
    let states = seriesOf(await scrape(registry), 'lvs_vrrp_state');
    expect(states.get('lvs_vrrp_state{vrrp_instance="VI_10",state="BACKUP"}')).toBe(1);
    expect(states.get('lvs_vrrp_state{vrrp_instance="VI_10",state="MASTER"}')).toBe(0);
    expect([...states.values()].reduce((a, b) => a + b)).toBe(1);
    expect(states.size).toBe(5);

    vrrp.set('VI_10', { state: 'MASTER' });
    vrrp.set('VI_20', { state: 'FAULT' });
    states = seriesOf(await scrape(registry), 'lvs_vrrp_state');
    expect(states.get('lvs_vrrp_state{vrrp_instance="VI_10",state="MASTER"}')).toBe(1);
    expect(states.get('lvs_vrrp_state{vrrp_instance="VI_10",state="BACKUP"}')).toBe(0);
    expect(states.get('lvs_vrrp_state{vrrp_instance="VI_20",state="FAULT"}')).toBe(1);
    expect(states.size).toBe(10);

    vrrp.delete('VI_20');
    expect(seriesOf(await scrape(registry), 'lvs_vrrp_state').size).toBe(5);
  });
});

describe('agent metrics: health checks', () => {
  it('up, duration and results move with the checks', async () => {
    const registry = new Registry();
    const metrics = new AgentMetrics(registry);
    const clock = new FakeClock();
    const checker = new FakeChecker();
    checker.set('192.0.2.11:80', true);
    const health = createHealthTracker({ clock, checker: checker.check, onCheck: metrics.observeCheck });
    metrics.watch({
      ownedServices: () => [],
      appliedGeneration: () => 0,
      vrrpStates: () => new Map(),
      health: () => health.snapshot(),
      ipvs: new FakeIpvs(),
    });
    const web = service([destination('192.0.2.11', { healthCheck: { interval: 2, retries: 1, retryDelay: 1 } })], {
      address: '192.0.2.100',
    });
    const labels = 'service="TCP/192.0.2.100:80",destination="192.0.2.11:80"';
    health.update([web]);
    let samples = await scrape(registry);
    expect(samples.get(`lvs_health_check_up{${labels}}`)).toBe(1); // not checked yet counts as up
    expect(samples.has(`lvs_health_checks_total{${labels},result="success"}`)).toBe(false);

    await clock.advance(0);
    samples = await scrape(registry);
    expect(samples.get(`lvs_health_checks_total{${labels},result="success"}`)).toBe(1);
    expect(samples.get(`lvs_health_checks_total{${labels},result="failure"}`)).toBe(0);
    expect(samples.get(`lvs_health_check_duration_seconds_count{${labels}}`)).toBe(1);
    expect(samples.get(`lvs_health_check_duration_seconds_bucket{le="0.001",${labels}}`)).toBe(1); // 1 ms

    checker.set('192.0.2.11:80', false);
    await clock.advanceSeconds(2); // a failure, retried
    expect((await scrape(registry)).get(`lvs_health_check_up{${labels}}`)).toBe(1);
    await clock.advanceSeconds(1); // the retry fails too: down
    samples = await scrape(registry);
    expect(samples.get(`lvs_health_check_up{${labels}}`)).toBe(0);
    expect(samples.get(`lvs_health_checks_total{${labels},result="failure"}`)).toBe(2);
    expect(samples.get(`lvs_health_check_duration_seconds_count{${labels}}`)).toBe(3);

    checker.set('192.0.2.11:80', true);
    await clock.advanceSeconds(2);
    samples = await scrape(registry);
    expect(samples.get(`lvs_health_check_up{${labels}}`)).toBe(1);
    expect(samples.get(`lvs_health_checks_total{${labels},result="success"}`)).toBe(2);

    health.update([]);
    expect(seriesOf(await scrape(registry), 'lvs_health_check_up').size).toBe(0);
    health.stop();
  });
});

describe('agent metrics: passes', () => {
  it('times every full pass, counts those that ended with errors, and shows the generation applied', async () => {
    const registry = new Registry();
    const metrics = new AgentMetrics(registry);
    const state = structuredClone(EMPTY_STATE);
    const spec: LVSNodeSpec = {};
    const plan = { messages: [] as string[] };
    const drivers: AgentDrivers = {
      loadModule: async () => {},
      sysctls: async (_desired, originals) => ({ memory: originals, errors: [] }),
      addresses: async (desired) => ({ owned: desired, errors: [] }),
      ipvs: new Ipvsadm(new FakeIpvsKernel().run),
      syncDaemons: async () => {},
      vrrp: {
        ensure: async () => ({ action: 'none' }),
        states: () => new Map([['VI_10', { state: 'MASTER', since: new Date(0) }]]),
        interfaceFor: async () => 'eth0',
        stop: async () => {},
      },
    };
    const health = createHealthTracker();
    const agent = new NodeAgent({
      nodeName: 'lvs01',
      stateDir: mkdtempSync(join(tmpdir(), 'lvs-metrics-')),
      plan: { read: () => ({ spec, messages: plan.messages }) },
      drivers,
      health,
      state,
      report: () => {},
      onPass: metrics.observePass,
    });
    metrics.watch({
      ownedServices: () => state.ownedServices,
      appliedGeneration: () => state.appliedGeneration,
      vrrpStates: () => drivers.vrrp.states(),
      health: () => health.snapshot(),
      ipvs: drivers.ipvs,
    });

    await agent.reconcile();
    let samples = await scrape(registry);
    expect(samples.get('lvs_agent_apply_duration_seconds_count')).toBe(1);
    expect(samples.get('lvs_agent_apply_errors_total')).toBe(0);
    expect(samples.get('lvs_agent_plan_generation')).toBe(1);
    expect(samples.get('lvs_vrrp_state{vrrp_instance="VI_10",state="MASTER"}')).toBe(1);

    plan.messages = ['VirtualService default/web: spec.port: must be <= 65535 (got 70000)'];
    spec.sysctls = [{ name: 'net.ipv4.vs.expire_nodest_conn', value: '1' }];
    await agent.reconcile();
    samples = await scrape(registry);
    expect(samples.get('lvs_agent_apply_duration_seconds_count')).toBe(2);
    expect(samples.get('lvs_agent_apply_errors_total')).toBe(1);
    expect(samples.get('lvs_agent_plan_generation')).toBe(1); // generation 2 did not apply cleanly
    await agent.stop(true);
  });
});
