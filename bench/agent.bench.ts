// The node agent's own work per change at 10,000 destinations (1,000 services x 10), on the host,
// with the kernel left out: local mode's plan source reading the node's LVSNode file (parse and
// validate) and the agent's pass over an IPVS stand-in that answers at once. What the VM figures
// (bench/vm/scale.ts) add to this is the kernel's and the emulation's. Run with `npm run
// bench:agent`; writes bench/results/agent.json. Figures only, nothing passes or fails.
//
// Anchor: none here. keepalived's reload is measured in the VM beside the agent's (vm.json); on
// the host there is no IPVS to reload into.
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LVSNodeSpec } from '../src/core/api/objects.js';
import { validateObjects } from '../src/core/api/validate/index.js';
import { canonicalTable } from '../src/core/ipvs/canonical.js';
import type { IpvsTable } from '../src/core/ipvs/model.js';
import { operationLine } from '../src/core/ipvs/operations.js';
import { applyRestoreLines } from '../src/core/ipvs/restore-sim.js';
import { plan } from '../src/core/plan/plan.js';
import { NodeAgent } from '../src/node/agent.js';
import type { AgentDrivers } from '../src/node/drivers.js';
import type { HealthTracker } from '../src/node/health/health-tracker.js';
import { healthKey } from '../src/node/health/health-key.js';
import { applyHealth } from '../src/node/health/overlay.js';
import type { IpvsInterface, IpvsOperation } from '../src/node/ipvs/interface.js';
import { ManifestPlanSource } from '../src/node/sources/manifests.js';
import { EMPTY_STATE } from '../src/node/state.js';
import { fleet } from './fleet.js';
import { figure, median, writeRun } from './results.js';

const SERVICES = 1000;
const PER_SERVICE = 10;
const RUNS = 9;

/** lvs01's LVSNode for the fleet, IPVS only, as bench/vm/inputs.ts writes it for the VM. */
function scaleSpec(): LVSNodeSpec {
  const objects = fleet({
    virtualServices: SERVICES,
    realServersPerService: PER_SERVICE,
    spec: { healthCheck: { type: 'TCP' } } as never,
    realServerAddresses: Array.from({ length: PER_SERVICE }, (_, i) => `198.51.100.${i + 1}`),
  });
  const checked = validateObjects(objects);
  if (checked.errors.length) throw new Error(`fleet: ${checked.errors[0]!.message}`);
  return { ipvs: plan(checked.valid).nodes.get('lvs01')!.ipvs! };
}

/**
 * An in-memory IPVS (the restore simulator, as the unit tests' fake) whose own time is counted
 * apart, so that it can be taken out: the kernel's share is the VM's figure.
 */
class InstantIpvs implements IpvsInterface {
  readonly readsThresholds = true;
  table: IpvsTable = { services: [] };
  operations = 0;
  ownMs = 0;
  async services() {
    const t0 = performance.now();
    const table = canonicalTable(this.table);
    this.ownMs += performance.now() - t0;
    return table;
  }
  /** Called with each batch, after it is applied. */
  onApply: (ops: readonly IpvsOperation[]) => void = () => {};
  async apply(ops: readonly IpvsOperation[]) {
    const t0 = performance.now();
    this.operations += ops.length;
    this.table = applyRestoreLines(this.table, ops.map(operationLine));
    this.ownMs += performance.now() - t0;
    this.onApply(ops);
    return { results: ops.map((op) => ({ op })) };
  }
  async connections() {
    return [];
  }
  async stats() {
    return [];
  }
  async syncDaemons() {
    return [];
  }
  async startSyncDaemon() {}
  async stopSyncDaemon() {}
}

function drivers(ipvs: IpvsInterface): AgentDrivers {
  return {
    loadModule: async () => {},
    sysctls: async (_desired, originals) => ({ memory: originals, errors: [] }),
    addresses: async (desired) => ({ owned: desired, errors: [] }),
    ipvs,
    syncDaemons: async () => {},
    vrrp: {
      ensure: async () => ({ action: 'none' }),
      states: () => new Map(),
      interfaceFor: async () => 'eth0',
      stop: async () => {},
    },
  };
}

/**
 * The checks' verdicts as the agent sees them (the health monitor's map), set by the benchmark:
 * what is measured starts once a check has decided, as keepalived's figure would.
 */
function verdicts() {
  const health = new Map<string, boolean>();
  let listener = () => {};
  const tracker: HealthTracker = {
    update: () => {},
    table: (services) => applyHealth(services, health).table,
    snapshot: () => [],
    onChange: (l) => void (listener = l),
    stop: () => {},
  };
  return { tracker, health, decide: () => listener() };
}

