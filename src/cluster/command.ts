// `lvs-operator controller`: the reconcile loop of the cluster. With --leader-elect (the default)
// only the replica holding the Lease reconciles; the others wait to take over. Losing the Lease
// ends the process (its restart starts clean, as controller-runtime does); SIGTERM releases the
// Lease first so the other replica takes over at once.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { noArguments, periodSeconds } from '../io/flags.js';
import { KubeClient } from '../kube/client.js';
import { LeaderElector } from './lease.js';
import { jsonLog as log } from '../io/log.js';
import { Controller } from './controller.js';
import { CONTROLLER_METRICS_ADDRESS, parseMetricsAddress, type ListenAddress } from '../io/metrics-address.js';
import { ControllerMetrics } from './metrics.js';
import { createRegistry, serveMetrics } from '../io/metrics-server.js';
import { prepareValidation } from '../core/api/validate/index.js';

const OPTIONS = {
  kubeconfig: { type: 'string' },
  'no-leader-elect': { type: 'boolean', default: false },
  'lease-namespace': { type: 'string' },
  'lease-name': { type: 'string', default: 'lvs-operator-controller' },
  'resync-seconds': { type: 'string', default: '30' },
  'watch-quiet-seconds': { type: 'string', default: '150' },
  'metrics-address': { type: 'string', default: CONTROLLER_METRICS_ADDRESS },
} as const;

export interface ControllerCommandOptions {
  kubeconfig?: string;
  leaderElect: boolean;
  leaseNamespace: string;
  leaseName: string;
  resyncSeconds: number;
  /** A watch silent this long is taken for dead and the resource listed again (kube/watch.ts). */
  watchQuietSeconds: number;
  /** Where /metrics is served; undefined: off. */
  metricsAddress?: ListenAddress;
}

export function parseControllerArgs(argv: string[]): ControllerCommandOptions {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  noArguments('controller', positionals);
  return {
    watchQuietSeconds: periodSeconds(values['watch-quiet-seconds'], '--watch-quiet-seconds'),
    kubeconfig: values.kubeconfig,
    leaderElect: !values['no-leader-elect'],
    // In the cluster, the pod's namespace (downward API into POD_NAMESPACE).
    leaseNamespace: values['lease-namespace'] ?? process.env.POD_NAMESPACE ?? 'lvs-operator-system',
    leaseName: values['lease-name'],
    resyncSeconds: periodSeconds(values['resync-seconds'], '--resync-seconds'),
    metricsAddress: parseMetricsAddress(values['metrics-address']),
  };
}

export async function runController(options: ControllerCommandOptions): Promise<number> {
  const client = await KubeClient.load(options.kubeconfig);
  const metrics = options.metricsAddress && new ControllerMetrics(createRegistry());
  const controller = new Controller({
    client,
    log,
    resyncMs: options.resyncSeconds * 1000,
    quietMs: options.watchQuietSeconds * 1000,
    onReconcile: metrics?.observeReconcile,
  });
  metrics?.watchWrites(() => controller.writes);
  // before /healthz answers, so inside the startup probe's allowance and not in the first reconcile
  const compileStart = Date.now();
  prepareValidation();
  log('validators compiled', { ms: Date.now() - compileStart });
  const stopMetrics = metrics && serveMetrics(metrics.registry, options.metricsAddress!, log);
  const identity = `${process.env.POD_NAME ?? hostname()}_${randomUUID().slice(0, 8)}`;
  log('controller starting', { server: client.server.origin, identity, leaderElect: options.leaderElect });
  const done = new Promise<number>((resolve) => {
    for (const s of ['SIGTERM', 'SIGINT'] as const) process.once(s, () => resolve(0));
  });
  let elector: LeaderElector | undefined;
  const lost = new Promise<number>((resolve) => {
    const start = () => {
      metrics?.setLeader(true);
      void controller.start().catch((error: unknown) => {
        log('controller failed to start', { error: String(error) });
        resolve(1);
      });
    };
    if (!options.leaderElect) return start();
    elector = new LeaderElector({
      client,
      namespace: options.leaseNamespace,
      name: options.leaseName,
      identity,
      log,
    });
    elector.run({
      onStart: start,
      onStop: () => {
        metrics?.setLeader(false);
        resolve(1);
      },
    });
  });
  const code = await Promise.race([done, lost]);
  await controller.stop();
  await elector?.release().catch((error: unknown) => log('lease not released', { error: String(error) }));
  metrics?.setLeader(false);
  await stopMetrics?.();
  log('controller stopped', { code });
  return code;
}
