// The agent loop over the in-memory IPVS (src/node/ipvs/fake.ts) rather than a fake ipvsadm:
// what it asks of the IPVS interface, whichever implementation answers.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LVSNodeSpec, LVSNodeStatus } from '../../../src/core/api/objects.js';
import { parseSave, renderSave } from '../../../src/core/ipvs/save-format.js';
import { plan } from '../../../src/core/plan/plan.js';
import { NodeAgent } from '../../../src/node/agent.js';
import type { AgentDrivers } from '../../../src/node/drivers.js';
import type { HealthTracker } from '../../../src/node/health/health-tracker.js';
import { applyHealth } from '../../../src/node/health/overlay.js';
import { FakeIpvs } from '../../../src/node/ipvs/fake.js';
import { convergeSyncDaemons } from '../../../src/node/ipvs/sync-daemons.js';
import { EMPTY_STATE } from '../../../src/node/state.js';
import { loadExample } from '../plan/example.js';

const seedPlan = plan(loadExample('examples/seed-dr')).nodes.get('lvs01')!;
const foreignService = '-A -t 10.96.0.1:443 -s rr\n-a -t 10.96.0.1:443 -r 10.0.0.5:6443 -m -w 1\n';

/** Every destination healthy (none checked yet). */
const allHealthy: HealthTracker = {
  update: () => {},
  table: (services) => applyHealth(services, new Map()).table,
  snapshot: () => [],
  onChange: () => {},
  stop: () => {},
};

function setup(spec: LVSNodeSpec) {
  const ipvs = new FakeIpvs();
  ipvs.table = parseSave(foreignService).table;
  const current = { spec };
  const reports: LVSNodeStatus[] = [];
  const drivers: AgentDrivers = {
    loadModule: async () => {},
    sysctls: async (_desired, originals) => ({ memory: originals, errors: [] }),
    addresses: async (desired) => ({ owned: desired, errors: [] }),
    ipvs,
    syncDaemons: (wanted) => convergeSyncDaemons(ipvs, wanted),
    vrrp: {
      ensure: async () => ({ action: 'none' }),
      states: () => new Map(),
      interfaceFor: async () => 'eth0',
      stop: async () => {},
    },
  };
  const agent = new NodeAgent({
    nodeName: 'lvs01',
    stateDir: mkdtempSync(join(tmpdir(), 'lvs-agent-fake-ipvs-')),
    plan: { read: () => ({ spec: current.spec, messages: [] }) },
    drivers,
    health: allHealthy,
    state: structuredClone(EMPTY_STATE),
    report: (status) => reports.push(status),
  });
  return { agent, ipvs, current, reports };
}

describe('the agent over the in-memory IPVS', () => {
  it("programs the plan's table, leaves others' services alone, and starts the sync daemons", async () => {
    const { agent, ipvs, reports } = setup(seedPlan);
    await agent.reconcile();
    expect(renderSave(ipvs.table)).toBe(
      foreignService +
        '-A -t 172.16.40.160:80 -s rr -p 5\n-a -t 172.16.40.160:80 -r 172.16.40.151:80 -g -w 1\n-a -t 172.16.40.160:80 -r 172.16.40.152:80 -g -w 1\n',
    );
    expect(ipvs.daemons.map((d) => `${d.role} ${d.interface} ${d.syncID}`)).toEqual([
      'master ens192 10',
      'backup ens192 10',
    ]);
    expect(reports.at(-1)!.lastError).toBe('');
  });

  it('reports the operation the kernel refused, with its own message', async () => {
    const { agent, ipvs, reports } = setup(seedPlan);
    ipvs.refuse = (op) =>
      op.kind === 'add-destination' && op.destination.address === '172.16.40.152' && 'Memory allocation problem';
    await agent.reconcile();
    expect(reports.at(-1)!.lastError).toBe(
      'ipvs: did not take: -a -t 172.16.40.160:80 -r 172.16.40.152:80 -g -w 1 (Memory allocation problem)',
    );
  });

  it('drains a removed destination by the connections the interface reports', async () => {
    const { agent, ipvs, current } = setup(seedPlan);
    await agent.reconcile();
    ipvs.connectionsNow.set('TCP/172.16.40.160:80 172.16.40.151:80', { active: 1, inactive: 0 });
    const services = seedPlan.ipvs!.services!.map((s) => ({
      ...s,
      destinations: s.destinations.filter((d) => d.address !== '172.16.40.151'),
    }));
    current.spec = { ...seedPlan, ipvs: { ...seedPlan.ipvs, services } };
    await agent.reconcile();
    expect(renderSave(ipvs.table)).toContain('-r 172.16.40.151:80 -g -w 0');
    ipvs.connectionsNow.clear();
    await agent.reconcile();
    expect(renderSave(ipvs.table)).not.toContain('172.16.40.151');
  });
});
