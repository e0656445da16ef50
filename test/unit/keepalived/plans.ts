// Plans for the keepalived.conf renderer's tests, which the keepalived config test (integration)
// shares: one instance with defaults to override, and a spec with every form of tracked
// interfaces, VIP options and sync groups.
import type { LVSNodeSpec, VrrpInstancePlan } from '../../../src/core/api/objects.js';

/** One instance (VI_7, MASTER, VRRPv3 at 0.1 s on eth0, VIP 192.0.2.100) with `overrides`. */
export function instance(overrides: Partial<VrrpInstancePlan> = {}): VrrpInstancePlan {
  return {
    name: 'VI_7',
    owners: ['default/v'],
    virtualRouterID: 7,
    version: 3,
    interface: 'eth0',
    virtualAddresses: ['192.0.2.100'],
    priority: 100,
    initialState: 'MASTER',
    advertInterval: 0.1,
    preempt: true,
    preemptDelay: 0,
    ...overrides,
  };
}
/** Every form in one node's config: the golden file a reviewer reads. */
export const featuresSpec: LVSNodeSpec = {
  vrrp: {
    syncGroups: [{ name: 'default_web', instances: ['VI_7', 'VI_8'] }],
    instances: [
      instance({
        trackInterfaces: [{ name: 'ens192', weight: -20 }],
        virtualAddressOptions: { interface: 'ens192', label: 'ens192:vip', scope: 'global', prefixLength: 24 },
      }),
      instance({
        name: 'VI_8',
        virtualRouterID: 8,
        virtualAddresses: ['198.51.100.10'],
        trackInterfaces: [{ name: 'ens192', weight: 0 }],
        virtualAddressOptions: { prefixLength: 24, broadcast: '+', scope: 'link', label: 'eth0:8' },
      }),
      instance({
        name: 'VI_9',
        virtualRouterID: 9,
        virtualAddresses: ['2001:db8::9'],
        virtualAddressOptions: { interface: 'ens192', prefixLength: 64 },
      }),
    ],
  },
};
