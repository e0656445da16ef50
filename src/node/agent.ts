// The node agent's level-triggered loop: read the desired plan, observe, diff, apply, report. It
// runs on every change of the plan, on a periodic resync that repairs drift (someone ran
// `ipvsadm -C` or deleted the VIP), and, for the IPVS weights alone, at once on every health
// change. Reconciles never overlap: each waits for the one before. One failing driver does not
// stop the others; its error goes into the status and the next pass tries again.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { LVSNodeSpec, LVSNodeStatus } from '../core/api/objects.js';
import { condition, mergeConditions, type Condition, type ConditionInput } from '../core/api/conditions.js';
import { normalizeIp } from '../core/net/address.js';
import { drainKey } from '../core/ipvs/drain.js';
import { destinationKey, formatHostPort, serviceKey } from '../core/ipvs/model.js';
import type { AgentDrivers } from './drivers.js';
import { connectionCounts, IpvsConverger } from './ipvs/converge.js';
import { tableDigest } from './ipvs/digest.js';
import { writeState, type AgentState } from './state.js';
import type { HealthTracker } from './health/health-tracker.js';
import { KeptItems } from './kept.js';

export interface PlanReader {
  /**
   * The plan, with problems found reading it, and the generation of the LVSNode it came from (the
   * in-cluster agent's; local mode has none and counts plan changes itself). undefined: no plan is
   * known yet (the API server has not answered and none was kept from before), so the pass leaves
   * everything as it is.
   */
  read(): PlanRead | undefined;
}

export interface PlanRead {
  spec: LVSNodeSpec;
  messages: string[];
  generation?: number;
  /** The VRIDs allocated so far, by VirtualService (local mode plans itself): kept across restarts. */
  allocations?: Record<string, number>;
}

export interface AgentOptions {
  nodeName: string;
  stateDir: string;
  plan: PlanReader;
  drivers: AgentDrivers;
  health: HealthTracker;
  /** What the agent remembers from before (readState). The agent takes it over: from now on it is its only writer. */
  state: AgentState;
  /** Called with the status document whenever it changes. */
  report: (status: LVSNodeStatus) => void;
  log?: (event: string, fields: Record<string, unknown>) => void;
  now?: () => Date;
  /** How long a removed destination may drain before it goes anyway (default 300 s). */
  drainTimeoutMs?: number;
  /** Called after every full pass that had a plan to apply (metrics): its duration, and whether it ended with errors. */
  onPass?: (pass: { seconds: number; failed: boolean }) => void;
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 300_000;

/** Pure: a plan that asks nothing of the node (an LVSNode that is gone reads as {}). */
export function isEmptyPlan(spec: LVSNodeSpec | undefined): boolean {
  if (!spec) return false;
  return (
    !spec.ipvs?.services?.length &&
    !spec.vrrp?.instances?.length &&
    !spec.addresses?.length &&
    !spec.tunnels?.length &&
    !spec.sysctls?.length &&
    spec.connectionSync === undefined
  );
}

export class NodeAgent {
  private spec: LVSNodeSpec = {};
  private queue: Promise<void> = Promise.resolve();
  private pendingPass: Promise<void> | undefined;
  private observeNext = false;
  private errors: string[] = [];
  private lastStatusJson = '';
  /** The conditions last reported: a condition whose status stays keeps its lastTransitionTime. */
  private conditions: Condition[] = [];
  private ipvsDigest = '';
  /** Set by leave(): the last pass keeps nothing retiring. */
  private leaving = false;
  /** Weights in the kernel after the last IPVS step, by drainKey: the status reports them. */
  private kernelWeights = new Map<string, number>();
  /** What left the plan but is kept a while: draining destinations, a real server's retiring VIPs (kept.ts). */
  private readonly kept: KeptItems;

  /** The state, as the agent last wrote it: read it (metrics do), never write it. */
  get state(): Readonly<AgentState> {
    return this.o.state;
  }

  /** Knows the IPVS table between passes, so that a plan or health change need not read it. */
  private readonly ipvs: IpvsConverger;

  constructor(private readonly o: AgentOptions) {
    this.ipvs = new IpvsConverger(o.drivers.ipvs);
    // What an agent before this one kept goes on from when it started (the state file).
    this.kept = new KeptItems(o.state.kept, {
      timeoutMs: o.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS,
      now: () => this.now().getTime(),
      log: o.log,
    });
    o.health.onChange(() => this.enqueue(() => this.applyIpvs()));
    // A VRRP transition (keepalived's notify FIFO) is news for the status at once, not at the next pass.
    o.drivers.vrrp.onChange?.(() => this.report());
  }