const lvsNode = (spec: LVSNodeSpec) =>
  JSON.stringify({ apiVersion: 'lvs-operator.io/v1alpha1', kind: 'LVSNode', metadata: { name: 'lvs01' }, spec });

async function main(): Promise<void> {
  const a = scaleSpec();
  const b = structuredClone(a);
  const edited = b.ipvs!.services![Math.floor(SERVICES / 2)]!;
  edited.destinations[0]!.weight = 2;
  const files = { a: lvsNode(a), b: lvsNode(b) };
  const dir = mkdtempSync(join(tmpdir(), 'lvs-bench-agent-'));
  const manifests = join(dir, 'manifests');
  mkdirSync(manifests);
  const put = (text: string) => {
    writeFileSync(join(dir, 'next.json'), text);
    renameSync(join(dir, 'next.json'), join(manifests, 'lvsnode.json'));
  };
  put(files.a);
  const source = new ManifestPlanSource(manifests, 'lvs01');
  const ipvs = new InstantIpvs();
  const verdict = verdicts();
  const health = verdict.tracker;
  let readMs = 0;
  const agent = new NodeAgent({
    nodeName: 'lvs01',
    stateDir: join(dir, 'state'),
    plan: {
      read: () => {
        const t0 = performance.now();
        const read = source.read();
        readMs = performance.now() - t0;
        return read;
      },
    },
    drivers: drivers(ipvs),
    health,
    state: structuredClone(EMPTY_STATE),
    report: () => {},
  });
  mkdirSync(join(dir, 'state'));

  const timed = async (observe: boolean) => {
    const before = { operations: ipvs.operations, ms: ipvs.ownMs };
    const t0 = performance.now();
    await agent.reconcile({ observe });
    const total = performance.now() - t0 - (ipvs.ownMs - before.ms);
    return { total, read: readMs, pass: total - readMs, operations: ipvs.operations - before.operations };
  };
  const cold = await timed(true);
  const change: ReturnType<typeof timed> extends Promise<infer T> ? T[] : never = [];
  for (let i = 0; i < RUNS; i++) {
    put(i % 2 === 0 ? files.b : files.a);
    change.push(await timed(false));
  }
  // A check decides: one destination down (inhibit: weight 0), then up again, in turn.
  const checked = a.ipvs!.services![SERVICES - 1]!;
  const key = healthKey(checked, checked.destinations[0]!);
  const healthChange: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const applied = new Promise<readonly IpvsOperation[]>((resolve) => (ipvs.onApply = resolve));
    const before = ipvs.ownMs;
    const t0 = performance.now();
    verdict.health.set(key, i % 2 === 1);
    verdict.decide();
    const ops = await applied;
    healthChange.push(performance.now() - t0 - (ipvs.ownMs - before));
    if (ops.length !== 1) throw new Error(`a health change sent ${ops.length} operations`);
    await agent.reconcile({ observe: false }); // the queue is empty again
  }
  rmSync(dir, { recursive: true, force: true });
  const ms = (xs: number[]) => xs.map((x) => Math.round(x * 10) / 10);
  console.log(JSON.stringify({ cold, change, healthChange }, null, 1));
  await writeRun('agent', [
    figure({
      id: 'c-agent-change-host',
      title: 'The agent’s own work for one weight change at 10,000 destinations (host, kernel left out)',
      unit: 'ms',
      better: 'lower',
      ours: {
        label: 'lvs-operator local mode: read + validate the LVSNode, one pass',
        value: median(change.map((c) => c.total)),
        samples: ms(change.map((c) => c.total)),
      },
      note: `Median of ${RUNS} changes, each the LVSNode file replaced with one destination's weight changed; of it, reading and validating the file ${median(change.map((c) => c.read)).toFixed(0)} ms and the pass ${median(change.map((c) => c.pass)).toFixed(0)} ms (${change[0]!.operations} operation sent). Cold pass: ${cold.total.toFixed(0)} ms (${cold.operations} operations). The IPVS interface is a stand-in that answers at once.`,
    }),
    figure({
      id: 'c-agent-health-host',
      title: 'A health check’s verdict to the IPVS operation at 10,000 destinations (host, kernel left out)',
      unit: 'ms',
      better: 'lower',
      ours: { label: 'lvs-operator agent, health fast path', samples: ms(healthChange) },
      note: `Median of ${RUNS}: from the verdict (one destination down, then up again) to the one operation that sets its weight (0, then back) handed to the IPVS interface; the pass diffs only that service. The kernel's part is the VM's figure (one SET_DEST: a few ms).`,
    }),
  ]);
}

await main();
