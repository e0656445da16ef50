// The keepalived driver against the real keepalived (Debian 2.2.7) and the real kernel: two
// directors, each a network namespace on one bridge, each with its own KeepalivedSupervisor
// (option netns: keepalived runs under `ip netns exec`, the FIFO and files are reached from here).
// Timings are printed, not asserted: they belong to the benchmarks; the limits on the waits only
// stop a hung test (a loaded machine has taken 3.8 s to the first MASTER). Needs root.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LVSNodeSpec, VrrpInstancePlan } from '../../../src/core/api/objects.js';
import { readPidFile, waitFor } from '../../../src/node/dataplane/keepalived/process.js';
import type { HandoverResult, KeepalivedSupervisorOptions } from '../../../src/node/dataplane/keepalived/supervisor.js';
import { KeepalivedSupervisor } from '../../../src/node/dataplane/keepalived/supervisor.js';
import { Segment, canRunKeepalived, holds, killKeepalivedOf, msUntilHolds } from './topology.js';

const VIP = '192.0.2.100';

// As the planner makes it for two directors: no interface (found from sourceAddress), the higher
// priority starts MASTER, preempt, VRRPv2 with advert 1 s and PASS authentication.
function vrrpSpec(sourceAddress: string, priority: number, initialState: 'MASTER' | 'BACKUP'): LVSNodeSpec {
  const instance: VrrpInstancePlan = {
    name: 'VI_10',
    owners: ['default/web'],
    virtualRouterID: 10,
    version: 2,
    sourceAddress,
    virtualAddresses: [VIP],
    priority,
    initialState,
    advertInterval: 1,
    preempt: true,
    preemptDelay: 0,
    authPassword: 'kd-test',
  };
  return { vrrp: { instances: [instance] } };
}

const log = (message: string) => console.log(`[keepalived-driver] ${message}`);

