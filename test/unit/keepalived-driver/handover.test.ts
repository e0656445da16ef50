import { describe, expect, it } from 'vitest';
import type { LVSNodeSpec, VrrpInstancePlan } from '../../../src/core/api/objects.js';
import type { VrrpState } from '../../../src/core/api/vrrp.js';
import { handoverPlan } from '../../../src/node/dataplane/keepalived/handover.js';

const instance = (name: string, overrides: Partial<VrrpInstancePlan> = {}): VrrpInstancePlan => ({
  name,
  owners: ['default/web'],
  virtualRouterID: 10,
  version: 3,
  interface: 'eth0',
  virtualAddresses: ['192.0.2.100'],
  priority: 150,
  initialState: 'MASTER',
  advertInterval: 0.1,
  preempt: true,
  preemptDelay: 0,
  ...overrides,
});
const spec = (...instances: VrrpInstancePlan[]): LVSNodeSpec => ({
  vrrp: { instances, syncGroups: [{ name: 'default_g', instances: instances.map((i) => i.name) }] },
  sysctls: [{ name: 'net.ipv4.ip_forward', value: '1' }],
});
const states =
  (map: Record<string, VrrpState>) =>
  (name: string): VrrpState | undefined =>
    map[name];

describe('handoverPlan', () => {
  it('demotes the MASTER instances to priority 1 and leaves the rest of the spec as it is', () => {
    const plan = handoverPlan(
      spec(instance('VI_10'), instance('VI_11', { priority: 90 })),
      states({ VI_10: 'MASTER', VI_11: 'BACKUP' }),
    )!;
    expect(plan.instances).toEqual(['VI_10']);
    expect(plan.spec.vrrp!.instances!.map((i) => [i.name, i.priority])).toEqual([
      ['VI_10', 1],
      ['VI_11', 90],
    ]);
    expect(plan.spec.vrrp!.syncGroups).toEqual([{ name: 'default_g', instances: ['VI_10', 'VI_11'] }]);
    expect(plan.spec.sysctls).toEqual([{ name: 'net.ipv4.ip_forward', value: '1' }]);
  });

  it('has nothing to hand over when no instance is MASTER here', () => {
    for (const state of ['BACKUP', 'FAULT', 'STOP', 'UNKNOWN'] as const)
      expect(handoverPlan(spec(instance('VI_10')), states({ VI_10: state }))).toBeUndefined();
    expect(handoverPlan({}, states({}))).toBeUndefined();
  });

  it('does not demote where no backup would preempt (nopreempt) or only after a delay', () => {
    const s = spec(instance('VI_10', { preempt: false }), instance('VI_11', { preemptDelay: 30 }), instance('VI_12'));
    const plan = handoverPlan(s, states({ VI_10: 'MASTER', VI_11: 'MASTER', VI_12: 'MASTER' }))!;
    expect(plan.instances).toEqual(['VI_12']);
    expect(handoverPlan(spec(instance('VI_10', { preempt: false })), states({ VI_10: 'MASTER' }))).toBeUndefined();
  });

  it("waits 4 of the slowest demoted instance's adverts plus 1.5 s, from 2 s to 10 s", () => {
    const master = states({ VI_10: 'MASTER', VI_11: 'MASTER' });
    expect(handoverPlan(spec(instance('VI_10')), master)!.timeoutMs).toBe(2_000);
    expect(handoverPlan(spec(instance('VI_10'), instance('VI_11', { advertInterval: 1 })), master)!.timeoutMs).toBe(
      5_500,
    );
    expect(handoverPlan(spec(instance('VI_10', { advertInterval: 3, version: 2 })), master)!.timeoutMs).toBe(10_000);
  });
});
