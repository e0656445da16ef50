// `lvs-operator local --manifests DIR --node NAME --state-dir DIR`: the node agent fed from files,
// the same loop the in-cluster agent runs from its LVSNode. Runs until a signal:
//   SIGTERM, SIGINT  graceful stop: keepalived hands the VIP over (priority 0) and exits;
//   SIGUSR2          exit for a restart: keepalived and the data plane stay as they are, and
//                    the next agent adopts them without moving the VIP or touching the table.
// A crash (SIGKILL) leaves everything running too: the backup takes over only if keepalived dies.
import { mkdirSync, watch, writeFileSync, renameSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { LVSNodeStatus } from '../api/objects.js';
import { NodeAgent } from '../agent/agent.js';
import { readState } from '../agent/state.js';
import { UsageError } from '../cli/io.js';
import { createDrivers, createHealthTracker } from './wiring.js';
import { ManifestPlanSource } from './plan-source.js';

/** How long a stop may wait for the pass in progress and keepalived's exit. */
const STOP_TIMEOUT_MS = 15_000;

const OPTIONS = {
  manifests: { type: 'string' },
  node: { type: 'string' },
  'state-dir': { type: 'string' },
  'status-file': { type: 'string' },
  'resync-seconds': { type: 'string', default: '10' },
  'drain-timeout-seconds': { type: 'string', default: '300' },
} as const;

export interface LocalOptions {
  manifests: string;
  node: string;
  stateDir: string;
  statusFile: string;
  resyncSeconds: number;
  drainTimeoutSeconds: number;
}

export function parseLocalArgs(argv: string[]): LocalOptions {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (positionals.length) throw new UsageError(`local takes no arguments (got ${positionals.join(' ')})`);
  const need = (v: string | undefined, flag: string) => {
    if (!v) throw new UsageError(`local needs ${flag}`);
    return v;
  };
  const resyncSeconds = Number(values['resync-seconds']);
  if (!Number.isFinite(resyncSeconds) || resyncSeconds < 1) {
    throw new UsageError(`--resync-seconds must be a number >= 1 (got ${values['resync-seconds']})`);
  }
  const drainTimeoutSeconds = Number(values['drain-timeout-seconds']);
  if (!Number.isInteger(drainTimeoutSeconds) || drainTimeoutSeconds < 0) {
    throw new UsageError(
      `--drain-timeout-seconds must be a whole number >= 0 (got ${values['drain-timeout-seconds']})`,
    );
  }
  const stateDir = need(values['state-dir'], '--state-dir DIR');
  return {
    manifests: need(values.manifests, '--manifests DIR'),
    node: need(values.node, '--node NAME'),
    stateDir,
    statusFile: values['status-file'] ?? `${stateDir}/status.json`,
    resyncSeconds,
    drainTimeoutSeconds,
  };
}

/** JSON lines on stderr: a constant message and fields, never data in the message. */
function log(event: string, fields: Record<string, unknown>): void {
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), msg: event, ...fields }) + '\n');
}

function writeStatus(file: string, status: LVSNodeStatus): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(status, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
  process.stdout.write(JSON.stringify(status) + '\n');
}

export async function runLocal(options: LocalOptions): Promise<number> {
  mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
  const state = readState(options.stateDir);
  const source = new ManifestPlanSource(options.manifests, options.node, new Map(Object.entries(state.allocations)));
  const agent = new NodeAgent({
    nodeName: options.node,
    stateDir: options.stateDir,
    plan: {
      read: () => {
        const planned = source.read();
        state.allocations = Object.fromEntries(source.allocations);
        return planned;
      },
    },
    drivers: createDrivers(options.node, options.stateDir),
    health: createHealthTracker(),
    state,
    report: (status) => writeStatus(options.statusFile, status),
    log,
    drainTimeoutMs: options.drainTimeoutSeconds * 1000,
  });
  log('agent starting', { node: options.node, manifests: options.manifests });
  // Signals and the watch come before the first pass: a stop or a change during it (a first pass
  // at 10,000 destinations takes seconds) must be neither fatal nor lost until the next resync.
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    for (const s of ['SIGTERM', 'SIGINT', 'SIGUSR2'] as const) process.once(s, () => resolve(s));
  });
  // A change in the directory re-plans soon, against the IPVS table as last known (the resync
  // reads it); bursts of events (an editor's save) collapse into one pass.
  let pending: NodeJS.Timeout | undefined;
  const watcher = watch(options.manifests, () => {
    clearTimeout(pending);
    pending = setTimeout(() => void agent.reconcile({ observe: false }), 100);
  });
  const resync = setInterval(() => void agent.reconcile(), options.resyncSeconds * 1000);
  void agent.reconcile();

  const signal = await signalled;
  watcher.close();
  clearInterval(resync);
  clearTimeout(pending);
  const release = signal !== 'SIGUSR2';
  log('agent stopping', { signal, releaseVip: release });
  // A pass in progress is let finish, but a stop must not hang on a stuck tool: after the bound
  // the agent exits anyway (for SIGUSR2 there is nothing left to do; keepalived runs on).
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS)));
  if (await Promise.race([agent.stop(release).then(() => false), timedOut])) {
    log('agent stop timed out', { afterMs: STOP_TIMEOUT_MS });
    return 1;
  }
  clearTimeout(timer);
  return 0;
}
