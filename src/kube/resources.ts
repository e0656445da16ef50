// The REST paths of the kinds lvs-operator reads and writes.
import { API_VERSION } from '../core/api/objects.js';

export interface Resource {
  kind: string;
  apiVersion: string;
  /** URL prefix: /api/v1 or /apis/GROUP/VERSION. */
  prefix: string;
  plural: string;
  namespaced: boolean;
}

const custom = (kind: string, plural: string, namespaced: boolean): Resource => ({
  kind,
  apiVersion: API_VERSION,
  prefix: `/apis/${API_VERSION}`,
  plural,
  namespaced,
});
const core = (kind: string, plural: string, namespaced: boolean): Resource => ({
  kind,
  apiVersion: 'v1',
  prefix: '/api/v1',
  plural,
  namespaced,
});

export const VIRTUAL_SERVICES = custom('VirtualService', 'virtualservices', true);
export const REAL_SERVERS = custom('RealServer', 'realservers', true);
export const LVS_NODES = custom('LVSNode', 'lvsnodes', false);
export const NODES = core('Node', 'nodes', false);
export const SECRETS = core('Secret', 'secrets', true);
export const EVENTS = core('Event', 'events', true);
export const LEASES: Resource = {
  kind: 'Lease',
  apiVersion: 'coordination.k8s.io/v1',
  prefix: '/apis/coordination.k8s.io/v1',
  plural: 'leases',
  namespaced: true,
};

/** The collection (all namespaces when namespace is omitted) or, with name, one object; subresource after it. */
export function resourcePath(
  r: Resource,
  ref: { namespace?: string; name?: string } = {},
  subresource?: string,
): string {
  const ns = r.namespaced && ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '';
  const name = ref.name === undefined ? '' : `/${encodeURIComponent(ref.name)}`;
  return `${r.prefix}${ns}/${r.plural}${name}${subresource ? `/${subresource}` : ''}`;
}
