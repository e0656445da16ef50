// Where the API server is and how to authenticate to it, for KubeClient.
//
// In a pod (the agent, the controller as the chart installs them) this is the ServiceAccount: the
// API server's address from the environment, its CA and a token from the mounted files. That case
// is handled here, by hand, because it is the one the in-cluster processes run in, and loading
// @kubernetes/client-node for it cost the agent most of its resident memory beyond Node.js's own
// (the package loads its generated API models, undici, js-yaml and its proxy agents whichever part
// is asked for; without it and with the bundle split by command, the agent of the seed's service
// went from 101 to 71.5 MiB: bench/agent-memory-host.sh) for a few lines of work.
//
// Everything else (a kubeconfig file with client certificates, exec plugins, OIDC, proxies) is
// client-node's KubeConfig, loaded only then, as client-node resolves it.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Agent, type RequestOptions } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type HeadedOptions = Omit<RequestOptions, 'headers'> & { headers: Record<string, string> };

export interface Credentials {
  /** The API server's URL, e.g. https://10.96.0.1:443. */
  readonly server: string;
  /** Sets the TLS options, the agent and the Authorization header of one request. */
  apply(options: HeadedOptions): Promise<void>;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** How long a token read from its file is used before it is read again (the kubelet rotates it on disk). */
export const TOKEN_REREAD_MS = 60_000;

/**
 * The pod's ServiceAccount, or undefined outside a pod (no KUBERNETES_SERVICE_HOST/PORT, or no
 * token file). The token is read again once its copy is a minute old, as client-node's FileAuth
 * does: projected tokens are rotated on disk, each valid about an hour.
 */
export function inClusterCredentials(
  env: NodeJS.ProcessEnv = process.env,
  dir: string = SERVICE_ACCOUNT_DIR,
  now: () => number = Date.now,
): Credentials | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const tokenFile = join(dir, 'token');
  if (!host || !port || !existsSync(tokenFile)) return undefined;
  const agent = new Agent({ ca: readFileSync(join(dir, 'ca.crt')), keepAlive: true });
  let token = '';
  let readAt = -Infinity;
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    async apply(options) {
      if (now() - readAt >= TOKEN_REREAD_MS) {
        token = (await readFile(tokenFile, 'utf8')).trim();
        readAt = now();
      }
      options.agent = agent;
      options.headers.authorization = `Bearer ${token}`;
    },
  };
}

/**
 * --kubeconfig FILE, else $KUBECONFIG, else ~/.kube/config, else the pod's ServiceAccount: the
 * order client-node's loadFromDefault() follows. Only the ServiceAccount case leaves client-node
 * unloaded. `env` decides which; client-node, once loaded, reads process.env itself.
 */
export async function loadCredentials(file?: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials> {
  const kubeconfigFile = file ?? (env.KUBECONFIG || [join(homedir(), '.kube', 'config')].find((f) => existsSync(f)));
  if (!kubeconfigFile) {
    const inCluster = inClusterCredentials(env);
    if (inCluster) return inCluster;
  }
  // A module of its own, so that the bundle keeps client-node's tree-shaken part lazy.
  const { loadKubeconfig } = await import('./kubeconfig.js');
  return loadKubeconfig(file);
}
