// The CRDs in crds/ are the one source of truth for what a valid object is. `npm run gen` carries
// them into generated/crd-documents.ts (checked for drift in CI), so validation reads no files: the
// core stays pure and the one-file bundle needs nothing beside it.
import { CRD_DOCUMENTS } from '../generated/crd-documents.js';

/** The parts of a JSON schema node (openAPIV3Schema) that validation walks. */
export interface SchemaNode {
  type?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  required?: string[];
  default?: unknown;
  anyOf?: SchemaNode[];
  'x-kubernetes-validations'?: CelRule[];
  [keyword: string]: unknown;
}

type SchemaFeature = 'cel' | 'listMap';
const FEATURE_HERE: Record<SchemaFeature, (node: SchemaNode) => boolean> = {
  cel: (node) => (node['x-kubernetes-validations']?.length ?? 0) > 0,
  listMap: (node) => node['x-kubernetes-list-type'] === 'map',
};
const featureBelow: Record<SchemaFeature, WeakMap<SchemaNode, boolean>> = {
  cel: new WeakMap(),
  listMap: new WeakMap(),
};

/**
 * Whether the node, or any node under it, has CEL rules (cel) or is a list-map (listMap): the
 * walks that look for them skip the rest, so that a plan's 10,000 destinations, which have
 * neither, are not visited twice more after the schema validator. Remembered per schema node.
 */
export function schemaHas(node: SchemaNode, feature: SchemaFeature): boolean {
  const memo = featureBelow[feature];
  let has = memo.get(node);
  if (has === undefined) {
    const children = [
      ...Object.values(node.properties ?? {}),
      ...(node.items ? [node.items] : []),
      ...(typeof node.additionalProperties === 'object' ? [node.additionalProperties] : []),
    ];
    has = FEATURE_HERE[feature](node) || children.some((child) => schemaHas(child, feature));
    memo.set(node, has);
  }
  return has;
}

/** One x-kubernetes-validations entry. */
export interface CelRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: string;
}

export interface CrdInfo {
  kind: string;
  /** group/version of the storage version, e.g. lvs-operator.io/v1alpha1. */
  apiVersion: string;
  namespaced: boolean;
  schema: SchemaNode;
  file: string;
}

interface CrdDocument {
  spec: {
    group: string;
    scope: string;
    names: { kind: string };
    versions: { name: string; storage: boolean; schema: { openAPIV3Schema: SchemaNode } }[];
  };
}

/** What validation needs of one CRD: its kind, storage version, scope and schema. */
export function crdInfo(file: string, document: unknown): CrdInfo {
  const crd = document as CrdDocument;
  const version = crd.spec.versions.find((v) => v.storage);
  if (!version) throw new Error(`${file}: no storage version`);
  return {
    kind: crd.spec.names.kind,
    apiVersion: `${crd.spec.group}/${version.name}`,
    namespaced: crd.spec.scope === 'Namespaced',
    schema: version.schema.openAPIV3Schema,
    file,
  };
}

let cached: Map<string, CrdInfo> | undefined;

/** The package's CRDs, keyed by kind. */
export function packageCrds(): Map<string, CrdInfo> {
  cached ??= new Map(CRD_DOCUMENTS.map(({ file, crd }) => [crdInfo(file, crd).kind, crdInfo(file, crd)]));
  return cached;
}