  /**
   * A full pass: re-read the plan and converge everything. Level-triggered, so a pass already
   * waiting to start serves every request made meanwhile: resyncs and watch events never pile up
   * behind a slow pass (and a stop never waits for a backlog of them). observe: read the whole
   * IPVS table rather than trust the one last known (resyncs do, to repair drift; a plan change
   * need not, see ipvs/converge.ts).
   */
  reconcile(options: { observe?: boolean } = {}): Promise<void> {
    this.observeNext ||= options.observe ?? true;
    if (this.pendingPass) return this.pendingPass;
    const pass = this.enqueue(async () => {
      this.pendingPass = undefined;
      const observe = this.observeNext;
      this.observeNext = false;
      const started = performance.now();
      const done = (failed: boolean) => this.o.onPass?.({ seconds: (performance.now() - started) / 1000, failed });
      try {
        if (await this.fullPass(observe)) done(this.errors.length > 0);
      } catch (error) {
        done(true);
        throw error;
      }
    });
    this.pendingPass = pass;
    return pass;
  }

  /**
   * The agent leaves its node for good: once its plan is empty (the controller no longer plans
   * anything here; the watch keeps feeding the plan meanwhile), within waitMs, one more pass applies
   * it: the VIPs are handed over first, then every IPVS service, address, tunnel, sysctl and sync
   * daemon the agent created goes. False when the plan still holds something after the wait (a
   * RealServer still names this node: its VIP on lo keeps it serving), and nothing is touched.
   */
  async leave(waitMs: number, pollMs = 200): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    while (!isEmptyPlan(this.o.plan.read()?.spec)) {
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    this.leaving = true;
    await this.reconcile({ observe: true });
    return true;
  }

  /** Stops the loop. release=true hands the VIP over (to a backup while still holding it, then keepalived stops); false leaves keepalived running for a new agent to adopt. */
  async stop(release: boolean): Promise<void> {
    await this.queue;
    this.o.health.stop();
    await this.o.drivers.vrrp.stop({ release });
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(step).catch((error: unknown) => {
      this.o.log?.('reconcile failed', { error: String(error) });
    });
    return this.queue;
  }

  /** false: no plan known yet, nothing done. */
  private async fullPass(observe: boolean): Promise<boolean> {
    const planned = this.o.plan.read();
    if (!planned) return false;
    const { spec, messages } = planned;
    this.takePlan(planned);
    this.spec = spec;
    this.errors = messages.filter((m) => !m.startsWith('warning:'));
    const d = this.o.drivers;
    const step = async (name: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (error) {
        this.errors.push(`${name}: ${(error as Error).message}`);
      }
    };

    const vrrp = () =>
      step('vrrp', async () => {
        const r = await d.vrrp.ensure(spec);
        if (r.error) this.errors.push(`vrrp: ${r.error}`);
        if (r.action !== 'none') this.o.log?.('keepalived', { action: r.action });
      });
    // A director left with no VRRP instance (unlabelled, or its last VirtualService gone) hands
    // its VIPs over first (to a backup while still holding them, then keepalived stops), then
    // drops the IPVS services: the other way round, packets to a VIP it still holds would meet no
    // service.
    const releasing = (spec.vrrp?.instances?.length ?? 0) === 0;
    if (releasing) await vrrp();
    const directs = (spec.ipvs?.services?.length ?? 0) > 0 || spec.connectionSync !== undefined;
    if (directs) await step('kernel modules', () => d.loadModule('ip_vs'));
    const kept = this.kept;
    const addresses = kept.keep('addresses', spec.addresses ?? [], (a) => `${a.interface} ${a.address}`, this.leaving);
    const tunnels = kept.keep('tunnels', spec.tunnels ?? [], (t) => t.name, this.leaving);
    const sysctls = kept.keep('sysctls', spec.sysctls ?? [], (x) => x.name, this.leaving);
    // Addresses and tunnels first: net.ipv4.conf.tunl0.* exists only once tunl0 does.
    await step('addresses', async () => {
      const r = await d.addresses(addresses, tunnels, this.o.state.ownedAddresses);
      this.record({ ownedAddresses: r.owned });
      this.errors.push(...r.errors.map((e) => `address ${e.interface} ${e.address ?? ''}: ${e.message}`));
    });
    await step('sysctls', async () => {
      const r = await d.sysctls(sysctls, this.o.state.sysctlOriginals);
      this.record({ sysctlOriginals: r.memory });
      this.errors.push(...r.errors.map((e) => `sysctl ${e.name}=${e.value}: ${e.message}`));
    });
    this.o.health.update(spec.ipvs?.services ?? []);
    // A node that directs nothing and never did (a real server) does not touch IPVS at all.
    if (directs || this.o.state.ownedServices.length) await step('ipvs', () => this.convergeIpvs(observe));
    if (spec.connectionSync || this.o.state.syncDaemons) {
      await step('sync daemon', async () => {
        const sync = spec.connectionSync;
        const iface = sync ? (sync.interface ?? (await d.vrrp.interfaceFor(spec, sync.syncID))) : undefined;
        await d.syncDaemons(sync && iface ? { interface: iface, syncID: sync.syncID } : undefined);
        this.record({ syncDaemons: sync !== undefined && iface !== undefined });
      });
    }
    if (!releasing) await vrrp();
    if (this.errors.length === 0) this.record({ appliedGeneration: this.o.state.generation });
    this.record({ kept: kept.saved() });
    writeState(this.o.stateDir, this.o.state);
    this.report();
    return true;
  }

