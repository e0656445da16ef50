// The real drivers behind the agent's interfaces. Everything that touches the system is here
// (or in src/dataplane); the loop in src/agent only sees the interfaces.
import type { AgentDrivers } from './drivers.js';
import { convergeAddresses } from './dataplane/addresses.js';
import { runCommand } from './dataplane/command.js';
import { IpvsDriver } from './dataplane/ipvs.js';
import { KeepalivedSupervisor } from './dataplane/keepalived/supervisor.js';
import { ensureKernelModule } from './dataplane/modules.js';
import { convergeSyncDaemons } from './dataplane/sync-daemon.js';
import { convergeSysctls, DEFAULT_PROC_SYS } from './dataplane/sysctl.js';

/** procSys: where /proc/sys is (in a pod, the host's mounted elsewhere: the container's own is read-only). */
export function createDrivers(nodeName: string, stateDir: string, procSys = DEFAULT_PROC_SYS): AgentDrivers {
  const vrrpListeners: (() => void)[] = [];
  const keepalived = new KeepalivedSupervisor({
    nodeName,
    stateDir,
    run: runCommand,
    onStateChange: () => vrrpListeners.forEach((listener) => listener()),
  });
  return {
    loadModule: (name) => ensureKernelModule(runCommand, name),
    sysctls: (desired, originals) => convergeSysctls(desired, originals, procSys),
    addresses: (desired, tunnels, owned) => convergeAddresses(runCommand, desired, tunnels, owned),
    ipvs: new IpvsDriver(runCommand),
    syncDaemons: (wanted) => convergeSyncDaemons(wanted, runCommand),
    vrrp: {
      ensure: (spec) => keepalived.ensure(spec),
      states: () => keepalived.states(),
      stop: (options) => keepalived.stop(options),
      onChange: (listener) => void vrrpListeners.push(listener),
      interfaceFor: (spec, vrid) => keepalived.interfaceFor(spec, vrid),
    },
  };
}
