import { describe, expect, it } from 'vitest';
import { readState } from '../../../src/node/state.js';
import type { LVSNodeSpec } from '../../../src/core/api/objects.js';
import { parseSave } from '../../../src/core/ipvs/save-format.js';
import { foreignService, seedPlan, setup, table } from './agent-harness.js';

describe('the node agent loop', () => {
  it("programs the plan's table and leaves the service it does not own alone", async () => {
    const { agent, kernel, reports } = setup(seedPlan);
    await agent.reconcile();
    expect(table(kernel)).toBe(
      foreignService +
        '-A -t 172.16.40.160:80 -s rr -p 5\n-a -t 172.16.40.160:80 -r 172.16.40.151:80 -g -w 1\n-a -t 172.16.40.160:80 -r 172.16.40.152:80 -g -w 1\n',
    );
    expect(reports.at(-1)).toMatchObject({
      appliedGeneration: 1,
      services: 1,
      lastError: '',
      vrrp: [{ name: 'VI_10', state: 'MASTER' }],
    });
  });

  it('sends no batch and keeps the generation when the same plan comes again', async () => {
    const { agent, kernel, reports } = setup(seedPlan);
    await agent.reconcile();
    await agent.reconcile();
    expect(kernel.batches).toHaveLength(1);
    expect(reports.at(-1)!.appliedGeneration).toBe(1);
  });

  it("reports the LVSNode's generation as applied (the in-cluster agent), and a restarted agent keeps it", async () => {
    const { agent, current, reports, restart } = setup(seedPlan);
    current.generation = 7;
    await agent.reconcile();
    expect(reports.at(-1)!.appliedGeneration).toBe(7);
    const heavier = structuredClone(seedPlan);
    heavier.ipvs!.services![0]!.destinations[0]!.weight = 3;
    current.spec = heavier;
    current.generation = 8;
    await agent.reconcile();
    expect(reports.at(-1)!.appliedGeneration).toBe(8);
    const again = restart();
    await again.reconcile();
    expect(again.state.generation).toBe(8);
    expect(again.state.appliedGeneration).toBe(8);
  });

  it('repairs drift on the next pass: a deleted service comes back, and only it is re-sent', async () => {
    const { agent, kernel } = setup(seedPlan);
    await agent.reconcile();
    kernel.table = parseSave(foreignService).table; // someone deleted our service
    await agent.reconcile();
    expect(kernel.batches[1]![0]).toBe('-A -t 172.16.40.160:80 -s rr -p 5');
    expect(table(kernel)).toContain('172.16.40.152:80');
  });

  it('deletes a service it owned when the plan drops it, also after a restart of the agent', async () => {
    const { agent, kernel, current, restart } = setup(seedPlan);
    await agent.reconcile();
    current.spec = {};
    await restart().reconcile();
    expect(table(kernel)).toBe(foreignService);
  });

  it('a restarted agent adopts a correct table without sending anything', async () => {
    const { agent, kernel, restart } = setup(seedPlan);
    await agent.reconcile();
    await restart().reconcile();
    expect(kernel.batches).toHaveLength(1);
  });

  it('reports a line the kernel refused, and the applied generation stays behind', async () => {
    const { agent, kernel, reports } = setup(seedPlan);
    kernel.refuse = (line) => line.includes('172.16.40.152') && 'Memory allocation problem';
    await agent.reconcile();
    expect(reports.at(-1)!.lastError).toMatch(/ipvs: did not take: -a -t 172.16.40.160:80 -r 172.16.40.152:80 -g -w 1/);
    expect(reports.at(-1)!.appliedGeneration).toBe(0);
    expect(reports.at(-1)!.conditions![0]).toMatchObject({ type: 'Ready', status: 'False', reason: 'ApplyFailed' });
  });

  it("names a scheduler the kernel lacks (Debian 6.1 has no twos) instead of ipvsadm's vague complaint", async () => {
    const twos = structuredClone(seedPlan);
    twos.ipvs!.services![0]!.scheduler = 'twos';
    const { agent, kernel, reports } = setup(twos);
    // What the real ipvsadm -R printed in the VM for `-A ... -s twos` (exit 0, other lines applied).
    kernel.refuse = (line) => line.includes('-s twos') && 'Scheduler or persistence engine not found';
    await agent.reconcile();
    expect(reports.at(-1)!.lastError).toContain('the kernel has no IPVS scheduler twos (module ip_vs_twos)');
    expect(table(kernel)).toBe(foreignService);
  });

  it('goes on with the other drivers when one throws', async () => {
    const { agent, drivers, calls, kernel, reports } = setup(seedPlan);
    drivers.sysctls = async () => {
      throw new Error('read-only /proc');
    };
    await agent.reconcile();
    expect(reports.at(-1)!.lastError).toBe('sysctls: read-only /proc');
    expect(calls).toContain('sync ens192 10');
    expect(table(kernel)).toContain('172.16.40.160:80');
  });

  it('sets a failed real server to weight 0 at once, from the last plan, on a health change', async () => {
    const { agent, kernel, health } = setup(seedPlan);
    await agent.reconcile();
    const inhibited = structuredClone(seedPlan);
    inhibited.ipvs!.services![0]!.destinations.forEach((d) => (d.healthCheck.onFailure = 'Inhibit'));
    const second = setup(inhibited);
    await second.agent.reconcile();
    second.health.fail('172.16.40.151');
    await second.agent.reconcile(); // waits for the queued health pass too
    expect(table(second.kernel)).toContain('-a -t 172.16.40.160:80 -r 172.16.40.151:80 -g -w 0');
    // The seed's onFailure is Remove (keepalived without inhibit_on_failure): the server leaves the table.
    health.fail('172.16.40.151');
    await agent.reconcile();
    expect(table(kernel)).not.toContain('172.16.40.151');
  });

  it('does not touch IPVS or the sync daemons on a node that directs nothing', async () => {
    const { agent, kernel, calls } = setup({ addresses: [{ interface: 'lo', address: '172.16.40.160/32' }] });
    await agent.reconcile();
    expect(kernel.batches).toHaveLength(0);
    expect(calls).toEqual(['addresses 1', 'sysctls 0']);
  });
});

