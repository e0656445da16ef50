// The Kubernetes objects lvs-operator reads, as plain data. The three custom resources come from
// the CRD schemas (generated); Node and Secret carry only the fields the planner uses.
import type { ObjectMeta } from './meta.js';
import type { VirtualService } from './generated/virtualservice.js';
import type { RealServer } from './generated/realserver.js';
import type { LVSNode } from './generated/lvsnode.js';

export type { VirtualService, RealServer, LVSNode, ObjectMeta };
export type { VirtualServiceSpec, HealthCheckDefaults, VrrpSpec, PersistenceSpec } from './generated/virtualservice.js';
export type { RealServerSpec, HealthCheckOverride } from './generated/realserver.js';
export type {
  LVSNodeSpec,
  LVSNodeStatus,
  ServicePlan,
  DestinationPlan,
  HealthCheckPlan,
  VrrpInstancePlan,
  SysctlPlan,
  AddressPlan,
  TunnelPlan,
  DestinationHealth,
} from './generated/lvsnode.js';

export const API_GROUP = 'lvs-operator.io';
export const API_VERSION = `${API_GROUP}/v1alpha1`;

/** Default label that makes a Node a director (VirtualService.spec.directors.nodeSelector). */
export const DIRECTOR_LABEL = `${API_GROUP}/director`;
/** Node annotation naming the interface that holds VIPs and sends VRRP, when the VirtualService names none. */
export const INTERFACE_ANNOTATION = `${API_GROUP}/interface`;
/** Node label naming the L2 segment; VRIDs are unique per segment. Nodes without it share the segment "default". */
export const SEGMENT_LABEL = `${API_GROUP}/l2-segment`;

export interface NodeAddress {
  type: string;
  address: string;
}

export interface KubeNode {
  apiVersion: 'v1';
  kind: 'Node';
  metadata: ObjectMeta;
  status?: { addresses?: NodeAddress[] };
}

export interface Secret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta;
  /** base64 values, as the API server returns them. */
  data?: Record<string, string>;
  /** plain values, as users write them in manifests. */
  stringData?: Record<string, string>;
}

export type ManifestObject = VirtualService | RealServer | KubeNode | Secret | LVSNode;

/** Everything the planner reads, sorted out by kind. */
export interface ObjectSet {
  virtualServices: VirtualService[];
  realServers: RealServer[];
  nodes: KubeNode[];
  secrets: Secret[];
}

/** `namespace/name` (or just `name` for cluster-scoped objects): how messages and plans name an object. */
export function objectRef(o: { kind?: string; metadata: ObjectMeta }): string {
  const ns = o.metadata.namespace;
  return ns ? `${ns}/${o.metadata.name}` : `${o.metadata.name}`;
}

/** Sorts objects into an ObjectSet by kind; LVSNodes (plans, not inputs) are left out. */
export function toObjectSet(objects: readonly ManifestObject[]): ObjectSet {
  const set: ObjectSet = { virtualServices: [], realServers: [], nodes: [], secrets: [] };
  for (const o of objects) {
    if (o.kind === 'VirtualService') set.virtualServices.push(o);
    else if (o.kind === 'RealServer') set.realServers.push(o);
    else if (o.kind === 'Node') set.nodes.push(o);
    else if (o.kind === 'Secret') set.secrets.push(o);
  }
  return set;
}
