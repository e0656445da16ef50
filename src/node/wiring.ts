// The real drivers behind the agent's interfaces. Everything that touches the system is here
// (or in src/dataplane); the loop in src/agent only sees the interfaces.
import type { AgentDrivers } from './drivers.js';
import type { HealthTracker } from './health.js';
import type { LVSNodeSpec } from '../core/api/objects.js';
import { convergeAddresses } from './dataplane/addresses.js';
import { runCommand } from './dataplane/command.js';
import { interfaceHolding, listLinkAddresses } from './dataplane/keepalived/links.js';
import { KeepalivedSupervisor } from './dataplane/keepalived/supervisor.js';
import { ensureKernelModule } from './dataplane/modules.js';
import { Ipvsadm } from './ipvs/ipvsadm.js';
import { convergeSyncDaemons } from './ipvs/sync-daemons.js';
import { convergeSysctls, DEFAULT_PROC_SYS } from './dataplane/sysctl.js';
import { HealthMonitor, type HealthMonitorOptions } from './health/health-monitor.js';
import { applyHealth } from './health/overlay.js';

/** procSys: where /proc/sys is (in a pod, the host's mounted elsewhere: the container's own is read-only). */
export function createDrivers(nodeName: string, stateDir: string, procSys = DEFAULT_PROC_SYS): AgentDrivers {
  const vrrpListeners: (() => void)[] = [];
  const keepalived = new KeepalivedSupervisor({
    nodeName,
    stateDir,
    run: runCommand,
    onStateChange: () => vrrpListeners.forEach((listener) => listener()),
  });
  const ipvs = new Ipvsadm(runCommand);
  return {
    loadModule: (name) => ensureKernelModule(runCommand, name),
    sysctls: (desired, originals) => convergeSysctls(desired, originals, procSys),
    addresses: (desired, tunnels, owned) => convergeAddresses(runCommand, desired, tunnels, owned),
    ipvs,
    syncDaemons: (wanted) => convergeSyncDaemons(ipvs, wanted),
    vrrp: {
      ensure: (spec) => keepalived.ensure(spec),
      states: () => keepalived.states(),
      stop: (options) => keepalived.stop(options),
      onChange: (listener) => void vrrpListeners.push(listener),
      interfaceFor: async (spec: LVSNodeSpec, vrid: number) => {
        const instance = spec.vrrp?.instances?.find((i) => i.virtualRouterID === vrid);
        if (instance?.interface) return instance.interface;
        if (!instance?.sourceAddress) return undefined;
        return interfaceHolding(await listLinkAddresses(runCommand), instance.sourceAddress);
      },
    },
  };
}

/** Health checks with keepalived's semantics, and the table they imply (quorum state kept here).
 * options: onCheck sees every verdict (metrics); clock and checker are for tests. */
export function createHealthTracker(options: HealthMonitorOptions = {}): HealthTracker {
  const monitor = new HealthMonitor(options);
  let quorumState = new Map<string, boolean>();
  return {
    update: (services) => monitor.update(services),
    table: (services) => {
      const result = applyHealth(services, monitor.health(), quorumState);
      quorumState = result.quorumState;
      return result.table;
    },
    snapshot: () => monitor.snapshot(),
    onChange: (listener) => void monitor.onChange(() => listener()),
    stop: () => monitor.stop(),
  };
}
