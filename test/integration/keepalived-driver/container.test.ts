// keepalived in a container of its own (the chart's default): the keepalived container's script
// (src/node/dataplane/keepalived/container.sh) starts the real keepalived when the agent's
// supervisor asks for it, and keeps it when the agent goes; the next agent adopts it. One director
// in a netns on a bridge; the script runs there as the pod's keepalived container would, the
// supervisors in this process as its agent container would. Needs root.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LVSNodeSpec } from '../../../src/core/api/objects.js';
import { isAlive, readPidFile, sleep, waitFor } from '../../../src/node/dataplane/keepalived/process.js';
import { KeepalivedSupervisor } from '../../../src/node/dataplane/keepalived/supervisor.js';
import { Segment, canRunKeepalived, holds, killKeepalivedOf, msUntilHolds } from './topology.js';

const VIP = '192.0.2.110';

const spec: LVSNodeSpec = {
  vrrp: {
    instances: [
      {
        name: 'VI_20',
        owners: ['default/web'],
        virtualRouterID: 20,
        version: 2,
        sourceAddress: '192.0.2.2',
        virtualAddresses: [VIP],
        priority: 150,
        initialState: 'MASTER',
        advertInterval: 1,
        preempt: true,
        preemptDelay: 0,
        authPassword: 'kd-cont',
      },
    ],
  },
};

const parentOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
};

describe.skipIf(!canRunKeepalived)('keepalived in its own container: the script and the agent', () => {
  const segment = new Segment(`c${process.pid}`);
  let ns = '';
  let stateDir = '';
  let script: ChildProcess;
  let exitCode: Promise<number | null>;
  let output = '';
  const events = () =>
    output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
  /** The script's last log line, without its time. */
  const lastEvent = () => {
    const lines = output.split('\n').filter((l) => l.startsWith('{'));
    const { time: _time, ...rest } = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    return rest;
  };
  const supervisor = () => new KeepalivedSupervisor({ nodeName: 'lvs-a', stateDir, netns: ns, startedBy: 'container' });
  const pid = () => readPidFile(join(stateDir, 'keepalived.pid'));

  beforeAll(() => {
    segment.create();
    ns = segment.addHost('a', '192.0.2.2');
    stateDir = mkdtempSync(join(tmpdir(), 'lvs-kd-cont-'));
    const path = join(import.meta.dirname, '../../../src/node/dataplane/keepalived/container.sh');
    script = spawn('ip', ['netns', 'exec', ns, 'sh', path, stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    script.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    script.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exitCode = new Promise((resolve) => script.once('exit', (code) => resolve(code)));
  });

  afterAll(async () => {
    if (script.exitCode === null) script.kill('SIGKILL');
    await killKeepalivedOf(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
    segment.destroy();
  });

  it('starts keepalived only once the agent asks, as its own child', async () => {
    await waitFor(async () => events().includes('keepalived container ready'), 10_000);
    await sleep(2_500); // two polls of the script (one a second)
    expect(await pid()).toBeUndefined();
    const agent = supervisor();
    expect(await agent.ensure(spec)).toEqual({ action: 'started' });
    const started = (await pid())!;
    expect(parentOf(started)).toBe(script.pid); // the script's child, not a daemon the agent forked
    expect(await msUntilHolds(ns, VIP, 20_000)).toBeDefined();
    await agent.stop({ release: false });
  }, 60_000);

  it('keeps keepalived when the agent goes; the next agent adopts it and the VIP stays', async () => {
    const before = (await pid())!;
    const next = supervisor();
    expect(await next.ensure(spec)).toEqual({ action: 'adopted' });
    expect(await pid()).toBe(before);
    expect(await holds(ns, VIP)).toBe(true);
    expect(next.states().get('VI_20')?.state).toBe('MASTER');
    await next.stop({ release: false });
  }, 60_000);

  it('starts keepalived again when it dies while wanted', async () => {
    const before = (await pid())!;
    const vrrpPid = (await readPidFile(join(stateDir, 'keepalived-vrrp.pid')))!;
    process.kill(vrrpPid, 'SIGKILL');
    process.kill(before, 'SIGKILL');
    expect(
      await waitFor(async () => ((await pid()) ?? before) !== before && (await isAlive((await pid())!)), 30_000),
    ).toBe(true);
    expect(events()).toContain('keepalived exited');
    expect(await msUntilHolds(ns, VIP, 20_000)).toBeDefined();
  }, 60_000);

  it('stop with release stops keepalived for good: the script does not start it again', async () => {
    const agent = supervisor();
    expect(await agent.ensure(spec)).toEqual({ action: 'adopted' });
    const last = (await pid())!;
    await agent.stop({ release: true });
    expect(await isAlive(last)).toBe(false);
    expect(existsSync(join(stateDir, 'keepalived.want'))).toBe(false);
    await sleep(2_500); // two polls of the script
    const now = await pid();
    expect(now === undefined || !(await isAlive(now))).toBe(true);
    expect(await holds(ns, VIP)).toBe(false);
  }, 60_000);

  it("the pod's SIGTERM: the script leaves keepalived to the agent's release, then exits 0", async () => {
    const agent = supervisor();
    expect(await agent.ensure(spec)).toEqual({ action: 'started' });
    const last = (await pid())!;
    expect(await waitFor(async () => agent.states().get('VI_20')?.state === 'MASTER', 20_000)).toBe(true);
    // the kubelet signals both containers at once
    script.kill('SIGTERM');
    await agent.stop({ release: true });
    expect(await exitCode).toBe(0);
    expect(await isAlive(last)).toBe(false);
    expect(lastEvent()).toEqual({ msg: 'keepalived container stopping', keepalivedStoppedBy: 'agent' });
  }, 60_000);
});

describe.skipIf(!canRunKeepalived)(
  "keepalived in its own container: the pod's SIGTERM with no agent to release",
  () => {
    const segment = new Segment(`d${process.pid}`);
    let ns = '';
    let stateDir = '';
    let script: ChildProcess;
    let output = '';

    beforeAll(() => {
      segment.create();
      ns = segment.addHost('a', '192.0.2.2');
      stateDir = mkdtempSync(join(tmpdir(), 'lvs-kd-cont2-'));
      const path = join(import.meta.dirname, '../../../src/node/dataplane/keepalived/container.sh');
      // a wait for the agent of 2 s instead of 15
      script = spawn('ip', ['netns', 'exec', ns, 'sh', path, stateDir, '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
      script.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    });

    afterAll(async () => {
      if (script.exitCode === null) script.kill('SIGKILL');
      await killKeepalivedOf(stateDir);
      rmSync(stateDir, { recursive: true, force: true });
      segment.destroy();
    });

    it('stops keepalived itself once the wait for the agent is out', async () => {
      const agent = new KeepalivedSupervisor({ nodeName: 'lvs-a', stateDir, netns: ns, startedBy: 'container' });
      expect(await agent.ensure(spec)).toEqual({ action: 'started' });
      const last = (await readPidFile(join(stateDir, 'keepalived.pid')))!;
      await agent.stop({ release: false }); // the agent is gone; keepalived is still wanted
      const exited = new Promise((resolve) => script.once('exit', (code) => resolve(code)));
      script.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await isAlive(last)).toBe(false);
      const events = output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as object);
      expect(events.at(-1)).toMatchObject({ msg: 'keepalived container stopping', keepalivedStoppedBy: 'container' });
    }, 60_000);
  },
);
