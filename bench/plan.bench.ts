// (f) The controller's planning time and memory for 1,000 VirtualServices × 10 RealServers,
// in-process: validate (schemas, defaults, CEL, cross-object checks) and plan every node, as
// local mode does on every resync and a controller would on every change.
//
// Anchor: keepalived checking the equivalent keepalived.conf (`keepalived -t`), the step in which
// keepalived turns the same desired state into its tables; it has no planner, and reading its
// config is the work lvs-operator's planning replaces. Run with `npm run bench:plan`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ValidationMemo, validateObjects } from '../src/core/api/validate/index.js';
import type { ManifestObject, RealServer } from '../src/core/api/objects.js';
import { planKeepingLastGood } from '../src/core/plan/last-good.js';
import { plan } from '../src/core/plan/plan.js';
import { fleet } from './fleet.js';
import { keepalivedEquivalent } from './keepalived-conf.js';
import { figure, median, writeRun, type Figure } from './results.js';

const SERVICES = 1000;
const REAL_SERVERS = 10;
const RUNS = 7;
const DIRECTOR = 'lvs01';
const RESYNC_SECONDS = 10; // the agent's default --resync-seconds
const MiB = 1024 * 1024;

const collect = globalThis.gc;
if (!collect) throw new Error('run with --expose-gc (npm run bench:plan does)');

function heapUsed(): number {
  collect!();
  return process.memoryUsage().heapUsed;
}

/** What local mode does with a manifests directory's objects, timed in its two steps. */
function planAll(objects: readonly ManifestObject[]) {
  const t0 = performance.now();
  const checked = validateObjects(objects);
  const t1 = performance.now();
  const result = plan(checked.valid);
  const t2 = performance.now();
  return { checked, result, validateMs: t1 - t0, planMs: t2 - t1 };
}

/** The plan must be the full table, or the timing would be of a degenerate run. */
function assertComplete({ checked, result }: ReturnType<typeof planAll>): void {
  const errors = checked.errors.filter((e) => e.severity === 'error');
  const services = result.nodes.get(DIRECTOR)?.ipvs?.services ?? [];
  const destinations = services.reduce((n, s) => n + s.destinations.length, 0);
  if (errors.length || result.problems.length || destinations !== SERVICES * REAL_SERVERS) {
    console.error([...errors.map((e) => e.message), ...result.problems.map((p) => p.message)].slice(0, 10));
    throw new Error(`incomplete plan: ${services.length} services, ${destinations} destinations on ${DIRECTOR}`);
  }
}

/** An interface keepalived accepts for VRRP on this machine (it refuses lo). */
function vrrpInterface(): string | undefined {
  const all = networkInterfaces();
  return Object.keys(all).find((name) => all[name]?.some((a) => !a.internal));
}

