// The benchmarks that need a real IPVS kernel (a, b, c, d, e, g of the issue "the seed in one
// command, and benchmarks side by side with keepalived"), in one run, on the e2e topology:
//   1. lvs-operator with its defaults (bench/manifests/defaults): director crashes, the
//      connections that survive them with and without connection sync, a real server's death,
//      the agent's memory;
//   2. keepalived as the seed has it (seed-lvs0X.conf: VRRPv2 adverts every 1 s, TCP_CHECK every
//      6 s with 3 retries 3 s apart), the real servers prepared by lvs-operator's agents: the same
//      crashes and deaths, keepalived's memory;
//   3. 10,000 destinations in a namespace of their own (scale.ts);
//   4. the agent as a pod runs it (`agent`, a stand-in API server), the seed's lvs01 and the
//      10,000 destinations, each alone in a namespace: its memory (in-cluster.ts).
// Writes OUT/bench-vm.json (figures as bench/results.ts's FigureInput); scripts/bench.sh turns it
// into bench/results/vm.json. Nothing here passes or fails: a step that breaks is reported.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  agentPid,
  keepalivedPids,
  setLink,
  signalAgent,
  startAgent,
  startAgents,
  waitExit,
  useManifests,
  waitVip,
} from '../../test/e2e/driver/cluster.js';
import { waitConverged } from '../../test/e2e/driver/converge.js';
import { agentHosts, e2eDir, ns, outDir, VIP } from '../../test/e2e/driver/env.js';
import { inNs, log, must, run, sleep, topo, waitFor } from '../../test/e2e/driver/exec.js';
import type { FigureInput } from '../results.js';
import { crashMaster, type CrashResult } from './crash.js';
import { realServerDeath, type DetectionResult } from './detection.js';
import { scaleRuns, type ScaleInputs } from './scale.js';
import { CHART_NODE_OPTIONS, inClusterAgent, type InClusterRun } from './in-cluster.js';
import { pidsIn } from '../../test/e2e/driver/cluster.js';
import { rssMiB, serviceWeights, startKeepalived } from './system.js';

const SAMPLES = Number(process.env.LVS_E2E_BENCH_SAMPLES ?? 3);
const HELD = 20;
const benchManifests = join(e2eDir, '..', '..', 'bench', 'manifests');
const inputs = join(outDir, 'inputs');

interface Collected {
  ours: {
    crashes: CrashResult[];
    noSync?: CrashResult;
    deaths: DetectionResult[];
    rssMiB?: number;
    vrrpRssMiB?: number;
  };
  keepalived: { crashes: CrashResult[]; deaths: DetectionResult[]; rssMiB?: number };
  scale?: Awaited<ReturnType<typeof scaleRuns>>;
  /** The agent as a pod runs it (fake API server): the seed's lvs01 and the 10,000 destinations. */
  inCluster: { seed?: InClusterRun & { vrrpRssMiB: number }; scale?: InClusterRun; scaleDefaultHeap?: InClusterRun };
  errors: string[];
}
const got: Collected = {
  ours: { crashes: [], deaths: [] },
  keepalived: { crashes: [], deaths: [] },
  inCluster: {},
  errors: [],
};

async function attempt(what: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    got.errors.push(`${what}: ${(e as Error).message}`);
    log(`bench: ${what} failed: ${(e as Error).stack}`);
  }
}

const DEFAULTS = { forward: 'Route', flags: 'persistent 5', rsDevice: 'lo' } as const;

async function oursPhase(): Promise<void> {
  useManifests('defaults', benchManifests);
  await startAgents();
  await waitConverged(DEFAULTS, 120_000);
  await sleep(3000);
  got.ours.rssMiB = rssMiB([agentPid('lvs01')]);
  got.ours.vrrpRssMiB = rssMiB(await keepalivedPids('lvs01'));
  for (let i = 0; i < SAMPLES; i++) {
    await attempt(`ours crash ${i + 1}`, async () => {
      got.ours.crashes.push(await crashMaster({ withAgent: true, held: i === 0 ? HELD : 0 }));
    });
    await setLink('lvs01', true);
    await startAgent('lvs01');
    await waitVip('lvs01', 90_000);
    await sleep(3000);
  }
  await attempt('ours without connection sync', async () => {
    useManifests('no-sync', benchManifests);
    await waitFor(
      'the sync daemons to stop',
      async () => {
        const daemons = await Promise.all(
          ['lvs01', 'lvs02'].map((d) => run(inNs(d as 'lvs01', ['ipvsadm', '-L', '--daemon']))),
        );
        return daemons.every((r) => r.stdout.trim() === '') ? true : undefined;
      },
      60_000,
      500,
    );
    got.ours.noSync = await crashMaster({ withAgent: true, held: HELD });
    await setLink('lvs01', true);
    await startAgent('lvs01');
    await waitVip('lvs01', 90_000);
    useManifests('defaults', benchManifests);
    await sleep(5000);
  });
  for (let i = 0; i < SAMPLES; i++) {
    await attempt(`ours real server death ${i + 1}`, async () => void got.ours.deaths.push(await realServerDeath()));
  }
  for (const h of agentHosts) {
    const pid = signalAgent(h, 'SIGTERM');
    await waitExit(pid, 30_000).catch(() => process.kill(pid, 'SIGKILL'));
  }
}

