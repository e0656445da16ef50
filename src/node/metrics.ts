// The node agent's metrics. What the kernel, keepalived and the health checks hold is read at
// scrape time (collect callbacks), so that a scrape shows the state at that moment and the agent
// pays nothing between scrapes; only the events (a check's verdict, a pass) are counted as they
// happen. IPVS figures cover the services the agent owns, never the others (kube-proxy's, a
// user's), and are read only while it owns some: a real server never reads IPVS for this.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AgentDrivers } from './drivers.js';
import { VRRP_STATES, type VrrpState } from '../core/api/vrrp.js';
import type { HealthTracker } from './health/health-tracker.js';
import type { AgentState } from './state.js';
import type { DestinationHealth } from '../core/api/objects.js';
import type { CheckVerdict } from './health/health-monitor.js';
import type { IpvsInterface } from './ipvs/interface.js';
import type { Log } from '../io/log.js';
import type { ListenAddress } from '../io/metrics-address.js';
import { serveMetrics } from '../io/metrics-server.js';
import { destinationLabel, type DestinationState, type DestinationStats } from '../core/ipvs/list-format.js';
import { canonicalServiceKey } from '../core/ipvs/model.js';

/** Where the scrape-time metrics come from; read at every scrape. */
export interface AgentMetricSources {
  /** serviceKeys of the IPVS services the agent owns (its state's ownedServices). */
  ownedServices(): readonly string[];
  /** The plan generation last applied without errors. */
  appliedGeneration(): number;
  vrrpStates(): ReadonlyMap<string, { state: VrrpState }>;
  health(): readonly DestinationHealth[];
  /** Where the IPVS figures are read (the agent's IPVS interface). */
  ipvs: Pick<IpvsInterface, 'connections' | 'stats'>;
}

interface IpvsFigures {
  stats: DestinationStats[];
  state: DestinationState[];
}

const IPVS_LABELS = ['service', 'destination'] as const;
type IpvsLabel = (typeof IPVS_LABELS)[number];
const SCRAPE_READ_TIMEOUT_MS = 8_000;
type Registers = Registry[];

/** A collect callback: reads the figures, then resets the metric and fills it from them. */
function refill<M extends { reset(): void }, T>(read: () => T | Promise<T>, fill: (metric: M, figures: T) => void) {
  return async function (this: M): Promise<void> {
    const figures = await read();
    this.reset();
    fill(this, figures);
  };
}

const ipvsLabels = (d: { service: string; destination: string }) => ({
  service: d.service,
  destination: d.destination,
});

export class AgentMetrics {
  private sources: AgentMetricSources | undefined;
  private reading: Promise<IpvsFigures> | undefined;
  private lastError = '';
  private readonly checkDuration: Histogram<'service' | 'destination'>;
  private readonly checks: Counter<'service' | 'destination' | 'result'>;
  private readonly passDuration: Histogram;
  private readonly passErrors: Counter;

