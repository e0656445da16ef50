// The CRDs in crds/ are the one source of truth for what a valid object is; this reads them once.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

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

/**
 * The package root: the nearest ancestor of this module holding crds/ and package.json. Walking up
 * (instead of a fixed '../../..') works from src/ under vitest, from dist/ after tsc, and from a
 * bundled dist/cli.js alike.
 */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'crds')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no crds/ directory above ${from}`);
  }
}

/** Reads every CRD in `dir` (default: the package's crds/), keyed by kind. */
export function readCrds(dir: string = join(packageRoot(), 'crds')): Map<string, CrdInfo> {
  const crds = new Map<string, CrdInfo>();
  for (const name of readdirSync(dir).sort()) {
    if (!/\.ya?ml$/.test(name)) continue;
    const file = join(dir, name);
    const crd = parse(readFileSync(file, 'utf8')) as {
      spec: {
        group: string;
        scope: string;
        names: { kind: string };
        versions: { name: string; storage: boolean; schema: { openAPIV3Schema: SchemaNode } }[];
      };
    };
    const version = crd.spec.versions.find((v) => v.storage);
    if (!version) throw new Error(`${file}: no storage version`);
    crds.set(crd.spec.names.kind, {
      kind: crd.spec.names.kind,
      apiVersion: `${crd.spec.group}/${version.name}`,
      namespaced: crd.spec.scope === 'Namespaced',
      schema: version.schema.openAPIV3Schema,
      file,
    });
  }
  return crds;
}

let cached: Map<string, CrdInfo> | undefined;

/** The package's CRDs, read on first use. */
export function packageCrds(): Map<string, CrdInfo> {
  cached ??= readCrds();
  return cached;
}
