// Writes what the in-VM benchmark (bench/vm/driver.ts) reads, on the host, before the VM boots:
// the driver runs as a bundle beside no crds/, so planning happens here. Run by scripts/bench.sh:
//   node bench/run.mjs bench/vm/inputs.ts OUTDIR
// OUTDIR/seed-lvs01.conf, seed-lvs02.conf  keepalived as the seed has it (VRRP and virtual_server),
//                                           on the e2e topology's addresses (the anchor of a, b, g)
// OUTDIR/seed-lvs01.lvsnode.json            lvs01's LVSNode of the seed, for the in-cluster agent
// OUTDIR/scale/                             10,000 destinations (1,000 services x 10) for c and d:
//   a/lvsnode.json, b/lvsnode.json          lvs01's LVSNode (IPVS only), b with one weight changed
//   keepalived-a.conf, keepalived-b.conf    the same tables as keepalived virtual_server blocks
//   restore.txt                             the same table as `ipvsadm -R` input
//   meta.json                               which service to watch
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifestDir } from '../../src/io/manifest-dir.js';
import type { LVSNodeSpec } from '../../src/core/api/objects.js';
import { validateObjects } from '../../src/core/api/validate/index.js';
import { tableFromPlan } from '../../src/core/ipvs/from-plan.js';
import { renderSave } from '../../src/core/ipvs/save-format.js';
import { plan } from '../../src/core/plan/plan.js';
import { fleet } from '../fleet.js';
import { keepalivedEquivalent } from '../keepalived-conf.js';
import { repoRoot } from '../results.js';

const out = process.argv[2];
if (!out) throw new Error('usage: inputs.ts OUTDIR');

function planDir(dir: string) {
  const loaded = loadManifestDir(dir);
  const checked = validateObjects(loaded.objects);
  if (loaded.errors.length || checked.errors.length) throw new Error(`${dir} is not valid`);
  return plan(checked.valid).nodes;
}

mkdirSync(join(out, 'scale', 'a'), { recursive: true });
mkdirSync(join(out, 'scale', 'b'), { recursive: true });
// bundled by bench/run.mjs into node_modules/.cache: paths are found from the package root
const seed = planDir(join(repoRoot(), 'test/e2e/manifests/seed-dr'));
for (const d of ['lvs01', 'lvs02']) {
  writeFileSync(join(out, `seed-${d}.conf`), keepalivedEquivalent(seed.get(d)!, d, 'eth0'));
}
// lvs01's LVSNode as the controller writes it, for the in-cluster agent (bench/vm/in-cluster.ts)
writeFileSync(
  join(out, 'seed-lvs01.lvsnode.json'),
  JSON.stringify({
    apiVersion: 'lvs-operator.io/v1alpha1',
    kind: 'LVSNode',
    metadata: { name: 'lvs01' },
    spec: seed.get('lvs01'),
  }),
);

const SERVICES = 1000;
const PER_SERVICE = 10;
const objects = fleet({
  virtualServices: SERVICES,
  realServersPerService: PER_SERVICE,
  spec: { healthCheck: { type: 'None' } } as never,
  realServerAddresses: Array.from({ length: PER_SERVICE }, (_, i) => `198.51.100.${i + 1}`),
  directors: [
    { name: 'lvs01', address: '192.0.2.2' },
    { name: 'lvs02', address: '192.0.2.3' },
  ],
});
const checked = validateObjects(objects);
if (checked.errors.length) throw new Error(`fleet: ${checked.errors[0]!.message}`);
const full = plan(checked.valid).nodes.get('lvs01')!;
// IPVS only: the VRRP instances and sysctls are not what c and d measure.
const a: LVSNodeSpec = { ipvs: full.ipvs! };
const b: LVSNodeSpec = structuredClone(a);
const services = a.ipvs!.services!;
const edited = Math.floor(services.length / 2);
b.ipvs!.services![edited]!.destinations[0]!.weight = 2;
const lvsNode = (spec: LVSNodeSpec) => ({
  apiVersion: 'lvs-operator.io/v1alpha1',
  kind: 'LVSNode',
  metadata: { name: 'lvs01' },
  spec,
});
writeFileSync(join(out, 'scale', 'a', 'lvsnode.json'), JSON.stringify(lvsNode(a)));
writeFileSync(join(out, 'scale', 'b', 'lvsnode.json'), JSON.stringify(lvsNode(b)));
writeFileSync(join(out, 'scale', 'keepalived-a.conf'), keepalivedEquivalent(a, 'lvs01', 'lo'));
writeFileSync(join(out, 'scale', 'keepalived-b.conf'), keepalivedEquivalent(b, 'lvs01', 'lo'));
writeFileSync(join(out, 'scale', 'restore.txt'), renderSave(tableFromPlan(a)));
const at = (i: number) => `${services[i]!.address}:${services[i]!.port}`;
writeFileSync(
  join(out, 'scale', 'meta.json'),
  JSON.stringify({
    destinations: services.reduce((n, s) => n + s.destinations.length, 0),
    lastService: at(services.length - 1),
    editedService: at(edited),
    editedDestination: `${services[edited]!.destinations[0]!.address}:${services[edited]!.destinations[0]!.port}`,
  }),
);
console.error(`bench inputs written to ${out}`);
