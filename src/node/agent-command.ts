// `lvs-operator agent --node NAME`: the node agent in the cluster. It watches its own LVSNode
// (a field selector on the name: it reads no other), applies it with the loop local mode runs, and
// writes what it applied and sees into the LVSNode's status. The data plane, VRRP and the health
// checks do not depend on the API server: while it is unreachable the last plan stays applied.
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { NodeAgent } from './agent.js';
import { writeStatusFile } from './status-file.js';
import { runUntilSignalled } from './lifecycle.js';
import { readState } from './state.js';
import type { LVSNode } from '../core/api/objects.js';
import { UsageError } from '../io/flags.js';
import { noArguments, periodSeconds, wholeSeconds } from '../io/flags.js';
import { KubeClient } from '../kube/client.js';
import { Informer } from '../kube/informer.js';
import { LVS_NODES } from '../kube/resources.js';
import { createDrivers } from './compose.js';
import { createHealthTracker } from './health/tracker.js';
import { jsonLog as log } from '../io/log.js';
import { ClusterPlanSource } from './sources/lvsnode.js';
import { StatusWriter } from './sources/lvsnode-status.js';
import { AGENT_METRICS_ADDRESS, parseMetricsAddress, type ListenAddress } from '../io/metrics-address.js';
import { AgentMetrics, serveAgentMetrics } from './metrics.js';
import { createRegistry } from '../io/metrics-server.js';

const OPTIONS = {
  node: { type: 'string' },
  kubeconfig: { type: 'string' },
  'state-dir': { type: 'string', default: '/var/lib/lvs-operator' },
  'proc-sys': { type: 'string', default: '/proc/sys' },
  'status-file': { type: 'string' },
  'resync-seconds': { type: 'string', default: '10' },
  'drain-timeout-seconds': { type: 'string', default: '300' },
  'metrics-address': { type: 'string', default: AGENT_METRICS_ADDRESS },
} as const;

export interface ClusterAgentOptions {
  node: string;
  kubeconfig?: string;
  stateDir: string;
  /** Where the host's /proc/sys is mounted (the chart mounts it at /host/proc/sys). */
  procSys: string;
  /** Also write the status here (and on stdout), as local mode does. */
  statusFile?: string;
  resyncSeconds: number;
  drainTimeoutSeconds: number;
  /** Where /metrics is served; undefined: off. */
  metricsAddress?: ListenAddress;
}

export function parseAgentArgs(argv: string[]): ClusterAgentOptions {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  noArguments('agent', positionals);
  // In a DaemonSet the node's name comes from the downward API (spec.nodeName into NODE_NAME).
  const node = values.node ?? process.env.NODE_NAME;
  if (!node) throw new UsageError('agent needs --node NAME (or NODE_NAME in the environment)');
  return {
    node,
    kubeconfig: values.kubeconfig,
    stateDir: values['state-dir'],
    procSys: values['proc-sys'],
    statusFile: values['status-file'],
    resyncSeconds: periodSeconds(values['resync-seconds'], '--resync-seconds'),
    drainTimeoutSeconds: wholeSeconds(values['drain-timeout-seconds'], '--drain-timeout-seconds'),
    metricsAddress: parseMetricsAddress(values['metrics-address']),
  };
}

export async function runClusterAgent(options: ClusterAgentOptions): Promise<number> {
  mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
  const client = KubeClient.fromKubeconfig(options.kubeconfig);
  const state = readState(options.stateDir);
  const source = new ClusterPlanSource(options.stateDir);
  const status = new StatusWriter(client, options.node, log);
  const informer = new Informer<LVSNode>(client, LVS_NODES, {
    fieldSelector: `metadata.name=${options.node}`,
    log,
  });
  const drivers = createDrivers(options.node, options.stateDir, options.procSys);
  const metrics = options.metricsAddress && new AgentMetrics(createRegistry(), { log });
  const health = createHealthTracker({ onCheck: metrics?.observeCheck });
  const agent = new NodeAgent({
    nodeName: options.node,
    stateDir: options.stateDir,
    plan: source,
    drivers,
    health,
    state,
    report: (s) => {
      status.write(s);
      if (options.statusFile) writeStatusFile(options.statusFile, s);
    },
    log,
    drainTimeoutMs: options.drainTimeoutSeconds * 1000,
    onPass: metrics?.observePass,
  });
  log('agent starting', { node: options.node, server: client.server.origin });
  const stopMetrics =
    metrics && serveAgentMetrics(metrics, options.metricsAddress!, { state: agent.state, drivers, health }, log);
  const code = await runUntilSignalled(agent, {
    resyncSeconds: options.resyncSeconds,
    log,
    watch: (changed) => {
      informer.onChange(() => {
        source.update(informer.get(options.node));
        changed();
      });
      informer.start();
      return () => informer.stop();
    },
  });
  status.stop();
  await stopMetrics?.();
  return code;
}
