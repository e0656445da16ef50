// The node agent with fake drivers, a fake IPVS kernel (holding a service the agent does not own)
// and a fake health tracker: what the agent's unit tests drive.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeAgent } from '../../../src/node/agent.js';
import type { AgentDrivers } from '../../../src/node/drivers.js';
import type { VrrpState } from '../../../src/core/api/vrrp.js';
import type { HealthTracker } from '../../../src/node/health/health-tracker.js';
import { readState, type AgentState } from '../../../src/node/state.js';
import type { LVSNodeSpec, LVSNodeStatus, ServicePlan } from '../../../src/core/api/objects.js';
import { Ipvsadm } from '../../../src/node/ipvs/ipvsadm.js';
import { healthKey } from '../../../src/node/health/health-key.js';
import { applyHealth } from '../../../src/node/health/overlay.js';
import { parseSave, renderSave } from '../../../src/core/ipvs/save-format.js';
import { plan } from '../../../src/core/plan/plan.js';
import { loadExample } from '../plan/example.js';
import { FakeIpvsKernel } from './fake-system.js';

export const seedPlan = plan(loadExample('examples/seed-dr')).nodes.get('lvs01')!;
export const foreignService = '-A -t 10.96.0.1:443 -s rr\n-a -t 10.96.0.1:443 -r 10.0.0.5:6443 -m -w 1\n';

export class FakeHealth implements HealthTracker {
  down = new Set<string>();
  private listener: () => void = () => {};
  private services: ServicePlan[] = [];
  update(services: ServicePlan[]) {
    this.services = services;
  }
  table(services: ServicePlan[]) {
    const health = new Map<string, boolean>();
    for (const s of services) for (const d of s.destinations) health.set(healthKey(s, d), !this.down.has(d.address));
    return applyHealth(services, health).table;
  }
  snapshot() {
    return this.services.flatMap((s) =>
      s.destinations.map((d) => ({
        service: `${s.protocol}/${s.address}:${s.port}`,
        address: d.address,
        port: d.port,
        healthy: !this.down.has(d.address),
      })),
    );
  }
  onChange(listener: () => void) {
    this.listener = listener;
  }
  fail(address: string) {
    this.down.add(address);
    this.listener();
  }
  stop() {}
  get planned() {
    return this.services;
  }
}

export function setup(initialSpec: LVSNodeSpec, state?: AgentState) {
  const stateDir = mkdtempSync(join(tmpdir(), 'lvs-agent-'));
  const kernel = new FakeIpvsKernel();
  kernel.table = parseSave(foreignService).table;
  const calls: string[] = [];
  const reports: LVSNodeStatus[] = [];
  const health = new FakeHealth();
  const current: { spec: LVSNodeSpec; reads: number; allocations?: Record<string, number>; generation?: number } = {
    spec: initialSpec,
    reads: 0,
  };
  const clock = { ms: 0 };
  const vrrp = { state: 'MASTER' as VrrpState, notify: () => {} };
  const drivers: AgentDrivers = {
    loadModule: async (name) => void calls.push(`modprobe ${name}`),
    sysctls: async (desired, originals) => {
      calls.push(`sysctls ${desired.length}`);
      return { memory: originals, errors: [] };
    },
    addresses: async (desired) => {
      calls.push(`addresses ${desired.length}`);
      return { owned: desired, errors: [] };
    },
    ipvs: new Ipvsadm(kernel.run),
    syncDaemons: async (wanted) => void calls.push(`sync ${wanted?.interface} ${wanted?.syncID}`),
    vrrp: {
      ensure: async () => ({ action: 'none' }),
      states: () => new Map([['VI_10', { state: vrrp.state, since: new Date(0) }]]),
      interfaceFor: async () => 'eth0',
      stop: async () => {},
      onChange: (listener) => void (vrrp.notify = listener),
    },
  };
  const make = (s: AgentState) =>
    new NodeAgent({
      nodeName: 'lvs01',
      stateDir,
      plan: {
        read: () => {
          current.reads += 1;
          return { spec: current.spec, messages: [], allocations: current.allocations, generation: current.generation };
        },
      },
      drivers,
      health,
      state: s,
      report: (status) => reports.push(status),
      now: () => new Date(clock.ms),
    });
  const agent = make(state ?? readState(stateDir));
  return {
    agent,
    kernel,
    calls,
    reports,
    health,
    current,
    drivers,
    stateDir,
    clock,
    vrrp,
    restart: () => make(readState(stateDir)),
  };
}

export const table = (kernel: FakeIpvsKernel) => renderSave(kernel.table);