/** keepalived -t on `file`: milliseconds, process start included; or why it cannot be the anchor. */
function keepalivedCheck(file: string): number | string {
  const t0 = performance.now();
  const run = spawnSync('keepalived', ['--config-test', '-f', file], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (run.error) return `keepalived: ${run.error.message}`;
  if (run.status !== 0) return `keepalived -t exited ${run.status}: ${run.stderr.trim().slice(0, 300)}`;
  return ms;
}

/** keepalived -t's peak RSS in MiB, from GNU time (Node cannot read a child's peak RSS). */
function keepalivedPeakMiB(file: string): number | undefined {
  const timed = spawnSync('/usr/bin/time', ['-f', '%M', 'keepalived', '--config-test', '-f', file], {
    encoding: 'utf8',
  });
  const kib = Number(timed.stderr?.trim().split('\n').at(-1));
  return timed.status === 0 && Number.isFinite(kib) ? kib / 1024 : undefined;
}

/** keepalived.conf for the director's plan of `objects`, written to `dir`. */
function keepalivedConf(objects: readonly ManifestObject[], dir: string, name: string, iface: string): string {
  const spec = plan(validateObjects(objects).valid).nodes.get(DIRECTOR) ?? {};
  const file = join(dir, `${name}.conf`);
  writeFileSync(file, keepalivedEquivalent(spec, DIRECTOR, iface));
  return file;
}

/** Samples to a readable precision (0.1 ms, 0.01 MiB) rather than float noise. */
const round = (n: number, decimals: number) => Number(n.toFixed(decimals));

// --- measurement -----------------------------------------------------------------------------
const baseRss = process.memoryUsage().rss;
const baseHeap = heapUsed();
const objects = fleet({ virtualServices: SERVICES, realServersPerService: REAL_SERVERS });
// The first run compiles the CRD schemas and warms the JIT: its time is reported, not sampled;
// its memory is the figure (one plan's worth, before V8 has had reason to grow the heap).
let last = planAll(objects);
assertComplete(last);
const coldMs = last.validateMs + last.planMs;
const onePlanPeakMiB = (process.resourceUsage().maxRSS * 1024 - baseRss) / MiB;

const dir = mkdtempSync(join(tmpdir(), 'lvs-bench-plan-'));
const iface = vrrpInterface();
const bigConf = iface && keepalivedConf(objects, dir, 'fleet', iface);
const seedConf = iface && keepalivedConf(fleet({ virtualServices: 1, realServersPerService: 2 }), dir, 'seed', iface);
let anchorError = iface ? undefined : 'no network interface other than lo for keepalived to run VRRP on';

// Runs alternate between the two sides so that both meet the same load on a shared machine.
const totalMs: number[] = [];
const planMs: number[] = [];
const keepalivedMs: number[] = [];
const keepalivedSeedMs: number[] = [];
for (let i = 0; i < RUNS; i++) {
  last = planAll(objects);
  totalMs.push(round(last.validateMs + last.planMs, 1));
  planMs.push(round(last.planMs, 1));
  if (!bigConf || !seedConf || anchorError) continue;
  for (const [file, samples] of [
    [bigConf, keepalivedMs],
    [seedConf, keepalivedSeedMs],
  ] as const) {
    const ms = keepalivedCheck(file);
    if (typeof ms === 'string') anchorError = ms;
    else samples.push(round(ms, 1));
  }
}
// The controller's pass after one edit: its objects come from the API server with a
// resourceVersion, so each version is checked once (ValidationMemo); an edit checks the edited
// object, then the checks across objects and the plan run over everything.
const versioned = objects.map((o, i) => ({ ...o, metadata: { ...o.metadata, uid: `u${i}`, resourceVersion: '1' } }));
const memo = new ValidationMemo();
planKeepingLastGood({ objects: versioned, lastGood: new Map(), memo });
memo.sweep();
const editMs: number[] = [];
const editedIndex = versioned.findIndex((o) => o.kind === 'RealServer');
for (let i = 0; i < RUNS; i++) {
  const edited = structuredClone(versioned[editedIndex]!) as RealServer;
  edited.spec.weight = 2 + i;
  edited.metadata.resourceVersion = String(2 + i);
  const world = versioned.map((o, j) => (j === editedIndex ? edited : o));
  const t0 = performance.now();
  const pass = planKeepingLastGood({ objects: world, lastGood: new Map(), memo });
  editMs.push(round(performance.now() - t0, 1));
  memo.sweep();
  if (pass.errors.some((e) => e.severity === 'error')) throw new Error('the edited world did not validate');
}
const repeatedPeakMiB = (process.resourceUsage().maxRSS * 1024 - baseRss) / MiB;
const retainedHeapMiB = (heapUsed() - baseHeap) / MiB;
const keepalivedBigMiB = bigConf && !anchorError ? keepalivedPeakMiB(bigConf) : undefined;
const keepalivedSeedMiB = seedConf && !anchorError ? keepalivedPeakMiB(seedConf) : undefined;
rmSync(dir, { recursive: true, force: true });
const destinations = SERVICES * REAL_SERVERS;
const nodes = last.result.nodes.size;

// --- figures ---------------------------------------------------------------------------------
const size = `${SERVICES.toLocaleString('en')} VirtualServices × ${REAL_SERVERS} RealServers`;
const fmt = (n: number) => n.toFixed(0);
const figures: Figure[] = [
  figure({
    id: 'f-plan-time',
    title: `Planning ${size} (validate + plan, all nodes)`,
    unit: 'ms',
    better: 'lower',
    ours: { label: 'lvs-operator validate + plan', samples: totalMs },
    ...(anchorError ? {} : { anchor: { label: 'keepalived -t, equivalent keepalived.conf', samples: keepalivedMs } }),
    note:
      `Median of ${RUNS} warm runs in one Node process (the first, cold run took ${fmt(coldMs)} ms); ` +
      `${destinations.toLocaleString('en')} destinations on each of 2 directors, ${nodes} LVSNode plans; ` +
      `= ${((median(totalMs) / (RESYNC_SECONDS * 1000)) * 100).toFixed(1)}% of the agent's default ${RESYNC_SECONDS} s resync period. ` +
      (anchorError
        ? `No anchor: ${anchorError}.`
        : `Anchor: keepalived -t reading and checking the same table as keepalived.conf (no programming), ` +
          `process start included (${fmt(median(keepalivedSeedMs))} ms for the seed-sized config); runs alternate between the two.`),
  }),
  figure({
    id: 'f-plan-time-plan-only',
    title: `Planning ${size} (plan alone, input already validated)`,
    unit: 'ms',
    better: 'lower',
    ours: { label: 'lvs-operator plan', samples: planMs },
    note:
      'The planner alone, as the controller runs it on objects the API server has already validated and defaulted. ' +
      'No anchor: keepalived has no step that starts from checked input.',
  }),
  figure({
    id: 'f-plan-time-edit',
    title: `The controller's pass after one edit, ${size}`,
    unit: 'ms',
    better: 'lower',
    ours: { label: 'lvs-operator validate (each object version once) + plan', samples: editMs },
    ...(anchorError ? {} : { anchor: { label: 'keepalived -t, equivalent keepalived.conf', samples: keepalivedMs } }),
    note:
      `Median of ${RUNS}: one RealServer's weight edited (a new resourceVersion), the rest as the informers hold them; ` +
      'the edited object is checked on its own, the checks across objects and the plan run over the whole world. ' +
      'Anchor: keepalived has to read and check its whole config again for any edit.',
  }),
  figure({
    id: 'f-plan-memory',
    title: `Memory for planning ${size}`,
    unit: 'MiB',
    better: 'lower',
    ours: { label: 'lvs-operator peak RSS growth', value: round(onePlanPeakMiB, 2) },
    ...(keepalivedBigMiB !== undefined && keepalivedSeedMiB !== undefined
      ? { anchor: { label: 'keepalived -t peak RSS growth', value: round(keepalivedBigMiB - keepalivedSeedMiB, 2) } }
      : {}),
    note:
      `Peak RSS of one validate + plan over the process before the objects existed: the objects, the work and its garbage. ` +
      `After ${1 + RUNS} back-to-back runs the peak is ${repeatedPeakMiB.toFixed(0)} MiB, as V8 grows its heap rather than collect; ` +
      `${retainedHeapMiB.toFixed(1)} MiB of heap stay in use after a collection (objects, validated copies, the last plan). ` +
      `Anchor: keepalived -t's peak RSS with the equivalent config minus with the seed-sized one.`,
  }),
];

const path = await writeRun('plan', figures);
for (const f of figures)
  console.log(
    `${f.id}: ours ${f.ours.value.toFixed(1)} ${f.unit}` +
      (f.anchor ? `, anchor ${f.anchor.value.toFixed(1)} ${f.unit}, ratio ${f.ratio?.toFixed(2)}` : ''),
  );
console.log(`wrote ${path}`);
