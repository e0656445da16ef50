import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestPlanSource } from '../../../src/node/sources/manifests.js';

const seed = new URL('../../../examples/seed-dr', import.meta.url).pathname;

function seedCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lvs-source-'));
  cpSync(seed, dir, { recursive: true });
  return dir;
}

const ports = (source: ManifestPlanSource) => source.read().spec.ipvs?.services?.map((s) => s.port);

describe('local mode keeps the last good state on bad input', () => {
  it('an object that turns invalid keeps its last valid version, and the error is reported', () => {
    const dir = seedCopy();
    const source = new ManifestPlanSource(dir, 'lvs01');
    expect(ports(source)).toEqual([80]);
    const file = join(dir, 'virtualservice.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('port: 80\n', 'port: 70000\n'));
    const planned = source.read();
    expect(planned.spec.ipvs?.services?.map((s) => s.port)).toEqual([80]);
    expect(planned.messages.join('\n')).toMatch(/spec\.port.*70000/);
    expect(planned.messages.join('\n')).toContain('VirtualService/default/web: keeping its last valid version');
  });

  it('a file that stops parsing keeps its objects; a file emptied on purpose drops them', () => {
    const dir = seedCopy();
    const source = new ManifestPlanSource(dir, 'lvs01');
    source.read();
    const file = join(dir, 'realservers.yaml');
    writeFileSync(file, 'spec: [unclosed\n');
    expect(source.read().spec.ipvs?.services?.[0]?.destinations.map((d) => d.owner)).toEqual([
      'default/nginx01',
      'default/nginx02',
    ]);
    writeFileSync(file, '');
    expect(source.read().spec.ipvs?.services?.[0]?.destinations).toEqual([]);
  });

  it('a fresh source with invalid input plans only the valid objects', () => {
    const dir = seedCopy();
    const file = join(dir, 'virtualservice.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('port: 80\n', 'port: 70000\n'));
    expect(new ManifestPlanSource(dir, 'lvs01').read().spec).toEqual({});
  });
});

describe("a directory holding the node's LVSNode", () => {
  it('applies that LVSNode as it is (what the in-cluster agent gets from the controller), and keeps it when it turns invalid', () => {
    const dir = seedCopy();
    const planned = new ManifestPlanSource(dir, 'lvs01').read().spec;
    const node = {
      apiVersion: 'lvs-operator.io/v1alpha1',
      kind: 'LVSNode',
      metadata: { name: 'lvs01' },
      spec: planned,
    };
    const weighted = structuredClone(node);
    weighted.spec.ipvs!.services![0]!.destinations[0]!.weight = 7;
    writeFileSync(join(dir, 'lvsnode.json'), JSON.stringify(weighted));
    const source = new ManifestPlanSource(dir, 'lvs01');
    expect(source.read().spec.ipvs?.services?.[0]?.destinations.map((d) => d.weight)).toEqual([7, 1]);
    weighted.spec.ipvs!.services![0]!.destinations[0]!.weight = -1;
    writeFileSync(join(dir, 'lvsnode.json'), JSON.stringify(weighted));
    const kept = source.read();
    expect(kept.spec.ipvs?.services?.[0]?.destinations.map((d) => d.weight)).toEqual([7, 1]);
    expect(kept.messages.join('\n')).toMatch(/weight.*-1/);
  });

  it("another node's LVSNode changes nothing for this one", () => {
    const dir = seedCopy();
    const before = new ManifestPlanSource(dir, 'lvs01').read().spec;
    const other = { apiVersion: 'lvs-operator.io/v1alpha1', kind: 'LVSNode', metadata: { name: 'lvs02' }, spec: {} };
    writeFileSync(join(dir, 'lvsnode.json'), JSON.stringify(other));
    expect(new ManifestPlanSource(dir, 'lvs01').read().spec).toEqual(before);
  });
});