describe('a pass that does not observe (a plan or health change) diffs against the table as last known', () => {
  const reweighted = (spec: LVSNodeSpec, weight: number): LVSNodeSpec => {
    const services = spec.ipvs!.services!.map((svc) => ({
      ...svc,
      destinations: svc.destinations.map((d, i) => (i === 0 ? { ...d, weight } : d)),
    }));
    return { ...spec, ipvs: { ...spec.ipvs, services } };
  };

  it('sends its batch without reading the whole table, before or after', async () => {
    const { agent, kernel, current } = setup(seedPlan);
    await agent.reconcile();
    const before = kernel.commands.length;
    current.spec = reweighted(seedPlan, 5);
    await agent.reconcile({ observe: false });
    expect(kernel.commands.slice(before)).toEqual(['ipvsadm -R']);
    expect(table(kernel)).toContain('-r 172.16.40.151:80 -g -w 5');
  });

  it('meets drift (someone deleted the service): the batch fails, so it observes and applies again', async () => {
    const { agent, kernel, current, reports } = setup(seedPlan);
    await agent.reconcile();
    kernel.table = parseSave(foreignService).table;
    current.spec = reweighted(seedPlan, 5);
    await agent.reconcile({ observe: false });
    expect(table(kernel)).toContain('-r 172.16.40.151:80 -g -w 5');
    expect(table(kernel)).toContain('-A -t 172.16.40.160:80 -s rr -p 5');
    expect(reports.at(-1)!.lastError).toBe('');
  });

  it('an observing pass (a resync) reads the table before and after its batch', async () => {
    const { agent, kernel, current } = setup(seedPlan);
    await agent.reconcile();
    const before = kernel.commands.length;
    current.spec = reweighted(seedPlan, 5);
    await agent.reconcile();
    expect(kernel.commands.slice(before)).toEqual(['ipvsadm -S -n', 'ipvsadm -R', 'ipvsadm -S -n']);
  });
});

describe('removing a real server from the plan (graceful drain)', () => {
  const without151 = (spec: LVSNodeSpec): LVSNodeSpec => {
    const services = spec.ipvs!.services!.map((svc) => ({
      ...svc,
      destinations: svc.destinations.filter((d) => d.address !== '172.16.40.151'),
    }));
    return { ...spec, ipvs: { ...spec.ipvs, services } };
  };

  it('keeps it at weight 0 while it has connections, and removes it once they are gone', async () => {
    const { agent, kernel, current } = setup(seedPlan);
    await agent.reconcile();
    kernel.connections.set('172.16.40.151:80', 3);
    current.spec = without151(seedPlan);
    await agent.reconcile();
    expect(table(kernel)).toContain('-a -t 172.16.40.160:80 -r 172.16.40.151:80 -g -w 0');
    kernel.connections.set('172.16.40.151:80', 0);
    await agent.reconcile();
    expect(table(kernel)).not.toContain('172.16.40.151');
    expect(table(kernel)).toContain('172.16.40.152:80');
  });

  it('removes it at once when it has no connection', async () => {
    const { agent, kernel, current } = setup(seedPlan);
    await agent.reconcile();
    current.spec = without151(seedPlan);
    await agent.reconcile();
    expect(table(kernel)).not.toContain('172.16.40.151');
  });

  it('removes it when the drain timeout has passed, connections or not', async () => {
    const { agent, kernel, current, clock } = setup(seedPlan);
    await agent.reconcile();
    kernel.connections.set('172.16.40.151:80', 3);
    current.spec = without151(seedPlan);
    await agent.reconcile();
    clock.ms = 299_000;
    await agent.reconcile();
    expect(table(kernel)).toContain('172.16.40.151:80 -g -w 0');
    clock.ms = 300_000;
    await agent.reconcile();
    expect(table(kernel)).not.toContain('172.16.40.151');
  });

  it('does not drain a real server its health check removed: it is dead, and so are its connections', async () => {
    const { agent, kernel, health } = setup(seedPlan);
    await agent.reconcile();
    kernel.connections.set('172.16.40.151:80', 3);
    health.fail('172.16.40.151');
    await agent.reconcile();
    expect(table(kernel)).not.toContain('172.16.40.151');
  });
});

