// Why a SIGTERM came. The DaemonSet stops the agent's pod in two cases that want opposite things:
// a rolling update or a deleted pod (the node still carries one of the chart's labels, a new agent
// follows at once and adopts the data plane as it is), and a node that no longer carries any of
// them (no agent will follow: what this one leaves behind stays on the node, unmanaged, for good).
// The agent tells them apart by its Node's labels, the same ones the DaemonSet's affinity names
// (the chart hands them over as --node-labels).
import { isNotFound, type KubeClient } from '../../kube/client.js';
import { NODES, resourcePath } from '../../kube/resources.js';
import type { Log } from '../../io/log.js';
import { UsageError } from '../../io/flags.js';

/** A label key as Kubernetes takes it: an optional DNS-subdomain prefix and a name of at most 63 characters. */
const LABEL_KEY =
  /^(?:(?=.{1,253}\/)[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** --node-labels: comma-separated label keys; refuses an empty list or a key Kubernetes would not take, naming it. */
export function parseNodeLabels(value: string): string[] {
  const keys = value.split(',').map((k) => k.trim());
  for (const key of keys)
    if (!LABEL_KEY.test(key))
      throw new UsageError(`--node-labels: "${key}" is not a label key (in ${JSON.stringify(value)})`);
  return keys;
}

/**
 * Pure: whether a node with these labels is still one the DaemonSet places an agent on (any of
 * the keys with the value "true", as the chart's affinity terms are ORed). A node that is gone
 * (undefined) is not.
 */
export function stillMember(labels: Record<string, string> | undefined, keys: readonly string[]): boolean {
  return labels !== undefined && keys.some((k) => labels[k] === 'true');
}

/**
 * Asks the API server whether this agent is leaving its node for good. When the answer cannot be
 * had (the server away), it is "no": keeping the data plane for a next agent is what costs
 * nothing if wrong, tearing it down is not.
 */
export async function leavingNode(
  client: KubeClient,
  node: string,
  keys: readonly string[],
  log: Log,
): Promise<boolean> {
  try {
    const found = await client.request<{ metadata?: { labels?: Record<string, string> } }>({
      method: 'GET',
      path: resourcePath(NODES, { name: node }),
    });
    return !stillMember(found.metadata?.labels ?? {}, keys);
  } catch (error) {
    if (isNotFound(error)) return true;
    log('node labels not read: staying as is for the next agent', { error: String((error as Error).message) });
    return false;
  }
}
