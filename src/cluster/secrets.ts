// The Secrets the VirtualServices reference (VRRP passwords), read by name: get is all the
// controller may do, not list or watch every Secret in the cluster.
import type { Secret, VirtualService } from '../core/api/objects.js';
import { isNotFound, type KubeClient } from '../kube/client.js';
import { resourcePath, SECRETS } from '../kube/resources.js';
import type { Log } from '../io/log.js';

/**
 * The referenced Secrets by namespace/name. One that is gone is left out; one that cannot be read
 * (any other error) keeps its copy from `previous`.
 */
export async function readReferencedSecrets(
  client: KubeClient,
  log: Log,
  virtualServices: readonly VirtualService[],
  previous: ReadonlyMap<string, Secret>,
): Promise<Map<string, Secret>> {
  const wanted = new Map<string, { namespace: string; name: string }>();
  for (const vs of virtualServices) {
    const name = vs.spec?.vrrp?.authSecretRef?.name;
    const namespace = vs.metadata.namespace ?? 'default';
    if (name) wanted.set(`${namespace}/${name}`, { namespace, name });
  }
  const next = new Map<string, Secret>();
  for (const [key, ref] of wanted) {
    try {
      const secret = await client.request<Secret>({ method: 'GET', path: resourcePath(SECRETS, ref) });
      next.set(key, { ...secret, apiVersion: 'v1', kind: 'Secret' });
    } catch (error) {
      if (!isNotFound(error)) {
        log('secret not read', { secret: key, error: String((error as Error).message) });
        const kept = previous.get(key);
        if (kept) next.set(key, kept);
      }
    }
  }
  return next;
}

/**
 * `task` run by one caller at a time: calls made while it runs make it run once more afterwards
 * (not once each) and get the same promise; `after` runs once the runs are over.
 */
export function coalesced(task: () => Promise<void>, after: () => void): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await task();
      } while (again);
      running = undefined;
      after();
    })();
    return running;
  };
}
