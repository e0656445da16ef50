// The API server as the cluster-path driver sees it: kubectl with the admin's kubeconfig (the
// user's client), and the controller run from the bundle with its ServiceAccount's kubeconfig.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundle, runDir } from './env.js';
import { must } from './exec.js';

/** Set by e2e.sh (LVS_E2E_APISERVER=1): the kubeconfigs and the kubectl binary's path. */
export const kubeDir = process.env.LVS_E2E_KUBE_DIR ?? '';
const kubectlPath = () => readFileSync(join(kubeDir, 'kubectl'), 'utf8').trim();

export function kubectl(args: string[], timeoutMs = 60_000): Promise<string> {
  return must([kubectlPath(), '--kubeconfig', join(kubeDir, 'admin.kubeconfig'), ...args], timeoutMs);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- objects read back from kubectl are loose JSON
export type Json = any;

/** namespace '': a cluster-scoped object (an LVSNode). */
export async function getObject(kind: string, name: string, namespace = 'default'): Promise<Json | undefined> {
  try {
    return JSON.parse(await kubectl(['get', kind, name, ...(namespace ? ['-n', namespace] : []), '-o', 'json']));
  } catch {
    return undefined;
  }
}

export const conditionOf = (o: Json, type: string) =>
  (o?.status?.conditions ?? []).find((c: { type: string }) => c.type === type);

export const controllerLog = join(runDir, 'controller.log');

/** Starts `lvs-operator controller` (in the driver's namespace, the client's: it only needs the API server). */
export function startController(): ChildProcess {
  const fd = openSync(controllerLog, 'a');
  return spawn(
    'node',
    [
      bundle,
      'controller',
      '--kubeconfig',
      join(kubeDir, 'controller.kubeconfig'),
      '--lease-namespace',
      'lvs-operator-system',
      '--resync-seconds',
      '10',
    ],
    { stdio: ['ignore', fd, fd] },
  );
}
