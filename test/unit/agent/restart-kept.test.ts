// What left the plan but is still kept (a draining destination, a real server's retiring VIP and
// sysctls) goes on from when it left the plan across a restart of the agent: a new agent neither
// starts the timeout again nor removes at once what its first plan lacks.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LVSNodeSpec } from '../../../src/core/api/objects.js';
import { readState } from '../../../src/node/state.js';
import { seedPlan, setup, table } from './agent-harness.js';

const without151 = (spec: LVSNodeSpec): LVSNodeSpec => ({
  ...spec,
  ipvs: {
    ...spec.ipvs,
    services: spec.ipvs!.services!.map((svc) => ({
      ...svc,
      destinations: svc.destinations.filter((d) => d.address !== '172.16.40.151'),
    })),
  },
});

const realServer: LVSNodeSpec = {
  addresses: [{ interface: 'lo', address: '172.16.40.160/32' }],
  sysctls: [
    { name: 'net.ipv4.conf.lo.arp_ignore', value: '1' },
    { name: 'net.ipv4.conf.lo.arp_announce', value: '2' },
  ],
};

describe('a draining destination across a restart of the agent', () => {
  it('stays at weight 0 for the rest of its timeout, counted from when it left the plan', async () => {
    const { agent, kernel, current, clock, restart, stateDir } = setup(seedPlan);
    await agent.reconcile();
    kernel.connections.set('172.16.40.151:80', 3);
    current.spec = without151(seedPlan);
    clock.ms = 1_000;
    await agent.reconcile();
    clock.ms = 200_000;
    const second = restart();
    await second.reconcile();
    expect(table(kernel)).toContain('172.16.40.151:80 -g -w 0');
    expect(second.state.kept.draining).toEqual({ 'TCP/172.16.40.160:80 172.16.40.151:80': 1_000 });
    clock.ms = 301_000;
    await restart().reconcile();
    expect(table(kernel)).not.toContain('172.16.40.151');
    expect(readState(stateDir).kept.draining).toEqual({});
  });

  it('is removed at once by an agent that starts after its timeout', async () => {
    const { agent, kernel, current, clock, restart } = setup(seedPlan);
    await agent.reconcile();
    kernel.connections.set('172.16.40.151:80', 3);
    current.spec = without151(seedPlan);
    await agent.reconcile();
    clock.ms = 300_000;
    await restart().reconcile();
    expect(table(kernel)).not.toContain('172.16.40.151');
  });
});

describe("a real server's retiring VIP and sysctls across a restart of the agent", () => {
  it('are kept by the new agent until the timeout of the first, then removed', async () => {
    const { agent, calls, current, clock, restart, reports } = setup(realServer);
    await agent.reconcile();
    current.spec = {};
    clock.ms = 1_000;
    await agent.reconcile();
    clock.ms = 250_000;
    await restart().reconcile();
    expect(reports.at(-1)!.retiring).toEqual([
      'address lo 172.16.40.160/32',
      'sysctl net.ipv4.conf.lo.arp_announce',
      'sysctl net.ipv4.conf.lo.arp_ignore',
    ]);
    clock.ms = 301_000;
    await restart().reconcile();
    expect(calls).toEqual([
      'addresses 1',
      'sysctls 2',
      'addresses 1',
      'sysctls 2',
      'addresses 1',
      'sysctls 2',
      'addresses 0',
      'sysctls 0',
    ]);
    expect(reports.at(-1)!.retiring).toEqual([]);
  });

  it('are removed at once, as before, by an agent whose state file predates the record', async () => {
    const { agent, calls, current, stateDir, restart } = setup(realServer);
    await agent.reconcile();
    const old = readState(stateDir) as Partial<ReturnType<typeof readState>>;
    delete old.kept;
    writeFileSync(join(stateDir, 'agent-state.json'), JSON.stringify(old));
    current.spec = {};
    await restart().reconcile();
    expect(calls.slice(-2)).toEqual(['addresses 0', 'sysctls 0']);
  });
});
