// The supervisor's decisions against a fake keepalived (fake-keepalived.ts): when it writes the
// config, starts, adopts, reloads (counted by the fake's SIGHUP log) and stops. The real
// keepalived, VRRP and the VIPs are in test/integration/keepalived-driver.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LVSNodeSpec, VrrpInstancePlan } from '../../../src/core/api/objects.js';
import type { HandoverResult, InstanceState } from '../../../src/node/dataplane/keepalived/supervisor.js';
import { KeepalivedSupervisor } from '../../../src/node/dataplane/keepalived/supervisor.js';
import { NotifyFifoReader } from '../../../src/node/dataplane/keepalived/notify-fifo-reader.js';
import { isAlive, readPidFile, waitFor } from '../../../src/node/dataplane/keepalived/process.js';
import { reloadsSeen, runWithAddresses, writeFakeKeepalived } from './fake-keepalived.js';

const ipAddr = readFileSync(new URL('fixtures/ip-addr-show.json', import.meta.url), 'utf8'); // eth0 holds 192.0.2.2 and the VIP 192.0.2.100

function instance(overrides: Partial<VrrpInstancePlan> = {}): VrrpInstancePlan {
  return {
    name: 'VI_10',
    owners: ['default/web'],
    virtualRouterID: 10,
    version: 2,
    interface: 'eth0',
    virtualAddresses: ['192.0.2.100'],
    priority: 150,
    initialState: 'MASTER',
    advertInterval: 1,
    preempt: true,
    preemptDelay: 0,
    ...overrides,
  };
}
const spec = (...instances: VrrpInstancePlan[]): LVSNodeSpec => ({ vrrp: { instances } });

let dir: string;
let stateDir: string;
let supervisors: KeepalivedSupervisor[];
let changes: [string, InstanceState][];

