// The controller's view of the cluster: every object it reads, as its informers hold them.
import type { KubeNode, LVSNode, RealServer, Secret, VirtualService } from '../core/api/objects.js';

export interface World {
  virtualServices: readonly VirtualService[];
  realServers: readonly RealServer[];
  nodes: readonly KubeNode[];
  secrets: readonly Secret[];
  lvsNodes: readonly LVSNode[];
}

/** The finalizer that holds a VirtualService until every node has removed what it programmed for it. */
export const FINALIZER = 'lvs-operator.io/cleanup';

export const isDeleting = (o: { metadata: { deletionTimestamp?: string } }) => Boolean(o.metadata.deletionTimestamp);