describe.skipIf(!canRunKeepalived)('KeepalivedSupervisor with the real keepalived, two directors in netns', () => {
  const segment = new Segment(String(process.pid));
  const stateDirs: string[] = [];
  const supervisors: KeepalivedSupervisor[] = [];
  let nsA = '';
  let nsB = '';
  let optionsA: KeepalivedSupervisorOptions;
  let optionsB: KeepalivedSupervisorOptions;
  let a: KeepalivedSupervisor;
  let b: KeepalivedSupervisor;
  const specA = vrrpSpec('192.0.2.2', 150, 'MASTER');
  /** B's states and handovers as its supervisors report them. */
  const statesOfB: string[] = [];
  const handoversOfB: HandoverResult[] = [];
  let specB = vrrpSpec('192.0.2.3', 100, 'BACKUP');

  const supervisor = (options: KeepalivedSupervisorOptions) => {
    const s = new KeepalivedSupervisor(options);
    supervisors.push(s);
    return s;
  };
  const state = (s: KeepalivedSupervisor) => s.states().get('VI_10')?.state;
  const pidOf = (options: KeepalivedSupervisorOptions) => readPidFile(join(options.stateDir, 'keepalived.pid'));

  beforeAll(() => {
    segment.create();
    nsA = segment.addHost('a', '192.0.2.2');
    nsB = segment.addHost('b', '192.0.2.3');
    for (const name of ['a', 'b']) stateDirs.push(mkdtempSync(join(tmpdir(), `lvs-kd-${name}-`)));
    optionsA = { nodeName: 'lvs-a', stateDir: stateDirs[0]!, netns: nsA };
    optionsB = {
      nodeName: 'lvs-b',
      stateDir: stateDirs[1]!,
      netns: nsB,
      onStateChange: (_, current) => statesOfB.push(current.state),
      onHandover: (result) => handoversOfB.push(result),
    };
    a = supervisor(optionsA);
    b = supervisor(optionsB);
  });

  afterAll(async () => {
    for (const s of supervisors) await s.stop({ release: true }).catch(() => {});
    for (const dir of stateDirs) {
      await killKeepalivedOf(dir);
      rmSync(dir, { recursive: true, force: true });
    }
    segment.destroy();
  });

  it('the higher priority becomes MASTER and holds the VIP, the other BACKUP', async () => {
    const start = performance.now();
    expect(await a.ensure(specA)).toEqual({ action: 'started' });
    expect(await b.ensure(specB)).toEqual({ action: 'started' });
    expect(await msUntilHolds(nsA, VIP, 20_000)).toBeDefined();
    log(`start -> VIP on the MASTER after ${Math.round(performance.now() - start)} ms`);
    expect(await waitFor(async () => state(a) === 'MASTER' && state(b) === 'BACKUP', 10_000)).toBe(true);
    expect(await holds(nsB, VIP)).toBe(false);
  }, 60_000);

  it('an unchanged spec changes nothing; a changed priority reloads exactly once', async () => {
    const [pidA, pidB] = [await pidOf(optionsA), await pidOf(optionsB)];
    expect(await a.ensure(specA)).toEqual({ action: 'none' });
    expect(await b.ensure(specB)).toEqual({ action: 'none' });

    specB = vrrpSpec('192.0.2.3', 200, 'BACKUP');
    expect(await b.ensure(specB)).toEqual({ action: 'reloaded' });
    expect(await b.ensure(specB)).toEqual({ action: 'none' });
    expect([await pidOf(optionsA), await pidOf(optionsB)]).toEqual([pidA, pidB]); // reloaded, not restarted
    // keepalived did load it: with priority 200 and preempt, B takes the VIP over.
    const ms = await msUntilHolds(nsB, VIP, 20_000);
    expect(ms).toBeDefined();
    log(`reload with priority 200 -> VIP on B (preempt) after ${ms} ms`);
    expect(await waitFor(async () => state(a) === 'BACKUP' && state(b) === 'MASTER', 5_000)).toBe(true);
    expect(await holds(nsA, VIP)).toBe(false);
  }, 60_000);

  it('a new supervisor adopts the running keepalived and the VIP never moves', async () => {
    const samples: boolean[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const [onB, onA] = await Promise.all([holds(nsB, VIP), holds(nsA, VIP)]);
        samples.push(onB && !onA);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const pid = await pidOf(optionsB);
    const start = performance.now();
    await b.stop({ release: false }); // the agent goes away, keepalived stays
    b = supervisor(optionsB);
    expect(await b.ensure(specB)).toEqual({ action: 'adopted' });
    expect(await pidOf(optionsB)).toBe(pid);
    expect(state(b)).toBe('MASTER'); // from the VIP on eth0: the FIFO had nothing new to say
    expect(await b.ensure(specB)).toEqual({ action: 'none' });
    // Longer than a master-down interval (3 adverts of 1 s and the skew), and at least 20 looks at
    // the VIP however slowly a loaded machine runs ip(8): the span and the count, not a rate.
    const watched = performance.now();
    while (performance.now() - watched < 3_000 || samples.length <= 20) await new Promise((r) => setTimeout(r, 50));
    polling = false;
    await poller;
    const every = Math.round((performance.now() - start) / samples.length);
    log(
      `adoption: ${samples.length} samples of the VIP (one per ${every} ms), all on B only: ${samples.every(Boolean)}`,
    );
    expect(samples.length).toBeGreaterThan(20);
    expect(samples.every(Boolean)).toBe(true);
  }, 60_000);

  it('stop({ release: true }) on the MASTER hands the VIP to the BACKUP while still holding it', async () => {
    statesOfB.length = 0;
    const start = performance.now();
    // Who holds the VIP, looked at every 50 ms during the handover: a figure, not a verdict (a
    // gap shorter than a look can hide between two).
    const looks: string[] = [];
    let looking = true;
    const looker = (async () => {
      while (looking) {
        const [onA, onB] = await Promise.all([holds(nsA, VIP), holds(nsB, VIP)]);
        looks.push(onA && onB ? 'both' : onA ? 'A' : onB ? 'B' : 'none');
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const moved = msUntilHolds(nsA, VIP, 20_000);
    await b.stop({ release: true });
    const stopMs = Math.round(performance.now() - start);
    const ms = await moved;
    looking = false;
    await looker;
    expect(ms).toBeDefined();
    log(
      `release (demoted to priority 1, advert 1 s): VIP on A after ${ms} ms; stop() returned after ${stopMs} ms; ${looks.length} looks: ${looks.filter((l) => l === 'none').length} with no holder, ${looks.filter((l) => l === 'both').length} with both`,
    );
    // B yielded to A's adverts (BACKUP: A was MASTER and advertising) before it stopped: the
    // VIP went from B to A, never from B to nobody.
    expect(handoversOfB).toMatchObject([{ instances: ['VI_10'], yielded: true }]);
    expect(statesOfB).toEqual(['BACKUP', 'STOP']);
    expect(await holds(nsB, VIP)).toBe(false);
    expect(state(b)).toBe('STOP');
    expect(await waitFor(async () => state(a) === 'MASTER', 5_000)).toBe(true);
  }, 60_000);

  it('SIGKILL of the MASTER keepalived moves the VIP after the master-down interval', async () => {
    b = supervisor(optionsB);
    expect(await b.ensure(specB)).toEqual({ action: 'started' });
    expect(await msUntilHolds(nsB, VIP, 20_000)).toBeDefined(); // B (200) preempts A (150)
    expect(await waitFor(async () => state(a) === 'BACKUP' && state(b) === 'MASTER', 5_000)).toBe(true);

    const vrrpPid = (await readPidFile(join(optionsB.stateDir, 'keepalived-vrrp.pid')))!;
    const parentPid = (await pidOf(optionsB))!;
    const start = performance.now();
    process.kill(vrrpPid, 'SIGKILL'); // first, so that the parent does not respawn it
    process.kill(parentPid, 'SIGKILL');
    const ms = await msUntilHolds(nsA, VIP, 20_000);
    expect(ms).toBeDefined();
    log(`crash (SIGKILL, advert 1 s, backup priority 150): VIP on A after ${Math.round(performance.now() - start)} ms`);
    expect(await waitFor(async () => state(a) === 'MASTER', 5_000)).toBe(true);
    // The supervisor notices the FIFO's writer is gone and keepalived with it.
    expect(await waitFor(async () => state(b) === 'STOP', 5_000)).toBe(true);
  }, 60_000);
});
