// Small builders for planner tests: objects as a user would write them, defaults as the CRDs give.
import type {
  KubeNode,
  ObjectSet,
  RealServer,
  Secret,
  VirtualService,
  VirtualServiceSpec,
} from '../../../src/core/api/objects.js';

export function node(
  name: string,
  address: string,
  labels: Record<string, string> = {},
  annotations: Record<string, string> = {},
): KubeNode {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels, annotations },
    status: { addresses: [{ type: 'InternalIP', address }] },
  };
}

export function director(name: string, address: string, labels: Record<string, string> = {}): KubeNode {
  return node(name, address, { 'lvs-operator.io/director': 'true', ...labels });
}

export function virtualService(
  name: string,
  spec: Partial<VirtualServiceSpec> & { address: string; port: number },
  namespace = 'default',
): VirtualService {
  return {
    apiVersion: 'lvs-operator.io/v1alpha1',
    kind: 'VirtualService',
    metadata: { name, namespace, generation: 1 },
    spec: {
      protocol: 'TCP',
      scheduler: 'wlc',
      forwarding: 'DR',
      directors: { nodeSelector: { 'lvs-operator.io/director': 'true' } },
      vrrp: { version: 3, advertInterval: 0.1, preempt: true, preemptDelay: 0, unicast: false },
      healthCheck: {
        type: 'TCP',
        interval: 2,
        timeout: 1,
        retries: 1,
        retryDelay: 1,
        onFailure: 'Inhibit',
      },
      connectionSync: { enabled: true },
      ...spec,
    },
  };
}

export function realServer(
  name: string,
  vsName: string,
  spec: Partial<RealServer['spec']>,
  namespace = 'default',
): RealServer {
  return {
    apiVersion: 'lvs-operator.io/v1alpha1',
    kind: 'RealServer',
    metadata: { name, namespace, generation: 1 },
    spec: { virtualServiceName: vsName, weight: 1, ...spec },
  };
}

export function secret(name: string, stringData: Record<string, string>, namespace = 'default'): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, stringData };
}

export function objects(parts: Partial<ObjectSet>): ObjectSet {
  return { virtualServices: [], realServers: [], nodes: [], secrets: [], ...parts };
}
