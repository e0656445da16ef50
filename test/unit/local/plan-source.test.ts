import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestPlanSource } from '../../../src/local/plan-source.js';

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
