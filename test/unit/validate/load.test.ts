// Reading manifests: multi-document YAML and JSON, sources kept for messages, unknown kinds named.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadManifestsFromTexts, sourceOf } from '../../../src/core/api/load.js';
import { loadManifestDir } from '../../../src/io/manifest-dir.js';
import { formatError, validateObjects } from '../../../src/core/api/validate/index.js';

const VS = `apiVersion: lvs-operator.io/v1alpha1
kind: VirtualService
metadata: { name: web, namespace: default }
spec: { address: 192.0.2.10, port: 80 }
`;
const NODE = `apiVersion: v1
kind: Node
metadata: { name: lvs01, labels: { lvs-operator.io/director: "true" } }
status: { addresses: [{ type: InternalIP, address: 192.0.2.1 }] }
`;

describe('loadManifestsFromTexts', () => {
  it('reads every document and remembers its file and index, skipping empty ones', () => {
    const { objects, errors } = loadManifestsFromTexts([
      { path: 'a.yaml', text: `---\n${VS}---\n# only a comment\n---\n${NODE}` },
    ]);
    expect(errors).toEqual([]);
    expect(objects.map((o) => o.kind)).toEqual(['VirtualService', 'Node']);
    expect(objects.map((o) => sourceOf(o))).toEqual([
      { file: 'a.yaml', document: 0 },
      { file: 'a.yaml', document: 2 },
    ]);
  });

  it('names the file and document of an unknown kind and goes on', () => {
    const text = `${VS}---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\n`;
    const { objects, errors } = loadManifestsFromTexts([{ path: 'mixed.yaml', text }]);
    expect(objects).toHaveLength(1);
    expect(errors).toHaveLength(1);
    const line = formatError(errors[0]!);
    expect(line).toContain('mixed.yaml');
    expect(line).toContain('Deployment');
    expect(line).toContain('document 2');
  });

  it('reports broken YAML and non-objects with their place', () => {
    const { errors } = loadManifestsFromTexts([
      { path: 'bad.yaml', text: 'kind: [unclosed\n' },
      { path: 'list.yaml', text: '- 1\n- 2\n' },
      { path: 'nokind.yaml', text: 'metadata: { name: x }\n' },
      { path: 'dup.yaml', text: 'kind: Node\nkind: Secret\n' },
    ]);
    expect(errors.map((e) => [e.file, e.object])).toEqual([
      ['bad.yaml', 'document 1'],
      ['list.yaml', 'document 1'],
      ['nokind.yaml', 'document 1'],
      ['dup.yaml', 'document 1'],
    ]);
    expect(errors[0]?.message).toContain('invalid YAML');
  });

  it('expands kind: List as kubectl prints it', () => {
    const text = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }],
    });
    const { objects } = loadManifestsFromTexts([{ path: 'list.json', text }]);
    expect(objects.map((o) => o.metadata.name)).toEqual(['n1']);
    expect(sourceOf(objects[0]!)).toEqual({ file: 'list.json', document: 0, item: 0 });
  });

  it('carries the file into validation errors and onto the defaulted objects', () => {
    const { objects } = loadManifestsFromTexts([
      { path: 'crds-example.yaml', text: VS.replace('port: 80', 'port: 70000') },
      { path: 'ok.yaml', text: VS.replace('web', 'ok') },
    ]);
    const { valid, errors } = validateObjects(objects);
    expect(errors.filter((e) => e.severity === 'error').map(formatError)).toEqual([
      'crds-example.yaml: VirtualService default/web: spec.port: must be <= 65535 (got 70000)',
    ]);
    expect(sourceOf(valid.virtualServices[0]!)).toEqual({ file: 'ok.yaml', document: 0 });
  });
});

describe('loadManifestDir', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvs-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads *.yaml, *.yml and *.json in name order and nothing else', () => {
    writeFileSync(join(dir, 'b.yml'), NODE);
    writeFileSync(join(dir, 'a.yaml'), VS);
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }));
    writeFileSync(join(dir, 'README.md'), '# not a manifest');
    const { objects, errors } = loadManifestDir(dir);
    expect(errors).toEqual([]);
    expect(objects.map((o) => o.kind)).toEqual(['VirtualService', 'Node', 'Secret']);
    expect(sourceOf(objects[1]!)?.file).toBe(join(dir, 'b.yml'));
  });
});