describe('a real server that leaves the plan', () => {
  const realServer: LVSNodeSpec = {
    addresses: [{ interface: 'lo', address: '172.16.40.160/32' }],
    sysctls: [
      { name: 'net.ipv4.conf.lo.arp_ignore', value: '1' },
      { name: 'net.ipv4.conf.lo.arp_announce', value: '2' },
    ],
  };

  it('keeps its VIP and ARP sysctls for the drain timeout, since directors still send it established connections', async () => {
    const { agent, calls, current, clock } = setup(realServer);
    await agent.reconcile();
    current.spec = {};
    clock.ms = 1000;
    await agent.reconcile();
    clock.ms = 300_999;
    await agent.reconcile();
    clock.ms = 301_000;
    await agent.reconcile();
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
  });

  it('comes back at once when the plan names it again', async () => {
    const { agent, calls, current } = setup(realServer);
    await agent.reconcile();
    current.spec = {};
    await agent.reconcile();
    current.spec = realServer;
    await agent.reconcile();
    expect(calls.slice(-2)).toEqual(['addresses 1', 'sysctls 2']);
  });
});

describe('the status document', () => {
  it("reports each destination's weight in the kernel, 0 while its check fails with onFailure Inhibit", async () => {
    const inhibit: LVSNodeSpec = structuredClone(seedPlan);
    for (const d of inhibit.ipvs!.services![0]!.destinations) d.healthCheck.onFailure = 'Inhibit';
    const { agent, health, reports } = setup(inhibit);
    await agent.reconcile();
    const weights = () => reports.at(-1)!.destinations!.map((d) => `${d.address} ${d.healthy} ${d.weight}`);
    expect(weights()).toEqual(['172.16.40.151 true 1', '172.16.40.152 true 1']);
    health.fail('172.16.40.151');
    await agent.reconcile();
    expect(weights()).toEqual(['172.16.40.151 false 0', '172.16.40.152 true 1']);
  });
});

describe('the state', () => {
  it('is written by the agent alone: the VRIDs the plan source allocated are kept with the rest', async () => {
    const { agent, current, stateDir } = setup(seedPlan);
    current.allocations = { 'default/web': 10 };
    await agent.reconcile();
    expect(readState(stateDir)).toMatchObject({ allocations: { 'default/web': 10 }, appliedGeneration: 1 });
    expect(agent.state.allocations).toEqual({ 'default/web': 10 });
  });
});

describe('the Ready condition', () => {
  it('keeps its lastTransitionTime through a health flap while Ready stays True', async () => {
    const { agent, health, reports, clock } = setup(seedPlan);
    clock.ms = 1000;
    await agent.reconcile();
    const ready = () => reports.at(-1)!.conditions!.find((c) => c.type === 'Ready')!;
    expect(ready()).toMatchObject({ status: 'True', lastTransitionTime: new Date(1000).toISOString() });
    const before = reports.length;
    clock.ms = 5000;
    health.fail('172.16.40.151');
    await agent.reconcile();
    expect(reports.length).toBeGreaterThan(before);
    expect(reports.at(-1)!.destinations!.find((d) => d.address === '172.16.40.151')!.healthy).toBe(false);
    expect(ready()).toMatchObject({ status: 'True', lastTransitionTime: new Date(1000).toISOString() });
  });

  it('moves its lastTransitionTime when Ready changes', async () => {
    const { agent, reports, clock, drivers } = setup(seedPlan);
    await agent.reconcile();
    clock.ms = 7000;
    drivers.loadModule = async () => {
      throw new Error('no ip_vs');
    };
    await agent.reconcile();
    expect(reports.at(-1)!.conditions![0]).toMatchObject({
      status: 'False',
      lastTransitionTime: new Date(7000).toISOString(),
    });
  });
});

describe('VRRP transitions', () => {
  it('reach the status at once, not at the next pass', async () => {
    const { agent, vrrp, reports } = setup(seedPlan);
    vrrp.state = 'BACKUP';
    await agent.reconcile();
    expect(reports.at(-1)!.vrrp![0]!.state).toBe('BACKUP');
    vrrp.state = 'MASTER';
    vrrp.notify();
    expect(reports.at(-1)!.vrrp![0]!.state).toBe('MASTER');
  });
});

describe('passes requested while one is waiting', () => {
  it('collapse into one: resyncs never pile up behind a slow pass', async () => {
    const { agent, current } = setup(seedPlan);
    await agent.reconcile();
    const running = agent.reconcile(); // queued behind nothing: starts at once
    await Promise.resolve();
    await Promise.resolve();
    const waiting = [agent.reconcile(), agent.reconcile(), agent.reconcile()];
    await Promise.all([running, ...waiting]);
    expect(current.reads).toBeLessThanOrEqual(3);
    expect(current.reads).toBeGreaterThanOrEqual(2);
  });
});