  /** A new plan, or the same one again: counts plan changes and keeps the VRIDs allocated. */
  private takePlan(planned: PlanRead): void {
    const state = this.o.state;
    if (planned.generation !== undefined) {
      // An LVSNode's generation moves with every change of its spec: nothing to compare.
      if (planned.generation !== state.generation) {
        this.record({ generation: planned.generation });
        this.o.log?.('plan changed', { generation: planned.generation });
      }
    } else {
      // Local mode counts its plan changes itself, by a digest of the plan (not the JSON itself:
      // the state file is written on every pass, and at 10,000 destinations the JSON is 1.5 MB;
      // a state file from before holds the JSON, so the first pass after the upgrade counts once).
      const digest = createHash('sha256').update(JSON.stringify(planned.spec)).digest('hex');
      if (digest !== state.specDigest) {
        this.record({ generation: state.generation + 1, specDigest: digest });
        this.o.log?.('plan changed', { generation: state.generation });
      }
    }
    if (planned.allocations) this.record({ allocations: planned.allocations });
  }

  /**
   * The one place the state is written. It is changed in place (metrics read it at scrape time)
   * and saved at the end of each full pass; what the health fast path changes is saved with the
   * next one.
   */
  private record(change: Partial<AgentState>): void {
    Object.assign(this.o.state, change);
  }

  /** The health fast path: reprogram the weights from the last plan without re-reading it. */
  private async applyIpvs(): Promise<void> {
    try {
      await this.convergeIpvs(false);
    } catch (error) {
      this.errors.push(`ipvs: ${(error as Error).message}`);
    }
    this.report();
  }

  private async convergeIpvs(observe: boolean): Promise<void> {
    const desired = this.o.health.table(this.spec.ipvs?.services ?? []);
    const owned = new Set(this.o.state.ownedServices);
    // Services with destinations draining are looked at on every pass, changed or not: their
    // connections decide when the weight-0 entries go.
    const result = await this.ipvs.converge(
      desired,
      owned,
      (actual, wanted) => this.kept.drain(actual, wanted, this.spec, () => connectionCounts(this.o.drivers.ipvs)),
      observe,
      this.kept.drainingServices(),
    );
    const desiredKeys = desired.services.map(serviceKey);
    const actualKeys = new Set(result.actual.services.map(serviceKey));
    // Owned from now on: what we want, and what we wanted to delete but is still there.
    this.record({
      ownedServices: [...new Set([...desiredKeys, ...[...owned].filter((k) => actualKeys.has(k))])].sort(),
    });
    const ownedNow = new Set(this.o.state.ownedServices);
    const managed = result.actual.services.filter((s) => ownedNow.has(serviceKey(s)));
    this.kernelWeights = new Map(
      managed.flatMap((s) => s.destinations.map((d) => [drainKey(serviceKey(s), destinationKey(d)), d.weight])),
    );
    this.ipvsDigest = tableDigest(managed);
    if (result.removedElsewhere.length)
      this.o.log?.('ipvs services of ours were deleted by another program; added back', {
        services: result.removedElsewhere,
        hint: 'kube-proxy in IPVS mode deletes them at each sync unless their VIPs are in its --ipvs-exclude-cidrs (ipvs.excludeCIDRs)',
      });
    if (result.applied.length)
      this.o.log?.('ipvs applied', { lines: result.applied.length, failed: result.failed.length });
    if (result.failed.length)
      this.errors.push(
        `ipvs: did not take: ${result.failed.join('; ')}${result.errors.length ? ` (${result.errors.join('; ')})` : ''}`,
      );
  }

  private now(): Date {
    return this.o.now?.() ?? new Date();
  }

  private report(): void {
    const now = this.now().toISOString();
    const lastError = this.errors.join('\n');
    const status: LVSNodeStatus = {
      appliedGeneration: this.o.state.appliedGeneration,
      services: this.spec.ipvs?.services?.length ?? 0,
      lastError,
      ipvsDigest: this.ipvsDigest,
      vrrp: [...this.o.drivers.vrrp.states()].map(([name, s]) => ({
        name,
        state: s.state,
        since: s.since.toISOString(),
      })),
      retiring: this.kept.items(),
      destinations: this.o.health.snapshot().map((d) => {
        const key = drainKey(d.service, formatHostPort(normalizeIp(d.address) ?? d.address, d.port));
        const weight = this.kernelWeights.get(key);
        return weight === undefined ? d : { ...d, weight };
      }),
    };
    const json = JSON.stringify(status);
    if (json === this.lastStatusJson) return;
    this.lastStatusJson = json;
    this.conditions = mergeConditions(this.conditions, [readyCondition(status, this.o.state.generation)], now);
    this.o.report({ ...status, conditions: this.conditions });
  }
}

function readyCondition(status: LVSNodeStatus, generation: number): ConditionInput {
  return status.lastError
    ? condition('Ready', false, 'ApplyFailed', status.lastError.split('\n')[0]!, generation)
    : condition('Ready', true, 'Applied', 'the plan is applied', generation);
}
