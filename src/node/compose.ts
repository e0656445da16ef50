// The node agent's composition root: the one place that builds a NodeAgent with its real drivers,
// health checks and metrics, and runs it until a signal (lifecycle.ts). `lvs-operator local` and
// `lvs-operator agent` both run it; they differ only in their plan source (the manifests
// directory, or the node's LVSNode) and where the status goes (a file, or the LVSNode's status),
// which each hands in as a PlanSource. Everything that touches the system is built here (or in
// dataplane/); the loop in agent.ts only sees the interfaces of drivers.ts and health.ts.
import { mkdirSync } from 'node:fs';
import type { LVSNodeStatus } from '../core/api/objects.js';
import { jsonLog as log } from '../io/log.js';
import { createRegistry } from '../io/metrics-server.js';
import { NodeAgent, type PlanReader } from './agent.js';
import type { AgentDrivers } from './drivers.js';
import type { IpvsBackend, NodeAgentOptions } from './flags.js';
import { convergeAddresses } from './dataplane/addresses.js';
import { runCommand } from './dataplane/command.js';
import { KeepalivedSupervisor, type KeepalivedStarter } from './dataplane/keepalived/supervisor.js';
import { ensureKernelModule } from './dataplane/modules.js';
import type { IpvsInterface } from './ipvs/interface.js';
import { Ipvsadm } from './ipvs/ipvsadm.js';
import { NetlinkIpvs } from './ipvs/netlink.js';
import { convergeSyncDaemons } from './ipvs/sync-daemons.js';
import { convergeSysctls, DEFAULT_PROC_SYS } from './dataplane/sysctl.js';
import { createHealthTracker } from './health/tracker.js';
import { runUntilSignalled } from './lifecycle.js';
import { AgentMetrics, serveAgentMetrics } from './metrics.js';
import { readState, type AgentState } from './state.js';

/** Where a command's agent gets its plan and puts its status. */
export interface PlanSource {
  plan: PlanReader;
  /** Called with the status document whenever it changes. */
  report(status: LVSNodeStatus): void;
  /** Starts watching the plan's origin; calls changed() on every change; returns the stop function. */
  watch(changed: () => void): () => void | Promise<void>;
  /** Fields of the 'agent starting' log line that say where the plan comes from. */
  origin: Record<string, unknown>;
  /** On SIGTERM: whether the agent leaves its node for good (lifecycle.ts). Absent: never (local mode). */
  leaving?: () => Promise<boolean>;
  /** Waits, bounded, for the reports made so far to land. */
  settled?: () => Promise<void>;
  /** Called once the agent has stopped. */
  stop?(): void;
}

/**
 * Runs the node agent until a signal; resolves with the exit code. source is made from the state
 * the agent starts with (local mode's VRIDs come from it), before the agent takes the state over.
 */
export async function runNodeAgent(
  options: NodeAgentOptions,
  makeSource: (state: Readonly<AgentState>) => PlanSource,
): Promise<number> {
  mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
  const state = readState(options.stateDir);
  const source = makeSource(state);
  const drivers = createDrivers(options.node, options.stateDir, options.procSys, options.ipvs, options.keepalived);
  const metrics = options.metricsAddress && new AgentMetrics(createRegistry(), { log });
  const health = createHealthTracker({ onCheck: metrics?.observeCheck });
  const agent = new NodeAgent({
    nodeName: options.node,
    stateDir: options.stateDir,
    plan: source.plan,
    drivers,
    health,
    state,
    report: (status) => source.report(status),
    log,
    drainTimeoutMs: options.drainTimeoutSeconds * 1000,
    onPass: metrics?.observePass,
  });
  log('agent starting', { node: options.node, ...source.origin });
  const stopMetrics =
    metrics && serveAgentMetrics(metrics, options.metricsAddress!, { state: agent.state, drivers, health }, log);
  const code = await runUntilSignalled(agent, {
    resyncSeconds: options.resyncSeconds,
    log,
    watch: source.watch,
    leaving: source.leaving,
    settled: source.settled,
  });
  source.stop?.();
  await stopMetrics?.();
  return code;
}

/**
 * procSys: where /proc/sys is (in a pod, the host's mounted elsewhere: the container's own is
 * read-only). ipvs: generic netlink by default; ipvsadm stays for a kernel or a setup where the
 * netlink path misbehaves. keepalivedStarter: 'container' in a pod with a keepalived container.
 */
export function createDrivers(
  nodeName: string,
  stateDir: string,
  procSys = DEFAULT_PROC_SYS,
  ipvsBackend: IpvsBackend = 'netlink',
  keepalivedStarter: KeepalivedStarter = 'agent',
): AgentDrivers {
  const vrrpListeners: (() => void)[] = [];
  const keepalived = new KeepalivedSupervisor({
    nodeName,
    stateDir,
    run: runCommand,
    startedBy: keepalivedStarter,
    onStateChange: () => vrrpListeners.forEach((listener) => listener()),
    onHandover: (result) =>
      log(
        result.yielded
          ? 'vrrp handed over before the stop'
          : result.error
            ? 'vrrp handover not done: stopping with priority 0'
            : 'vrrp handover: no backup took over in time',
        { ...result },
      ),
  });
  const ipvs: IpvsInterface = ipvsBackend === 'ipvsadm' ? new Ipvsadm(runCommand) : new NetlinkIpvs();
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
      interfaceFor: (spec, vrid) => keepalived.interfaceFor(spec, vrid),
    },
  };
}