function supervisor(
  options: { rejectConfig?: boolean; calls?: string[][]; onHandover?: (r: HandoverResult) => void } = {},
): KeepalivedSupervisor {
  const s = new KeepalivedSupervisor({
    nodeName: 'lvs01',
    stateDir,
    keepalivedPath: writeFakeKeepalived(dir, options),
    run: runWithAddresses(() => ipAddr, options.calls),
    onStateChange: (name, current) => changes.push([name, current]),
    onHandover: options.onHandover,
    stopTimeoutMs: 3_000,
  });
  supervisors.push(s);
  return s;
}
const pid = () => readPidFile(join(stateDir, 'keepalived.pid'));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvs-kd-unit-'));
  stateDir = join(dir, 'state');
  supervisors = [];
  changes = [];
});
afterEach(async () => {
  for (const s of supervisors) await s.stop({ release: false });
  const p = await pid();
  if (p !== undefined && (await isAlive(p))) process.kill(p, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('KeepalivedSupervisor (fake keepalived)', () => {
  it('the same spec twice: started, then none, without rewriting the config or reloading', async () => {
    const s = supervisor();
    expect(await s.ensure(spec(instance()))).toEqual({ action: 'started' });
    const config = join(stateDir, 'keepalived.conf');
    const before = statSync(config);
    const first = await pid();
    expect(await s.ensure(spec(instance()))).toEqual({ action: 'none' });
    expect(statSync(config).mtimeMs).toBe(before.mtimeMs);
    expect(statSync(config).ino).toBe(before.ino);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(await pid()).toBe(first);
    expect(reloadsSeen(stateDir)).toBe(0);
    expect(readFileSync(config, 'utf8')).toContain(`notify_fifo ${join(stateDir, 'notify.fifo')}`);
    expect(statSync(join(stateDir, 'notify.fifo')).isFIFO()).toBe(true);
  });

  it('a changed priority reloads exactly once; the unchanged spec after it does not', async () => {
    const s = supervisor();
    await s.ensure(spec(instance()));
    const first = await pid();
    expect(await s.ensure(spec(instance({ priority: 120 })))).toEqual({ action: 'reloaded' });
    expect(await waitFor(async () => reloadsSeen(stateDir) === 1, 10_000)).toBe(true);
    expect(await s.ensure(spec(instance({ priority: 120 })))).toEqual({ action: 'none' });
    await new Promise((r) => setTimeout(r, 300));
    expect(reloadsSeen(stateDir)).toBe(1);
    expect(await pid()).toBe(first);
    expect(readFileSync(join(stateDir, 'keepalived.conf'), 'utf8')).toContain('priority 120');
  });

  it('a new supervisor adopts the running keepalived: no restart, no reload, state from the VIP', async () => {
    await supervisor().ensure(spec(instance()));
    const first = await pid();
    await supervisors[0]!.stop({ release: false });
    expect(await isAlive(first!)).toBe(true);

    const next = supervisor();
    expect(next.states().size).toBe(0);
    expect(await next.ensure(spec(instance()))).toEqual({ action: 'adopted' });
    expect(await pid()).toBe(first);
    expect(next.states().get('VI_10')?.state).toBe('MASTER'); // eth0 holds 192.0.2.100
    expect(changes.at(-1)).toEqual(['VI_10', expect.objectContaining({ state: 'MASTER' })]);
    expect(await next.ensure(spec(instance()))).toEqual({ action: 'none' });
    expect(reloadsSeen(stateDir)).toBe(0);
  });

  it('adopting with a changed spec reloads once instead', async () => {
    await supervisor().ensure(spec(instance()));
    await supervisors[0]!.stop({ release: false });
    expect(await supervisor().ensure(spec(instance({ priority: 90 })))).toEqual({ action: 'reloaded' });
    expect(await waitFor(async () => reloadsSeen(stateDir) === 1, 10_000)).toBe(true);
  });

  it('reloads when the previous agent wrote the config but died before the SIGHUP', async () => {
    await supervisor().ensure(spec(instance()));
    await supervisors[0]!.stop({ release: false });
    writeFileSync(join(stateDir, 'keepalived.loaded'), 'sha256 of an older config');
    expect(await supervisor().ensure(spec(instance()))).toEqual({ action: 'reloaded' });
  });

  it('does not adopt a pid file naming a process that is not our keepalived', async () => {
    const s = supervisor();
    await s.ensure(spec(instance()));
    await s.stop({ release: true });
    writeFileSync(join(stateDir, 'keepalived.pid'), `${process.pid}\n`); // alive, but node
    expect(await supervisor().ensure(spec(instance()))).toEqual({ action: 'started' });
    expect(await pid()).not.toBe(process.pid);
  });

  it('stop({ release: true }) ends keepalived; no instances stops it too', async () => {
    const s = supervisor();
    await s.ensure(spec(instance()));
    const first = (await pid())!;
    await s.stop({ release: true });
    expect(await isAlive(first)).toBe(false);
    expect(s.states().get('VI_10')?.state).toBe('STOP');

    expect(await s.ensure(spec(instance()))).toEqual({ action: 'started' });
    const second = (await pid())!;
    expect(await s.ensure({})).toEqual({ action: 'stopped' });
    expect(await isAlive(second)).toBe(false);
    expect(await s.ensure({ vrrp: { instances: [] } })).toEqual({ action: 'none' });
  });

  it('a config keepalived rejects is neither written nor loaded', async () => {
    const s = supervisor({ rejectConfig: true });
    const result = await s.ensure(spec(instance()));
    expect(result.action).toBe('none');
    expect(result.error).toMatch(/keepalived rejects the config \(exit 1\)/);
    expect(() => statSync(join(stateDir, 'keepalived.conf'))).toThrow();
    expect(await pid()).toBeUndefined();
  });

  it('finds the interface of an instance without one from its source address', async () => {
    const calls: string[][] = [];
    const s = supervisor({ calls });
    await s.ensure(spec(instance({ interface: undefined, sourceAddress: '192.0.2.2' })));
    expect(readFileSync(join(stateDir, 'keepalived.conf'), 'utf8')).toContain('interface eth0');
    expect(calls).toContainEqual(['ip', '-j', 'addr', 'show']);
    const missing = await s.ensure(spec(instance({ interface: undefined, sourceAddress: '192.0.2.77' })));
    expect(missing).toEqual({ action: 'none', error: 'vrrp instance VI_10: no interface holds 192.0.2.77' });
  });

  it("gives the sync daemon the instance's interface, looked up in keepalived's network namespace", async () => {
    const calls: string[][] = [];
    const s = new KeepalivedSupervisor({
      nodeName: 'lvs01',
      stateDir,
      netns: 'lvs-ns',
      run: runWithAddresses(() => ipAddr, calls),
    });
    supervisors.push(s);
    const plan = spec(
      instance({ interface: undefined, sourceAddress: '192.0.2.2' }),
      instance({ name: 'VI_11', virtualRouterID: 11 }),
    );
    expect(await s.interfaceFor(plan, 10)).toBe('eth0');
    expect(calls).toEqual([['ip', '-n', 'lvs-ns', '-j', 'addr', 'show']]);
    expect(await s.interfaceFor(plan, 11)).toBe('eth0'); // the plan's own: no lookup
    expect(await s.interfaceFor(plan, 12)).toBeUndefined();
    expect(calls).toHaveLength(1);
  });

  it('reads states from the notify FIFO, and again after the writer closed it', async () => {
    // the reader's opens, counted: the second is the one after the writer closed the FIFO
    const opens = vi.spyOn(NotifyFifoReader.prototype as unknown as { open(): Promise<void> }, 'open');
    const s = supervisor();
    await s.ensure(spec(instance(), instance({ name: 'VI_11', virtualRouterID: 11 })));
    const fifo = join(stateDir, 'notify.fifo');
    writeFileSync(fifo, 'INSTANCE "VI_10" BACKUP 150\nINSTANCE "VI_10" MASTER 150\nINSTANCE "VI_99" MASTER 1\n');
    expect(await waitFor(async () => s.states().get('VI_10')?.state === 'MASTER', 10_000)).toBe(true);
    // The writer closed: EOF; the reader opens the FIFO again (after 100 ms) for the next writer.
    // Written once it has (a write with no reader would block this process, and the reader in it).
    expect(await waitFor(async () => opens.mock.calls.length >= 2, 10_000)).toBe(true);
    await opens.mock.results[1]!.value;
    writeFileSync(fifo, 'INSTANCE "VI_11" FAULT 150\n');
    expect(await waitFor(async () => s.states().get('VI_11')?.state === 'FAULT', 10_000)).toBe(true);
    expect(s.states().has('VI_99')).toBe(false); // not in the spec
    const vi10 = changes.filter(([name]) => name === 'VI_10').map(([, c]) => c.state);
    expect(vi10).toEqual(['STOP', 'BACKUP', 'MASTER']); // STOP: nothing ran before the start
    opens.mockRestore();
  });

  describe('a release while MASTER (make-before-break)', () => {
    /** Writes keepalived's notify lines, each write once the reader has the FIFO open again. */
    async function notifier(s: KeepalivedSupervisor) {
      const opens = vi.spyOn(NotifyFifoReader.prototype as unknown as { open(): Promise<void> }, 'open');
      const fifo = join(stateDir, 'notify.fifo');
      let writes = 0;
      const write = async (line: string) => {
        // a write with no reader would block this process, and the reader in it
        expect(await waitFor(async () => opens.mock.calls.length > writes, 10_000)).toBe(true);
        await opens.mock.results[writes]!.value;
        writes += 1;
        writeFileSync(fifo, `${line}\n`);
      };
      return { write, restore: () => opens.mockRestore(), state: () => s.states().get('VI_10')?.state };
    }

    it('reloads it with priority 1, keeps it running until it reports BACKUP, then stops it', async () => {
      const handovers: HandoverResult[] = [];
      const s = supervisor({ onHandover: (r) => handovers.push(r) });
      const keepalived = await notifier(s);
      await s.ensure(spec(instance()));
      const first = (await pid())!;
      await keepalived.write('INSTANCE "VI_10" MASTER 150');
      expect(await waitFor(async () => keepalived.state() === 'MASTER', 10_000)).toBe(true);
      const stopping = s.stop({ release: true });
      expect(await waitFor(async () => reloadsSeen(stateDir) === 1, 10_000)).toBe(true);
      expect(readFileSync(join(stateDir, 'keepalived.conf'), 'utf8')).toMatch(/^\s+priority 1$/m);
      expect(await isAlive(first)).toBe(true); // it still holds the VIP while the backup takes over
      await keepalived.write('INSTANCE "VI_10" BACKUP 1'); // it heard the new master's advert
      await stopping;
      expect(await isAlive(first)).toBe(false);
      expect(handovers).toEqual([{ instances: ['VI_10'], yielded: true, ms: expect.any(Number) }]);
      const vi10 = changes.filter(([name]) => name === 'VI_10').map(([, c]) => c.state);
      expect(vi10).toEqual(['STOP', 'MASTER', 'BACKUP', 'STOP']);
      keepalived.restore();
    });

    it('stops it anyway once no backup took over within the wait (one director)', async () => {
      const handovers: HandoverResult[] = [];
      const s = supervisor({ onHandover: (r) => handovers.push(r) });
      const keepalived = await notifier(s);
      await s.ensure(spec(instance({ advertInterval: 0.1, version: 3 })));
      const first = (await pid())!;
      await keepalived.write('INSTANCE "VI_10" MASTER 150');
      expect(await waitFor(async () => keepalived.state() === 'MASTER', 10_000)).toBe(true);
      await s.stop({ release: true });
      expect(reloadsSeen(stateDir)).toBe(1);
      expect(await isAlive(first)).toBe(false);
      expect(handovers).toMatchObject([{ instances: ['VI_10'], yielded: false }]);
      expect(handovers[0]!.ms).toBeGreaterThanOrEqual(2_000);
      keepalived.restore();
    });

    it('still stops keepalived when the handover cannot be made (its config refused)', async () => {
      const handovers: HandoverResult[] = [];
      let refuse = false;
      const base = runWithAddresses(() => ipAddr);
      const s = new KeepalivedSupervisor({
        nodeName: 'lvs01',
        stateDir,
        keepalivedPath: writeFakeKeepalived(dir),
        run: async (argv, o) =>
          refuse && argv.includes('--config-test') ? { code: 1, stdout: '', stderr: 'refused' } : base(argv, o),
        onHandover: (r) => handovers.push(r),
        stopTimeoutMs: 3_000,
      });
      supervisors.push(s);
      const keepalived = await notifier(s);
      await s.ensure(spec(instance()));
      const first = (await pid())!;
      await keepalived.write('INSTANCE "VI_10" MASTER 150');
      expect(await waitFor(async () => keepalived.state() === 'MASTER', 10_000)).toBe(true);
      refuse = true;
      await s.stop({ release: true });
      expect(await isAlive(first)).toBe(false);
      expect(reloadsSeen(stateDir)).toBe(0);
      expect(handovers).toMatchObject([
        { instances: ['VI_10'], yielded: false, error: expect.stringContaining('refused') },
      ]);
      keepalived.restore();
    });

    it('an ensure without instances hands over the same way before it stops keepalived', async () => {
      const handovers: HandoverResult[] = [];
      const s = supervisor({ onHandover: (r) => handovers.push(r) });
      const keepalived = await notifier(s);
      await s.ensure(spec(instance()));
      await keepalived.write('INSTANCE "VI_10" MASTER 150');
      expect(await waitFor(async () => keepalived.state() === 'MASTER', 10_000)).toBe(true);
      const emptied = s.ensure({});
      expect(await waitFor(async () => reloadsSeen(stateDir) === 1, 10_000)).toBe(true);
      await keepalived.write('INSTANCE "VI_10" BACKUP 1');
      expect(await emptied).toEqual({ action: 'stopped' });
      expect(handovers).toMatchObject([{ instances: ['VI_10'], yielded: true }]);
      keepalived.restore();
    });
  });
});
