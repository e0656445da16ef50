// Where the in-VM driver finds things and the topology's fixed facts (test/e2e/topology.sh).
import { join } from 'node:path';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`the driver needs ${name} (set by test/e2e/run-checks.sh)`);
  return value;
}

/** The shared output dir: results.json and logs go here (read-write in the VM). */
export const outDir = required('LVS_E2E_OUT');
/** test/e2e in the repository (read-only in the VM). */
export const e2eDir = required('LVS_E2E_DIR');
/** Files of this run inside the VM's tmpfs: agents' state, nginx, the working manifests. */
export const runDir = process.env.E2E_RUN ?? '/tmp/lvs-e2e';
/** Prefix of the network namespaces' names (empty in the VM). */
export const nsPrefix = process.env.E2E_NS ?? '';

export const topologyScript = join(e2eDir, 'topology.sh');
export const manifestsRoot = join(e2eDir, 'manifests');
/** The working manifests dir every agent reads; variants are copied into it. */
export const manifestsDir = join(runDir, 'manifests');
export const bundle = join(runDir, 'lvs-operator.mjs');

export const VIP = '192.0.2.100';
export const PORT = 80;
export const addressOf = {
  client: '192.0.2.10',
  lvs01: '192.0.2.2',
  lvs02: '192.0.2.3',
  nginx01: '192.0.2.11',
  nginx02: '192.0.2.12',
} as const;
export type Host = keyof typeof addressOf;
export const directors = ['lvs01', 'lvs02'] as const;
export const realServers = ['nginx01', 'nginx02'] as const;
/** The hosts that run an agent (Nodes of the manifests); the client is none. */
export const agentHosts: Host[] = ['lvs01', 'lvs02', 'nginx01', 'nginx02'];

export function ns(host: Host | 'sw'): string {
  return nsPrefix + host;
}
