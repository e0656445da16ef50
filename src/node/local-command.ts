// `lvs-operator local --manifests DIR --node NAME --state-dir DIR`: the node agent fed from files,
// the same loop the in-cluster agent runs from its LVSNode, until a signal (agent/lifecycle.ts).
import { mkdirSync, watch } from 'node:fs';
import { parseArgs } from 'node:util';
import { NodeAgent } from './agent.js';
import { writeStatusFile } from './status-file.js';
import { runUntilSignalled } from './lifecycle.js';
import { jsonLog } from '../io/log.js';
import { readState } from './state.js';
import { UsageError } from '../io/flags.js';
import { noArguments, periodSeconds, wholeSeconds } from '../io/flags.js';
import { createDrivers } from './compose.js';
import { createHealthTracker } from './health/tracker.js';
import { ManifestPlanSource } from './sources/manifests.js';
import { AGENT_METRICS_ADDRESS, parseMetricsAddress, type ListenAddress } from '../io/metrics-address.js';
import { AgentMetrics, serveAgentMetrics } from './metrics.js';
import { createRegistry } from '../io/metrics-server.js';

const OPTIONS = {
  manifests: { type: 'string' },
  node: { type: 'string' },
  'state-dir': { type: 'string' },
  'status-file': { type: 'string' },
  'resync-seconds': { type: 'string', default: '10' },
  'drain-timeout-seconds': { type: 'string', default: '300' },
  'metrics-address': { type: 'string', default: AGENT_METRICS_ADDRESS },
} as const;

export interface LocalOptions {
  manifests: string;
  node: string;
  stateDir: string;
  statusFile: string;
  resyncSeconds: number;
  drainTimeoutSeconds: number;
  /** Where /metrics is served; undefined: off. */
  metricsAddress?: ListenAddress;
}

export function parseLocalArgs(argv: string[]): LocalOptions {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  noArguments('local', positionals);
  const need = (v: string | undefined, flag: string) => {
    if (!v) throw new UsageError(`local needs ${flag}`);
    return v;
  };
  const stateDir = need(values['state-dir'], '--state-dir DIR');
  return {
    manifests: need(values.manifests, '--manifests DIR'),
    node: need(values.node, '--node NAME'),
    stateDir,
    statusFile: values['status-file'] ?? `${stateDir}/status.json`,
    resyncSeconds: periodSeconds(values['resync-seconds'], '--resync-seconds'),
    drainTimeoutSeconds: wholeSeconds(values['drain-timeout-seconds'], '--drain-timeout-seconds'),
    metricsAddress: parseMetricsAddress(values['metrics-address']),
  };
}

const log = jsonLog;

export async function runLocal(options: LocalOptions): Promise<number> {
  mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
  const state = readState(options.stateDir);
  const source = new ManifestPlanSource(options.manifests, options.node, new Map(Object.entries(state.allocations)));
  const drivers = createDrivers(options.node, options.stateDir);
  const metrics = options.metricsAddress && new AgentMetrics(createRegistry(), { log });
  const health = createHealthTracker({ onCheck: metrics?.observeCheck });
  const agent = new NodeAgent({
    nodeName: options.node,
    stateDir: options.stateDir,
    plan: source,
    drivers,
    health,
    state,
    report: (status) => writeStatusFile(options.statusFile, status),
    log,
    drainTimeoutMs: options.drainTimeoutSeconds * 1000,
    onPass: metrics?.observePass,
  });
  log('agent starting', { node: options.node, manifests: options.manifests });
  const stopMetrics =
    metrics && serveAgentMetrics(metrics, options.metricsAddress!, { state: agent.state, drivers, health }, log);
  const code = await runUntilSignalled(agent, {
    resyncSeconds: options.resyncSeconds,
    log,
    watch: (changed) => {
      const watcher = watch(options.manifests, changed);
      return () => watcher.close();
    },
  });
  await stopMetrics?.();
  return code;
}