async function keepalivedPhase(): Promise<void> {
  await topo('servers_down');
  await topo('servers_up', 'dr');
  // The real servers as lvs-operator prepares them (VIP on lo, ARP sysctls): not what is measured.
  useManifests('defaults', benchManifests);
  await startAgents(['nginx01', 'nginx02']);
  for (const rs of ['nginx01', 'nginx02'] as const) {
    await waitFor(
      `${rs} to hold the VIP on lo`,
      async () =>
        (await run(inNs(rs, ['ip', '-o', 'addr', 'show', 'dev', 'lo']))).stdout.includes(`${VIP}/32`)
          ? true
          : undefined,
      90_000,
      500,
    );
  }
  const startDirector = async (d: 'lvs01' | 'lvs02') => {
    // the seed's director sysctls
    await must(
      inNs(d, [
        'sysctl',
        '-qw',
        'net.ipv4.ip_forward=0',
        'net.ipv4.conf.all.send_redirects=0',
        'net.ipv4.conf.default.send_redirects=0',
        'net.ipv4.conf.eth0.send_redirects=0',
      ]),
    );
    await startKeepalived(ns(d), join(inputs, `seed-${d}.conf`));
  };
  await startDirector('lvs01');
  await startDirector('lvs02');
  await waitVip('lvs01', 60_000);
  await sleep(3000);
  got.keepalived.rssMiB = rssMiB(await keepalivedPids('lvs01'));
  for (let i = 0; i < SAMPLES; i++) {
    await attempt(`keepalived crash ${i + 1}`, async () => {
      got.keepalived.crashes.push(await crashMaster({ withAgent: false, held: 0 }));
    });
    await setLink('lvs01', true);
    await startDirector('lvs01');
    await waitVip('lvs01', 90_000);
    await sleep(3000);
  }
  for (let i = 0; i < SAMPLES; i++) {
    await attempt(
      `keepalived real server death ${i + 1}`,
      async () => void got.keepalived.deaths.push(await realServerDeath()),
    );
  }
  await topo('servers_down');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;

function figures(): FigureInput[] {
  const out: FigureInput[] = [];
  const o = got.ours;
  const k = got.keepalived;
  if (o.crashes.length && k.crashes.length) {
    out.push({
      id: 'a-failover-outage',
      title: 'Client-visible outage on a director crash',
      unit: 's',
      better: 'lower',
      ours: { label: 'lvs-operator defaults (VRRPv3, adverts every 0.1 s)', samples: o.crashes.map((c) => c.outageS) },
      anchor: { label: 'keepalived as the seed (VRRPv2, advert_int 1)', samples: k.crashes.map((c) => c.outageS) },
      note: `Longest time without an answer for a client opening a connection every 20 ms (300 ms timeout), over ${SAMPLES} crashes each: the master's link goes down, then its processes are SIGKILLed. The backup held the VIP after ${o.crashes.map((c) => c.vipS.toFixed(2)).join(', ')} s (ours) and ${k.crashes.map((c) => c.vipS.toFixed(2)).join(', ')} s (keepalived). Debian's kernel under QEMU TCG: ip(8) alone takes 0.1-0.3 s there.`,
    });
  }
  if (o.deaths.length && k.deaths.length) {
    out.push({
      id: 'b-real-server-death',
      title: "Time from a real server's death to no new connection to it",
      unit: 's',
      better: 'lower',
      ours: {
        label: 'lvs-operator defaults (TCP check every 2 s, 1 retry after 1 s)',
        samples: o.deaths.map((d) => d.detectionS),
      },
      anchor: {
        label: "keepalived, the seed's TCP_CHECK (delay_loop 6, retry 3, delay_before_retry 3)",
        samples: k.deaths.map((d) => d.detectionS),
      },
      note: `From nginx's stop (connections refused) to the master's table taking it out (weight 0 or removed), ${SAMPLES} times each; requests that failed meanwhile (a new connection every 50 ms): ${o.deaths.map((d) => d.failed).join(', ')} (ours), ${k.deaths.map((d) => d.failed).join(', ')} (keepalived).`,
    });
  }
  const withSync = o.crashes.find((c) => c.held > 0);
  if (withSync && o.noSync) {
    out.push({
      id: 'e-connections-survive',
      title: `Established TCP connections (of ${HELD}) that survive a director crash`,
      unit: 'connections',
      better: 'higher',
      ours: { label: 'lvs-operator defaults (IPVS connection sync on)', value: withSync.survived },
      anchor: { label: 'the same without connection sync (as the seed)', value: o.noSync.survived },
      note: `${HELD} keep-alive HTTP connections opened before the crash, each asked again after it: answered by the same real server = survived. Right after taking the VIP the backup's table held ${withSync.backupKnew} (with sync) and ${o.noSync.backupKnew} (without) of the client's established connections.`,
    });
  }
  if (o.rssMiB !== undefined && k.rssMiB !== undefined) {
    out.push({
      id: 'g-agent-memory',
      title: "A director's resident memory for the seed's service",
      unit: 'MiB',
      better: 'lower',
      ours: { label: 'lvs-operator agent + its VRRP-only keepalived', value: o.rssMiB + (o.vrrpRssMiB ?? 0) },
      anchor: { label: 'keepalived as the seed (VRRP and checkers)', value: k.rssMiB },
      note: `VmRSS on lvs01 once settled: the agent (Node.js) ${o.rssMiB.toFixed(1)} MiB and the keepalived it runs for VRRP ${(o.vrrpRssMiB ?? 0).toFixed(1)} MiB, against all keepalived processes of the seed's setup.`,
    });
  }
  const s = got.scale;
  if (s) {
    out.push({
      id: 'c-one-change-10k',
      title: `Applying one weight change to a table of ${s.destinations.toLocaleString('en')} destinations`,
      unit: 's',
      better: 'lower',
      ours: { label: 'lvs-operator agent (a new LVSNode)', samples: s.agentChangeS },
      anchor: { label: 'keepalived reload (SIGHUP, new config)', samples: s.keepalivedChangeS },
      note: 'From the new LVSNode file (renamed into the watched directory) or the SIGHUP to `ipvsadm -L -n -t` of the edited service showing the new weight; polled (each poll is one ipvsadm run, about 30-100 ms under TCG).',
    });
    out.push({
      id: 'd-cold-10k-keepalived',
      title: `Programming ${s.destinations.toLocaleString('en')} destinations from cold`,
      unit: 's',
      better: 'lower',
      ours: { label: 'lvs-operator agent starting on its LVSNode', samples: s.agentColdS },
      anchor: { label: 'keepalived starting on the same config (-C: checkers only)', samples: s.keepalivedColdS },
      note: "From the process start to the last programmed service complete, in an empty namespace; the agent's time includes loading Node.js and the bundle (about 3.5 s under TCG) and validating the LVSNode.",
    });
    out.push({
      id: 'd-cold-10k-ipvsadm',
      title: `Programming ${s.destinations.toLocaleString('en')} destinations from cold, against ipvsadm`,
      unit: 's',
      better: 'lower',
      ours: { label: 'lvs-operator agent starting on its LVSNode', samples: s.agentColdS },
      anchor: { label: 'ipvsadm -R of the same rules', samples: s.rawRestoreS },
      note: 'The agent programs over generic netlink (batches of 128 messages), not through ipvsadm: the anchor says what the tool alone takes for the same rules.',
    });
    out.push({
      id: 'g-agent-memory-10k',
      title: `Resident memory holding ${s.destinations.toLocaleString('en')} destinations`,
      unit: 'MiB',
      better: 'lower',
      ours: { label: 'lvs-operator agent', value: s.agentRssMiB },
      anchor: { label: 'keepalived (-C) with the same config', value: s.keepalivedRssMiB },
      note: 'VmRSS once settled, after the cold start; the agent holds no VRRP instance here.',
    });
  }
  const seed = got.inCluster.seed;
  if (seed)
    out.push({
      id: 'g-agent-memory-in-cluster',
      title: "A director's resident memory for the seed's service, the agent as a pod runs it",
      unit: 'MiB',
      better: 'lower',
      ours: {
        label: 'lvs-operator agent (in-cluster) + its VRRP-only keepalived',
        value: seed.rssMiB + seed.vrrpRssMiB,
      },
      ...(k.rssMiB !== undefined && {
        anchor: { label: 'keepalived as the seed (VRRP and checkers)', value: k.rssMiB },
      }),
      note: `VmRSS 3 s after the seed's service was programmed: \`lvs-operator agent\` with the chart's NODE_OPTIONS (ServiceAccount credentials, its LVSNode watched from a stand-in API server in its namespace) ${seed.rssMiB.toFixed(1)} MiB and its keepalived ${seed.vrrpRssMiB.toFixed(1)} MiB; the agent started to programmed in ${seed.coldS.toFixed(1)} s.`,
    });
  const scale = got.inCluster.scale;
  if (scale && s)
    out.push({
      id: 'g-agent-memory-in-cluster-10k',
      title: `Resident memory holding ${s.destinations.toLocaleString('en')} destinations, the agent as a pod runs it`,
      unit: 'MiB',
      better: 'lower',
      ours: { label: 'lvs-operator agent (in-cluster)', value: scale.rssMiB },
      anchor: { label: 'keepalived (-C) with the same config', value: s.keepalivedRssMiB },
      note:
        `VmRSS 2 s after the cold start (${scale.coldS.toFixed(1)} s from the process start to the last service complete; the LVSNode from a stand-in API server in its namespace), with the chart's NODE_OPTIONS (${CHART_NODE_OPTIONS})` +
        (got.inCluster.scaleDefaultHeap
          ? `; without them ${got.inCluster.scaleDefaultHeap.rssMiB.toFixed(1)} MiB (cold start ${got.inCluster.scaleDefaultHeap.coldS.toFixed(1)} s).`
          : '.'),
    });
  return out;
}

/** The seed's lvs01 (VRRP on a dummy eth0, two real servers) and the 10,000 destinations, each alone. */
async function inClusterPhase(): Promise<void> {
  const seedService = '192.0.2.100:80';
  const seed = await inClusterAgent(
    'seed',
    join(inputs, 'seed-lvs01.lvsnode.json'),
    async (netns) => (await serviceWeights(netns, seedService))?.size === 2,
    {
      settleMs: 3000,
      setup: async (netns) => {
        // a veth pair (the VM's kernel has no dummy module): eth0 up, its peer up beside it
        await must(['ip', '-n', netns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0-peer']);
        await must(['ip', '-n', netns, 'link', 'set', 'eth0-peer', 'up']);
        await must(['ip', '-n', netns, 'addr', 'add', '192.0.2.2/24', 'dev', 'eth0']);
        await must(['ip', '-n', netns, 'link', 'set', 'eth0', 'up']);
      },
      extraRss: async (netns) => rssMiB(await pidsIn(netns, 'keepalived')),
    },
  );
  got.inCluster.seed = { ...seed, vrrpRssMiB: seed.extraRssMiB ?? 0 };
  const meta = JSON.parse((await must(['cat', join(inputs, 'scale', 'meta.json')])).trim()) as ScaleInputs['meta'];
  const programmed = async (netns: string) => ((await serviceWeights(netns, meta.lastService))?.size ?? 0) >= 10;
  const lvsNode = join(inputs, 'scale', 'a', 'lvsnode.json');
  got.inCluster.scale = await inClusterAgent('scale', lvsNode, programmed);
  // the same without the chart's NODE_OPTIONS: what V8's default young generation costs
  got.inCluster.scaleDefaultHeap = await inClusterAgent('scale', lvsNode, programmed, { nodeOptions: '' });
}

async function main(): Promise<void> {
  const kernel = (await must(['uname', '-r'])).trim();
  log(`bench: kernel ${kernel}, ${SAMPLES} samples`);
  // LVS_E2E_BENCH_ONLY=scale: the 10,000-destination runs alone (for work on them)
  const scaleOnly = process.env.LVS_E2E_BENCH_ONLY === 'scale';
  if (!scaleOnly) await attempt('lvs-operator phase', oursPhase);
  if (!scaleOnly) await attempt('keepalived phase', keepalivedPhase);
  await attempt('10,000 destinations', async () => {
    const meta = JSON.parse((await must(['cat', join(inputs, 'scale', 'meta.json')])).trim()) as ScaleInputs['meta'];
    got.scale = await scaleRuns({ dir: join(inputs, 'scale'), meta }, SAMPLES);
  });
  await attempt('the in-cluster agent', inClusterPhase);
  writeFileSync(
    join(outDir, 'bench-vm.json'),
    JSON.stringify({ kernel, figures: figures(), errors: got.errors, raw: got }, null, 2),
  );
  log(
    `bench: done; errors: ${got.errors.join('; ') || 'none'}; median outage ours ${median(got.ours.crashes.map((c) => c.outageS))} s`,
  );
}

main()
  .catch((e) => log(`bench failed: ${(e as Error).stack}`))
  .finally(() => process.exit(0));
