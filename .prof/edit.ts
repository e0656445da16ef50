import { performance } from 'node:perf_hooks';
import { validateObjects, ValidationMemo } from '../src/core/api/validate/index.js';
import { plan } from '../src/core/plan/plan.js';
import { planKeepingLastGood } from '../src/core/plan/last-good.js';
import type { ManifestObject, RealServer } from '../src/core/api/objects.js';
import { fleet } from '../bench/fleet.js';
const objects = fleet({ virtualServices: 1000, realServersPerService: 10 } as never) as ManifestObject[];
const checked0 = validateObjects(objects);
const versioned = [...checked0.valid.virtualServices, ...checked0.valid.realServers, ...checked0.valid.nodes, ...checked0.valid.secrets].map((o, i) => ({ ...o, metadata: { ...o.metadata, resourceVersion: '1', uid: `u${i}` } })) as ManifestObject[];
const memo = new ValidationMemo();
planKeepingLastGood({ objects: versioned, lastGood: new Map(), memo }); memo.sweep();
const idx = versioned.findIndex((o) => o.kind === 'RealServer');
for (let i = 0; i < 7; i++) {
  const edited = structuredClone(versioned[idx]!) as RealServer; edited.spec.weight = 2 + i; edited.metadata.resourceVersion = String(2 + i);
  const world = versioned.map((o, j) => (j === idx ? edited : o));
  const t0 = performance.now();
  const v = validateObjects(world, memo);
  const t1 = performance.now();
  const p = plan(v.valid);
  const t2 = performance.now();
  memo.sweep();
  console.log(`validate ${(t1 - t0).toFixed(1)} plan ${(t2 - t1).toFixed(1)} nodes ${p.nodes.size}`);
}
