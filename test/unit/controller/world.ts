// Worlds for the controller's pure functions: the seed's objects as the API server holds them
// (read, then defaulted by the same schemas the CRDs carry), and LVSNodes as agents report them.
import { join } from 'node:path';
import type { LVSNode, LVSNodeSpec, LVSNodeStatus, RealServer, VirtualService } from '../../../src/core/api/objects.js';
import { loadManifestDir } from '../../../src/io/manifest-dir.js';
import { validateObjects } from '../../../src/core/api/validate/index.js';
import type { World } from '../../../src/cluster/world.js';

const root = new URL('../../../', import.meta.url).pathname;

/** The seed (examples/seed-dr) with generation 1 on every custom resource; no LVSNodes yet. */
export function seedWorld(): World & { virtualServices: VirtualService[]; realServers: RealServer[] } {
  const { objects, errors } = loadManifestDir(join(root, 'examples/seed-dr'));
  if (errors.length) throw new Error(`the seed does not load: ${JSON.stringify(errors)}`);
  const { valid } = validateObjects(objects);
  const withGeneration = <T extends { metadata: { generation?: number } }>(o: T): T => ({
    ...o,
    metadata: { ...o.metadata, generation: 1 },
  });
  return {
    virtualServices: valid.virtualServices.map(withGeneration),
    realServers: valid.realServers.map(withGeneration),
    nodes: valid.nodes,
    secrets: valid.secrets,
    lvsNodes: [],
  };
}

export function lvsNode(
  name: string,
  spec: LVSNodeSpec,
  generation: number,
  status: LVSNodeStatus = { appliedGeneration: generation },
): LVSNode {
  return {
    apiVersion: 'lvs-operator.io/v1alpha1',
    kind: 'LVSNode',
    metadata: { name, generation },
    spec: structuredClone(spec),
    status,
  };
}

/** The same value with every object's keys in reverse order, as another writer might send it. */
export function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reversedKeys(v)]),
    ) as T;
  }
  return value;
}

export const SERVICE = 'TCP/172.16.40.160:80';
export const VS_REF = 'default/web';
export const INSTANCE = 'VI_10';
