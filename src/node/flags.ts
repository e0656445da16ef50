// The node agent's flags: one table for `lvs-operator local` and `lvs-operator agent`, with the
// same defaults, since both run the same agent (compose.ts). Each command adds only the flag of
// its plan source (--manifests DIR, --kubeconfig FILE).
import { parseArgs } from 'node:util';
import { AGENT_METRICS_ADDRESS, parseMetricsAddress, type ListenAddress } from '../io/metrics-address.js';
import type { KeepalivedStarter } from './dataplane/keepalived/supervisor.js';
import { noArguments, periodSeconds, required, UsageError, wholeSeconds } from '../io/flags.js';

export const DEFAULT_STATE_DIR = '/var/lib/lvs-operator';

const FLAGS = {
  node: { type: 'string' },
  'state-dir': { type: 'string', default: DEFAULT_STATE_DIR },
  // No default here: the drivers' own (/proc/sys) applies when it is not given.
  'proc-sys': { type: 'string' },
  'status-file': { type: 'string' },
  'resync-seconds': { type: 'string', default: '10' },
  'drain-timeout-seconds': { type: 'string', default: '300' },
  'metrics-address': { type: 'string', default: AGENT_METRICS_ADDRESS },
  ipvs: { type: 'string', default: 'netlink' },
  keepalived: { type: 'string', default: 'agent' },
} as const;

/** How the agent reaches IPVS: generic netlink (ipvs/netlink.ts), or the ipvsadm tool (ipvs/ipvsadm.ts) kept as a fallback. */
export type IpvsBackend = 'netlink' | 'ipvsadm';

export interface NodeAgentOptions {
  /** The node's name: --node, else $NODE_NAME (a DaemonSet's downward API). */
  node: string;
  stateDir: string;
  /** Where the host's /proc/sys is mounted (the chart mounts it at /host/proc/sys); undefined: /proc/sys. */
  procSys?: string;
  /** Where the status is also written, with a JSON line on stdout. */
  statusFile?: string;
  resyncSeconds: number;
  drainTimeoutSeconds: number;
  /** Where /metrics is served; undefined: off. */
  metricsAddress?: ListenAddress;
  ipvs: IpvsBackend;
  /** Who starts keepalived: the agent (daemonized) or the pod's keepalived container. */
  keepalived: KeepalivedStarter;
}

/** A plan source's own flag; `required` names its value in the refusal when it is missing. */
export interface SourceFlag<F extends string> {
  flag: F;
  required?: string;
}

/**
 * The node agent's flags and those of one plan source, for `command`: the source's values come
 * back as given. Refuses, in this order, arguments, a missing source flag, a missing node name,
 * and bad values.
 */
export function parseNodeAgentArgs<F extends string>(
  command: string,
  argv: string[],
  sourceFlags: readonly SourceFlag<F>[],
): { options: NodeAgentOptions; source: Partial<Record<F, string>> } {
  const own = Object.fromEntries(sourceFlags.map((f) => [f.flag, { type: 'string' as const }]));
  const parsed = parseArgs({ args: argv, options: { ...FLAGS, ...own }, allowPositionals: true, strict: true });
  noArguments(command, parsed.positionals);
  const values = parsed.values as Record<string, string | undefined>;
  for (const f of sourceFlags) if (f.required) required(values[f.flag], `--${f.flag} ${f.required}`, command);
  const node = values.node ?? process.env.NODE_NAME;
  if (!node) throw new UsageError(`${command} needs --node NAME (or NODE_NAME in the environment)`);
  const options: NodeAgentOptions = {
    node,
    stateDir: values['state-dir']!,
    procSys: values['proc-sys'],
    statusFile: values['status-file'],
    resyncSeconds: periodSeconds(values['resync-seconds'], '--resync-seconds'),
    drainTimeoutSeconds: wholeSeconds(values['drain-timeout-seconds'], '--drain-timeout-seconds'),
    metricsAddress: parseMetricsAddress(values['metrics-address']!),
    ipvs: ipvsBackend(values.ipvs!),
    keepalived: keepalivedStarter(values.keepalived!),
  };
  const source = Object.fromEntries(sourceFlags.map((f) => [f.flag, values[f.flag]])) as Partial<Record<F, string>>;
  return { options, source };
}

function keepalivedStarter(value: string): KeepalivedStarter {
  if (value === 'agent' || value === 'container') return value;
  throw new UsageError(`--keepalived must be agent or container (got ${value})`);
}

function ipvsBackend(value: string): IpvsBackend {
  if (value === 'netlink' || value === 'ipvsadm') return value;
  throw new UsageError(`--ipvs must be netlink or ipvsadm (got ${value})`);
}
