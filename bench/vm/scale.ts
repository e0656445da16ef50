// c and d: a table of 10,000 destinations (1,000 services x 10) in a namespace of its own, with
// no VRRP and no health checks (so that only programming is measured):
// - cold: lvs-operator's agent starting on its LVSNode, keepalived starting on the equivalent
//   config (checker process only), and a raw `ipvsadm -R` of the same rules;
// - one change: one destination's weight, by a new LVSNode file for the agent and a SIGHUP after
//   a new config for keepalived.
// Done is when `ipvsadm -L -n -t` of the service programmed last (or of the edited one) shows it.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundle, outDir, runDir } from '../../test/e2e/driver/env.js';
import { log, sleep } from '../../test/e2e/driver/exec.js';
import { pidsIn } from '../../test/e2e/driver/cluster.js';
import { freshNetns, rssMiB, serviceWeights, startKeepalived, timedWithInput, until } from './system.js';

export interface ScaleInputs {
  dir: string;
  meta: { destinations: number; lastService: string; editedService: string; editedDestination: string };
}

export interface ScaleResult {
  rawRestoreS: number[];
  keepalivedColdS: number[];
  keepalivedChangeS: number[];
  agentColdS: number[];
  agentChangeS: number[];
  keepalivedRssMiB: number;
  agentRssMiB: number;
  destinations: number;
}

/** The last service in `ipvsadm -R` order (the agent's batch is in that canonical order too). */
function lastRestoredService(inputs: ScaleInputs): string {
  const lines = readFileSync(join(inputs.dir, 'restore.txt'), 'utf8').split('\n');
  const last = lines.filter((l) => l.startsWith('-A ')).at(-1)!;
  return /-t (\S+)/.exec(last)![1]!;
}

async function complete(netns: string, services: string[], perService: number): Promise<boolean> {
  for (const s of services) if (((await serviceWeights(netns, s))?.size ?? 0) < perService) return false;
  return true;
}

async function weightIs(netns: string, inputs: ScaleInputs, weight: number): Promise<boolean> {
  return (await serviceWeights(netns, inputs.meta.editedService))?.get(inputs.meta.editedDestination) === weight;
}

export async function scaleRuns(inputs: ScaleInputs, samples: number): Promise<ScaleResult> {
  const perService = 10;
  const lastServices = [inputs.meta.lastService, lastRestoredService(inputs)];
  const r: ScaleResult = {
    rawRestoreS: [],
    keepalivedColdS: [],
    keepalivedChangeS: [],
    agentColdS: [],
    agentChangeS: [],
    keepalivedRssMiB: 0,
    agentRssMiB: 0,
    destinations: inputs.meta.destinations,
  };

  for (let i = 0; i < samples; i++) {
    const netns = await freshNetns('scale');
    r.rawRestoreS.push(
      (await timedWithInput(['ip', 'netns', 'exec', netns, 'ipvsadm', '-R'], join(inputs.dir, 'restore.txt'))) / 1000,
    );
  }

  // keepalived: -C (the checker process alone: IPVS, no VRRP), the config it re-reads on SIGHUP
  const conf = join(runDir, 'scale-keepalived.conf');
  for (let i = 0; i < samples; i++) {
    const netns = await freshNetns('scale');
    copyFileSync(join(inputs.dir, 'keepalived-a.conf'), conf);
    const start = Date.now();
    const pid = await startKeepalived(netns, conf, ['-C']);
    r.keepalivedColdS.push(
      (await until('keepalived to program', () => complete(netns, lastServices, perService), start, 120_000)) / 1000,
    );
    if (i === samples - 1) {
      await sleep(2000);
      r.keepalivedRssMiB = rssMiB(await pidsIn(netns, 'keepalived'));
      for (let j = 0; j < samples * 2; j++) {
        const to = j % 2 === 0 ? 2 : 1;
        copyFileSync(join(inputs.dir, to === 2 ? 'keepalived-b.conf' : 'keepalived-a.conf'), conf);
        const t0 = Date.now();
        process.kill(pid, 'SIGHUP');
        r.keepalivedChangeS.push(
          (await until('keepalived to reload', () => weightIs(netns, inputs, to), t0, 60_000)) / 1000,
        );
        await sleep(1500);
      }
    }
  }

  // lvs-operator's agent on lvs01's LVSNode (what the in-cluster agent applies)
  const manifests = join(runDir, 'scale-manifests');
  for (let i = 0; i < samples; i++) {
    const netns = await freshNetns('scale');
    rmSync(manifests, { recursive: true, force: true });
    mkdirSync(manifests, { recursive: true });
    copyFileSync(join(inputs.dir, 'a', 'lvsnode.json'), join(manifests, 'lvsnode.json'));
    const state = join(runDir, `scale-agent-${i}`);
    mkdirSync(state, { recursive: true });
    // the agent's log in the shared output dir, for a reader of a slow run
    const logFd = openSync(join(outDir, `scale-agent-${i}.log`), 'w');
    const start = Date.now();
    const agent = spawn(
      'ip',
      [
        'netns',
        'exec',
        netns,
        'node',
        bundle,
        'local',
        '--manifests',
        manifests,
        '--node',
        'lvs01',
        '--state-dir',
        state,
        '--resync-seconds',
        '3600',
      ],
      { stdio: ['ignore', logFd, logFd], detached: true },
    );
    r.agentColdS.push(
      (await until('the agent to program', () => complete(netns, lastServices, perService), start, 180_000)) / 1000,
    );
    if (i === samples - 1) {
      await sleep(2000);
      r.agentRssMiB = rssMiB(agent.pid ? [agent.pid] : []);
      for (let j = 0; j < samples * 2; j++) {
        const to = j % 2 === 0 ? 2 : 1;
        const tmp = join(manifests, '.lvsnode.json.tmp');
        copyFileSync(join(inputs.dir, to === 2 ? 'b' : 'a', 'lvsnode.json'), tmp);
        const t0 = Date.now();
        renameSync(tmp, join(manifests, 'lvsnode.json'));
        r.agentChangeS.push((await until('the agent to apply', () => weightIs(netns, inputs, to), t0, 180_000)) / 1000);
        await sleep(1500);
      }
    }
    agent.kill('SIGUSR2');
    await sleep(1000);
  }
  await freshNetns('scale');
  log(`bench scale: ${JSON.stringify(r)}`);
  return r;
}
