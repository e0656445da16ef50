// The CRD schemas themselves: documented, structural, self-consistent, and every example passes.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse as parseCel } from '@marcbachmann/cel-js';
import { describe, expect, it } from 'vitest';
import { loadManifestDir } from '../../../src/io/manifest-dir.js';
import { formatError, validateObjects } from '../../../src/core/api/validate/index.js';
import { packageCrds, type SchemaNode } from '../../../src/core/api/validate/crds.js';
import { schemaForAjv } from '../../../src/core/api/validate/schema.js';
import { parseFieldPath } from '../../../src/core/api/validate/cel.js';
import { INTERFACE_NAME } from '../../../src/core/api/vrrp.js';

interface Located {
  path: string;
  node: SchemaNode;
}

/** Every schema node that describes a value (properties, items, additionalProperties), at every depth. */
function valueSchemas(node: SchemaNode, path = ''): Located[] {
  const out: Located[] = [{ path: path || '<root>', node }];
  for (const [key, child] of Object.entries(node.properties ?? {})) out.push(...valueSchemas(child, `${path}.${key}`));
  if (node.items) out.push(...valueSchemas(node.items, `${path}[]`));
  if (typeof node.additionalProperties === 'object') out.push(...valueSchemas(node.additionalProperties, `${path}{}`));
  return out;
}

const crds = [...packageCrds().values()];
const packageRoot = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');

describe.each(crds.map((crd) => [crd.kind, crd] as const))('CRD %s', (_kind, crd) => {
  const nodes = valueSchemas(crd.schema);

  it('describes every field at every depth (but metadata, which the API server describes itself)', () => {
    const undocumented = nodes.filter(
      ({ path, node }) =>
        path !== '.metadata' && (typeof node.description !== 'string' || node.description.trim() === ''),
    );
    expect(undocumented.map((n) => n.path)).toEqual([]);
  });

  it('says nothing of metadata but its type: kube-apiserver refuses a CRD that does (seen in test/envtest)', () => {
    expect(nodes.find((n) => n.path === '.metadata')?.node).toEqual({ type: 'object' });
  });

  it('checks every interface name with the one rule the code uses (INTERFACE_NAME, the kernel IFNAMSIZ)', () => {
    const interfaceFields = nodes.filter(
      ({ path, node }) => node.pattern !== undefined && /(\.interface|\.trackInterfaces\[\]\.name)$/.test(path),
    );
    expect(interfaceFields.every(({ node }) => node.pattern === INTERFACE_NAME.source)).toBe(true);
    if (crd.kind === 'VirtualService') expect(interfaceFields.map((n) => n.path)).toHaveLength(3);
  });

  it('is structural: every value schema has a type', () => {
    expect(nodes.filter(({ node }) => typeof node.type !== 'string').map((n) => n.path)).toEqual([]);
  });

  it('keeps anyOf branches to value validations (no type, description or default), as structural schemas must', () => {
    const bad = nodes.flatMap(({ path, node }) =>
      (node.anyOf ?? []).filter((b) => 'type' in b || 'description' in b || 'default' in b).map(() => path),
    );
    expect(bad).toEqual([]);
  });

  it('has defaults that are valid values of their own schema', () => {
    const invalid = nodes
      .filter(({ node }) => node.default !== undefined)
      .filter(
        ({ node }) =>
          !new Ajv({ strict: false, validateFormats: false }).validate(
            schemaForAjv(node),
            structuredClone(node.default),
          ),
      );
    expect(invalid.map((n) => n.path)).toEqual([]);
  });

  it('has CEL rules that parse and fieldPaths that name a property', () => {
    for (const { path, node } of nodes) {
      for (const rule of node['x-kubernetes-validations'] ?? []) {
        expect(() => parseCel(rule.rule), `${path}: ${rule.rule}`).not.toThrow();
        expect(rule.message, `${path}: ${rule.rule} has no message`).toBeTruthy();
        let target: SchemaNode | undefined = node;
        for (const seg of parseFieldPath(rule.fieldPath)) target = target?.properties?.[seg];
        expect(target, `${path}: fieldPath ${rule.fieldPath}`).toBeDefined();
      }
    }
  });
});

/** Directories under examples/ that hold manifests (each one is validated as one set of objects). */
function exampleDirs(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  const here = entries.some((e) => e.isFile() && /\.(ya?ml|json)$/i.test(e.name)) ? [dir] : [];
  return [...here, ...entries.filter((e) => e.isDirectory()).flatMap((e) => exampleDirs(join(dir, e.name)))];
}

describe('examples/', () => {
  const dirs = exampleDirs(join(packageRoot, 'examples'));

  it('is not empty', () => expect(dirs.length).toBeGreaterThan(0));

  it.each(dirs.map((d) => [d.slice(packageRoot.length + 1), d]))('%s validates with no errors', (_name, dir) => {
    const loaded = loadManifestDir(dir);
    const { valid, errors } = validateObjects(loaded.objects);
    const all = [...loaded.errors, ...errors];
    expect(all.filter((e) => e.severity === 'error').map(formatError)).toEqual([]);
    expect(all.map(formatError), 'warnings').toEqual([]);
    expect(
      valid.virtualServices.length +
        valid.realServers.length +
        valid.nodes.length +
        valid.secrets.length +
        valid.lvsNodes.length,
    ).toBe(loaded.objects.length);
  });
});
