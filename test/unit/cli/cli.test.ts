import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/main.js';

const root = new URL('../../../', import.meta.url).pathname;
const seed = join(root, 'examples/seed-dr');
const seedConf = join(root, 'test/fixtures/keepalived');

/** A copy of the seed example with extra files, for the invalid-input cases. */
function seedWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lvs-cli-'));
  cpSync(seed, dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('lvs-operator render ipvs', () => {
  it("prints exactly the seed's table for lvs01", () => {
    expect(runCli(['render', 'ipvs', '--manifests', seed, '--node', 'lvs01'])).toEqual({
      code: 0,
      stdout: [
        '-A -t 172.16.40.160:80 -s rr -p 5',
        '-a -t 172.16.40.160:80 -r 172.16.40.151:80 -g -w 1',
        '-a -t 172.16.40.160:80 -r 172.16.40.152:80 -g -w 1',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('prints the same table for the backup lvs02, and an empty table for a real server', () => {
    expect(runCli(['render', 'ipvs', '--manifests', seed, '--node', 'lvs02']).stdout).toBe(
      runCli(['render', 'ipvs', '--manifests', seed, '--node', 'lvs01']).stdout,
    );
    expect(runCli(['render', 'ipvs', '--manifests', seed, '--node', 'nginx01'])).toMatchObject({ code: 0, stdout: '' });
  });
});

describe('lvs-operator render keepalived', () => {
  it("carries the seed's vrrp_instance for lvs01", () => {
    const result = runCli(['render', 'keepalived', '--manifests', seed, '--node', 'lvs01']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /vrrp_instance VI_10 \{\n\s+state MASTER\n\s+interface ens192\n\s+virtual_router_id 10\n\s+priority 100\n\s+advert_int 1\n/,
    );
  });
});

describe('lvs-operator plan', () => {
  it('prints the LVSNode for a real server in YAML: VIP on lo and the ARP sysctls', () => {
    const result = runCli(['plan', '--manifests', seed, '--node', 'nginx02']);
    expect(result.code).toBe(0);
    const lvsNode = parse(result.stdout);
    expect(lvsNode).toMatchObject({
      apiVersion: 'lvs-operator.io/v1alpha1',
      kind: 'LVSNode',
      metadata: { name: 'nginx02' },
    });
    expect(lvsNode.spec.addresses).toEqual([{ interface: 'lo', address: '172.16.40.160/32' }]);
  });

  it('prints JSON with --output json, and the same spec as YAML', () => {
    const json = JSON.parse(runCli(['plan', '--manifests', seed, '--node', 'lvs01', '--output', 'json']).stdout);
    expect(json).toEqual(parse(runCli(['plan', '--manifests', seed, '--node', 'lvs01']).stdout));
  });

  it('gives a node that takes part in nothing an empty spec and says so', () => {
    const result = runCli(['plan', '--manifests', seed, '--node', 'elsewhere']);
    expect(result).toMatchObject({ code: 0, stderr: 'note: node elsewhere takes part in no virtual service\n' });
    expect(parse(result.stdout).spec).toEqual({});
  });
});

describe('lvs-operator validate', () => {
  it('accepts the seed example', () => {
    expect(runCli(['validate', '--manifests', seed])).toMatchObject({ code: 0, stderr: '' });
  });

  it('exits 1 naming the object, field and value of a bad object, and still plans the good ones', () => {
    const dir = seedWith({
      'bad.yaml':
        'apiVersion: lvs-operator.io/v1alpha1\nkind: VirtualService\nmetadata: { name: bad, namespace: default }\nspec: { address: 172.16.40.161, port: 70000 }\n',
    });
    const validate = runCli(['validate', '--manifests', dir]);
    expect(validate.code).toBe(1);
    expect(validate.stderr).toMatch(/VirtualService default\/bad.*spec\.port.*70000/);
    const render = runCli(['render', 'ipvs', '--manifests', dir, '--node', 'lvs01']);
    expect(render.code).toBe(1);
    expect(render.stdout).toContain('-A -t 172.16.40.160:80 -s rr -p 5');
  });
});

describe('usage errors exit 2', () => {
  it.each([
    [[]],
    [['frobnicate']],
    [['plan', '--manifests', seed]],
    [['render', 'nginx', '--manifests', seed, '--node', 'lvs01']],
    [['plan', '--manifests', seed, '--node', 'lvs01', '--output', 'xml']],
    [['validate', '--manifests', seed, '--bogus']],
    [['import-keepalived']],
  ])('%j', (argv) => {
    const result = runCli(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: lvs-operator');
  });

  it('help exits 0', () => {
    expect(runCli(['--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('import-keepalived') });
  });

  it("--version prints package.json's version, which the chart's appVersion names too", () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const chart = parse(readFileSync(join(root, 'deploy/helm/lvs-operator/Chart.yaml'), 'utf8')) as {
      appVersion: string;
    };
    expect(runCli(['--version'])).toEqual({ code: 0, stdout: `lvs-operator ${version}\n`, stderr: '' });
    expect(chart.appVersion).toBe(version);
  });
});

describe('lvs-operator import-keepalived', () => {
  it("turns the seed's two keepalived.conf files into objects that plan to the seed's table", () => {
    const imported = runCli([
      'import-keepalived',
      join(seedConf, 'seed-lvs01.conf'),
      join(seedConf, 'seed-lvs02.conf'),
    ]);
    expect(imported.code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'lvs-import-'));
    writeFileSync(join(dir, 'imported.yaml'), imported.stdout);
    const kinds = parseAllDocuments(imported.stdout).map((d) => d.toJSON().kind);
    expect(kinds.sort()).toEqual(['Node', 'Node', 'RealServer', 'RealServer', 'Secret', 'VirtualService']);
    const fromImport = runCli(['render', 'ipvs', '--manifests', dir, '--node', 'lvs-01']);
    expect(fromImport.code).toBe(0);
    expect(fromImport.stdout).toBe(runCli(['render', 'ipvs', '--manifests', seed, '--node', 'lvs01']).stdout);
    expect(runCli(['render', 'keepalived', '--manifests', dir, '--node', 'lvs-02']).stdout).toMatch(
      /state BACKUP\n(.*\n){2}\s+priority 90\n/,
    );
  });

  it('exits 1 with the file and line of a keyword it refuses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvs-import-'));
    const file = join(dir, 'misc.conf');
    writeFileSync(
      file,
      'virtual_server 192.0.2.1 80 {\n  real_server 192.0.2.2 80 {\n    MISC_CHECK {\n      misc_path /bin/true\n    }\n  }\n}\n',
    );
    const result = runCli(['import-keepalived', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:3`);
  });
});

describe('the installed bin', () => {
  it('runs from dist/ and exits with the command status', () => {
    const run = spawnSync(
      process.execPath,
      [join(root, 'dist/cli.js'), 'render', 'ipvs', '--manifests', seed, '--node', 'lvs01'],
      { encoding: 'utf8' },
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('-A -t 172.16.40.160:80 -s rr -p 5');
    expect(spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'nope'], { encoding: 'utf8' }).status).toBe(2);
  });
});