  constructor(
    readonly registry: Registry,
    private readonly o: { log?: Log } = {},
  ) {
    const registers = [registry];
    registerIpvsMetrics(registers, () => this.ipvs());
    registerVrrpMetric(registers, () => this.sources?.vrrpStates() ?? new Map());
    new Gauge({
      name: 'lvs_health_check_up',
      help: 'Whether the destination is healthy (1) or taken out by its health check (0); not yet checked counts as 1.',
      labelNames: IPVS_LABELS,
      registers,
      collect: refill(
        () => this.sources?.health() ?? [],
        (m: Gauge<IpvsLabel>, health) => {
          for (const d of health) m.set(this.checkLabels(d), d.healthy ? 1 : 0);
        },
      ),
    });
    this.checkDuration = new Histogram({
      name: 'lvs_health_check_duration_seconds',
      help: 'How long each health check took to its verdict.',
      labelNames: IPVS_LABELS,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.checks = new Counter({
      name: 'lvs_health_checks_total',
      help: 'Health checks run, by result (success or failure); a failure is not yet a destination down (retries).',
      labelNames: ['service', 'destination', 'result'],
      registers,
    });
    this.passDuration = new Histogram({
      name: 'lvs_agent_apply_duration_seconds',
      help: 'How long one full reconcile pass took (plan, addresses, sysctls, IPVS, sync daemon, VRRP).',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.passErrors = new Counter({
      name: 'lvs_agent_apply_errors_total',
      help: 'Full reconcile passes that ended with errors (the LVSNode status lastError says which).',
      registers,
    });
    registerGenerationMetric(registers, () => this.sources?.appliedGeneration());
  }

  /** Where the scrape-time figures come from (the agent's state, drivers and health tracker). */
  watch(sources: AgentMetricSources): void {
    this.sources = sources;
  }

  readonly observeCheck = (check: CheckVerdict): void => {
    const labels = this.checkLabels(check);
    this.checkDuration.observe(labels, check.latencyMs / 1000);
    // Both results from the first check on, so that rate() sees the first failure as an increase.
    this.checks.inc({ ...labels, result: 'success' }, check.ok ? 1 : 0);
    this.checks.inc({ ...labels, result: 'failure' }, check.ok ? 0 : 1);
  };

  readonly observePass = (pass: { seconds: number; failed: boolean }): void => {
    this.passDuration.observe(pass.seconds);
    if (pass.failed) this.passErrors.inc();
  };

  private checkLabels(d: { service: string; address: string; port: number }) {
    return { service: canonicalServiceKey(d.service) ?? d.service, destination: destinationLabel(d.address, d.port) };
  }

  /** One read per scrape: the collect callbacks of a scrape all start together and share it. */
  private ipvs(): Promise<IpvsFigures> {
    this.reading ??= this.readIpvs().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async readIpvs(): Promise<IpvsFigures> {
    const owned = new Set((this.sources?.ownedServices() ?? []).map((k) => canonicalServiceKey(k) ?? k));
    if (owned.size === 0 || !this.sources) return { stats: [], state: [] };
    const options = { timeoutMs: SCRAPE_READ_TIMEOUT_MS };
    try {
      const ipvs = this.sources.ipvs;
      const [stats, state] = await Promise.all([ipvs.stats(options), ipvs.connections(options)]);
      this.lastError = '';
      const mine = (d: { service: string }) => owned.has(d.service);
      return { stats: stats.filter(mine), state: state.filter(mine) };
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.lastError) this.o.log?.('ipvs metrics not read', { error: message });
      this.lastError = message;
      return { stats: [], state: [] };
    }
  }
}

/** Points the metrics at the agent's state, VRRP driver and health checks, and serves them; returns the way to stop. */
export function serveAgentMetrics(
  metrics: AgentMetrics,
  address: ListenAddress,
  agent: {
    state: Pick<AgentState, 'ownedServices' | 'appliedGeneration'>;
    drivers: Pick<AgentDrivers, 'vrrp' | 'ipvs'>;
    health: Pick<HealthTracker, 'snapshot'>;
  },
  log: Log,
): () => Promise<void> {
  metrics.watch({
    // the state object is the agent's own, updated in place by every pass
    ownedServices: () => agent.state.ownedServices,
    appliedGeneration: () => agent.state.appliedGeneration,
    vrrpStates: () => agent.drivers.vrrp.states(),
    health: () => agent.health.snapshot(),
    ipvs: agent.drivers.ipvs,
  });
  return serveMetrics(metrics.registry, address, log);
}

/** The IPVS counters (ipvsadm --stats) and gauges (weight, connections now), read once per scrape. */
function registerIpvsMetrics(registers: Registers, ipvs: () => Promise<IpvsFigures>): void {
  const counters: [string, string, keyof Omit<DestinationStats, 'service' | 'destination'>][] = [
    ['lvs_ipvs_connections_total', 'Connections IPVS scheduled to the destination since it was added.', 'connections'],
    ['lvs_ipvs_incoming_packets_total', 'Packets from clients through the destination.', 'inPackets'],
    ['lvs_ipvs_outgoing_packets_total', 'Packets back to clients from the destination (NAT only).', 'outPackets'],
    ['lvs_ipvs_incoming_bytes_total', 'Bytes from clients through the destination.', 'inBytes'],
    ['lvs_ipvs_outgoing_bytes_total', 'Bytes back to clients from the destination (NAT only).', 'outBytes'],
  ];
  for (const [name, help, field] of counters)
    new Counter<IpvsLabel>({
      name,
      help: `${help} From ipvsadm --stats, for the services this agent owns.`,
      labelNames: IPVS_LABELS,
      registers,
      collect: refill(ipvs, (m: Counter<IpvsLabel>, f) => f.stats.forEach((d) => m.inc(ipvsLabels(d), d[field]))),
    });
  const gauges: [string, string, keyof Omit<DestinationState, 'service' | 'destination'>][] = [
    [
      'lvs_ipvs_active_connections',
      'Connections to the destination in the kernel now, established.',
      'activeConnections',
    ],
    [
      'lvs_ipvs_inactive_connections',
      'Connections to the destination in the kernel now, other states.',
      'inactiveConnections',
    ],
    ['lvs_ipvs_destination_weight', 'The destination weight in the kernel (0: no new connections).', 'weight'],
  ];
  for (const [name, help, field] of gauges)
    new Gauge<IpvsLabel>({
      name,
      help: `${help} For the services this agent owns.`,
      labelNames: IPVS_LABELS,
      registers,
      collect: refill(ipvs, (m: Gauge<IpvsLabel>, f) => f.state.forEach((d) => m.set(ipvsLabels(d), d[field]))),
    });
}

function registerVrrpMetric(registers: Registers, read: () => ReadonlyMap<string, { state: VrrpState }>): void {
  new Gauge({
    name: 'lvs_vrrp_state',
    help: 'The VRRP instance state, one-hot: 1 for the current state, 0 for the others.',
    // vrrp_instance, not instance: Prometheus gives every target an instance label of its own.
    labelNames: ['vrrp_instance', 'state'],
    registers,
    collect: refill(read, (m: Gauge<'vrrp_instance' | 'state'>, states) => {
      for (const [instance, s] of states)
        for (const state of VRRP_STATES) m.set({ vrrp_instance: instance, state }, state === s.state ? 1 : 0);
    }),
  });
}

function registerGenerationMetric(registers: Registers, read: () => number | undefined): void {
  new Gauge({
    name: 'lvs_agent_plan_generation',
    help: 'The plan generation the agent last applied without errors.',
    registers,
    collect: refill(read, (m: Gauge, generation) => {
      if (generation !== undefined) m.set(generation);
    }),
  });
}
