// A kubeconfig file (or $KUBECONFIG, ~/.kube/config) as client-node resolves it: client
// certificates, tokens, exec plugins, OIDC, proxies. Imported only when one is used
// (credentials.ts), so that the in-cluster processes never load client-node. It returns what
// credentials.ts calls Credentials, spelt out here: credentials.ts imports this file.
import { KubeConfig } from '@kubernetes/client-node';
import type { RequestOptions } from 'node:https';

interface ConfigCredentials {
  server: string;
  apply(options: Omit<RequestOptions, 'headers'> & { headers: Record<string, string> }): Promise<void>;
}

/** FILE, else client-node's loadFromDefault() order. */
export function loadKubeconfig(file?: string): ConfigCredentials {
  const config = new KubeConfig();
  if (file) config.loadFromFile(file);
  else config.loadFromDefault();
  return kubeConfigCredentials(config);
}

/** client-node's KubeConfig as Credentials (it keeps one https.Agent per cluster and user). */
export function kubeConfigCredentials(config: KubeConfig): ConfigCredentials {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster');
  return { server: cluster.server, apply: (options) => config.applyToHTTPSOptions(options) };
}
