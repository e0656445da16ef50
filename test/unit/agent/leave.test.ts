// An agent leaving its node for good (the node unlabelled): what it leaves behind, in what order.
import { describe, expect, it } from 'vitest';
import { isEmptyPlan } from '../../../src/node/agent.js';
import type { LVSNodeSpec } from '../../../src/core/api/objects.js';
import { parseNodeLabels, stillMember } from '../../../src/node/sources/node-membership.js';
import { foreignService, seedPlan, setup, table } from './agent-harness.js';

/** Records each VRRP ensure with the number of IPVS services the kernel holds at that moment. */
function recordVrrp(s: ReturnType<typeof setup>) {
  s.drivers.vrrp.ensure = async (spec) => {
    s.calls.push(`vrrp ${spec.vrrp?.instances?.length ?? 0} with ${s.kernel.table.services.length} ipvs services`);
    return { action: 'none' };
  };
}

describe('a director whose plan is emptied', () => {
  it('hands its VIP over before its IPVS services go, and leaves the service it does not own', async () => {
    const s = setup(seedPlan);
    recordVrrp(s);
    await s.agent.reconcile();
    s.calls.length = 0;
    s.current.spec = {};
    await s.agent.reconcile();
    // with 2 services (ours and the foreign one) still there when VRRP releases
    expect(s.calls.filter((c) => c.startsWith('vrrp'))).toEqual(['vrrp 0 with 2 ipvs services']);
    expect(table(s.kernel)).toBe(foreignService);
  });

  it('still starts VRRP after its IPVS services when it has instances', async () => {
    const s = setup({});
    recordVrrp(s);
    s.current.spec = seedPlan;
    await s.agent.reconcile();
    expect(s.calls.filter((c) => c.startsWith('vrrp'))).toEqual(['vrrp 1 with 2 ipvs services']);
  });
});

describe('leave', () => {
  const realServer: LVSNodeSpec = {
    addresses: [{ interface: 'lo', address: '172.16.40.160/32' }],
    sysctls: [{ name: 'net.ipv4.conf.lo.arp_ignore', value: '1' }],
  };

  it('waits for the emptied plan, then clears the node at once, keeping nothing for the drain', async () => {
    const s = setup(realServer);
    await s.agent.reconcile();
    setTimeout(() => (s.current.spec = {}), 50);
    expect(await s.agent.leave(5_000, 10)).toBe(true);
    // the VIP on lo and its sysctl go in the same pass, not after the 300 s drain timeout
    expect(s.calls.slice(-2)).toEqual(['addresses 0', 'sysctls 0']);
  });

  it('touches nothing when the node is still planned for after the wait', async () => {
    const s = setup(realServer);
    await s.agent.reconcile();
    const before = s.calls.length;
    expect(await s.agent.leave(60, 10)).toBe(false);
    expect(s.calls.length).toBe(before);
  });

  it('clears a director: its IPVS services go, the foreign one stays', async () => {
    const s = setup(seedPlan);
    await s.agent.reconcile();
    s.current.spec = {};
    expect(await s.agent.leave(1_000, 10)).toBe(true);
    expect(table(s.kernel)).toBe(foreignService);
  });
});

describe('isEmptyPlan', () => {
  it('is true only for a plan that asks nothing of the node', () => {
    expect(isEmptyPlan({})).toBe(true);
    expect(isEmptyPlan({ ipvs: { services: [] }, vrrp: { instances: [] }, addresses: [] })).toBe(true);
    expect(isEmptyPlan(undefined)).toBe(false);
    expect(isEmptyPlan(seedPlan)).toBe(false);
    expect(isEmptyPlan({ sysctls: [{ name: 'net.ipv4.vs.conntrack', value: '1' }] })).toBe(false);
    expect(isEmptyPlan({ connectionSync: { syncID: 10 } } as LVSNodeSpec)).toBe(false);
  });
});

describe('node membership', () => {
  const keys = ['lvs-operator.io/director', 'lvs-operator.io/real-server'];

  it('is any of the labels with the value "true", as the DaemonSet affinity terms are ORed', () => {
    expect(stillMember({ 'lvs-operator.io/real-server': 'true' }, keys)).toBe(true);
    expect(stillMember({ 'lvs-operator.io/director': 'false' }, keys)).toBe(false);
    expect(stillMember({}, keys)).toBe(false);
    expect(stillMember(undefined, keys)).toBe(false);
  });

  it('takes label keys as Kubernetes does and names the one it refuses', () => {
    expect(parseNodeLabels('lvs-operator.io/director,lvs-operator.io/real-server')).toEqual(keys);
    expect(parseNodeLabels('edge')).toEqual(['edge']);
    expect(() => parseNodeLabels('lvs-operator.io/director,bad key')).toThrow(/"bad key" is not a label key/);
    expect(() => parseNodeLabels('')).toThrow(/"" is not a label key/);
    expect(() => parseNodeLabels('a/b/c')).toThrow(/"a\/b\/c"/);
  });
});
