// The operations a cluster sees, through the chart's pods on real kubelets (pods-main.ts): an agent
// pod deleted, a rolling upgrade, the leading controller killed, a reinstall from deploy/manifests,
// and the master Node dying. Requests are counted around each (pods.ts underLoad).
import { join } from 'node:path';
import { inNs, must, topo, waitFor } from '../exec.js';
import { getMany, type ProbeSummary } from '../http.js';
import { setLink, sysctl, vipHolders, waitVip } from '../cluster.js';
import { waitConverged } from '../converge.js';
import { expectStatusMaster, statusCheck } from './status.js';
import type { Check } from '../results.js';
import { weightReached } from './weights.js';
import { getObject, kubectl, type Json } from '../kube.js';
import {
  DR,
  NS,
  agentPodOn,
  agentSelector,
  controllerSelector,
  expectServingAfter,
  helm,
  image,
  imageOf,
  podLine,
  pods,
  ready,
  repo,
  underLoad,
  waitAgentPodReady,
  waitPodsReady,
} from '../pods.js';

export async function deletePodCheck(c: Check): Promise<void> {
  // The deletion is of a running agent (a planned move): after p15 the kubelet may still be
  // starting the agent container it restarted (over 4 minutes on a loaded VM), and an agent
  // deleted before it runs cannot hand anything over.
  const settled = await waitAgentPodReady('lvs01', "lvs01's agent pod Ready", 300_000).catch(() => undefined);
  const before = settled?.value ?? (await agentPodOn('lvs01'));
  c.note(
    `lvs01's agent pod: ${before?.metadata.name}, Ready after ${settled ? `${settled.ms} ms` : 'never (deleted anyway)'}`,
  );
  const holders: string[] = [];
  // once a second: every poll spawns ip(8), and under TCG the VM is busy enough with four nodes
  const watch = setInterval(() => void vipHolders().then((h) => holders.push(h.join(',') || '-')), 1000);
  let back = -1;
  let probe: ProbeSummary | undefined;
  try {
    probe = await underLoad(
      c,
      async () => {
        const t0 = Date.now();
        await kubectl(['delete', 'pod', '-n', NS, before.metadata.name, '--wait=false']);
        back = (
          await waitFor(
            'a new agent pod Ready on lvs01',
            async () => {
              const p = await agentPodOn('lvs01');
              return p && p.metadata.uid !== before.metadata.uid && ready(p) ? p : undefined;
            },
            // a pod's termination and a new one's start took 160-286 s on a loaded VM, and over
            // 6 minutes on one run; on another, containerd 1.6 lost the old sandbox's shim and its
            // StopPodSandbox hung until the kubelet's runtimeRequestTimeout (10 min, kube-node.sh)
            // gave up, and the DaemonSet's new pod came only after that (12 min in all): a stop for
            // a hang, longer than that timeout and a pod's start
            900_000,
            2000,
          )
        ).ms;
        c.figure('podBackS', (Date.now() - t0) / 1000);
      },
      5000,
    );
  } finally {
    clearInterval(watch);
  }
  c.expect(back >= 0, 'the DaemonSet brings the agent pod back on lvs01');
  await expectServingAfter(c, probe);
  const moved = holders.filter((h, i) => i === 0 || h !== holders[i - 1]);
  c.note(`VIP holders over the deletion (changes only): ${moved.join(' -> ')}`);
  c.figure('vipHolderChanges', moved.length - 1);
  await waitVip('lvs01', 60_000).catch(() => undefined);
  c.expect((await vipHolders()).join() === 'lvs01', 'lvs01 holds the VIP once its agent is back');
}

export async function upgradeCheck(c: Check): Promise<void> {
  const next = `${image.slice(0, image.lastIndexOf(':'))}:e2e-next`;
  const probe = await underLoad(
    c,
    async () => {
      const t0 = Date.now();
      await helm([
        'upgrade',
        'lvs-operator',
        join(repo, 'deploy/helm/lvs-operator'),
        '-n',
        NS,
        '--reuse-values',
        '--set',
        'image.tag=e2e-next',
        // the chart's other mode rolls out too: a privileged agent writing its own /proc/sys
        '--set',
        'agent.privileged=true',
      ]);
      await kubectl(['rollout', 'status', 'daemonset/lvs-operator-agent', '-n', NS, '--timeout=900s'], 960_000);
      await kubectl(['rollout', 'status', 'deployment/lvs-operator-controller', '-n', NS, '--timeout=600s'], 660_000);
      c.figure('rolloutS', (Date.now() - t0) / 1000);
      c.note(`helm upgrade to ${next}: both rollouts done after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    },
    5000,
  );
  const running = [...(await pods(agentSelector)), ...(await pods(controllerSelector))].filter(ready);
  c.note(`pods: ${running.map((p) => `${podLine(p)} ${imageOf(p)}`).join(' ')}`);
  c.expect(running.length === 6 && running.every((p) => imageOf(p) === next), `six pods Ready on ${next}`);
  await expectServingAfter(c, probe);
  await waitVip('lvs01', 60_000).catch(() => undefined);
  c.expect((await vipHolders()).join() === 'lvs01', 'lvs01 holds the VIP after the rollout');
  const agents = running.filter((p) => p.metadata.labels['app.kubernetes.io/component'] === 'agent');
  c.expect(
    agents.length === 4 && agents.every((p) => p.spec.containers[0].securityContext?.privileged === true),
    'the four agents run privileged',
  );
  // The privileged agent's sysctls go through the container's own /proc/sys (no hostPath): a value
  // changed behind its back on nginx01 is put back by its next pass.
  await must(inNs('nginx01', ['sysctl', '-qw', 'net.ipv4.conf.lo.arp_ignore=0']));
  const fixed = await waitFor(
    "nginx01's agent to put arp_ignore back",
    async () =>
      (await sysctl('nginx01', ['net.ipv4.conf.lo.arp_ignore']))['net.ipv4.conf.lo.arp_ignore'] === '1'
        ? true
        : undefined,
    120_000,
    1000,
  ).catch(() => ({ ms: -1 }));
  c.expect(fixed.ms >= 0, "the privileged agent puts nginx01's net.ipv4.conf.lo.arp_ignore back to 1");
  c.note(`net.ipv4.conf.lo.arp_ignore set to 0 on nginx01 by hand: back to 1 after ${(fixed.ms / 1000).toFixed(1)} s`);
}

export async function leaderKillCheck(c: Check): Promise<void> {
  const lease = async () =>
    (JSON.parse(await kubectl(['get', 'lease', 'lvs-operator-controller', '-n', NS, '-o', 'json'])) as Json).spec;
  const holder: string = (await lease()).holderIdentity;
  const leader = (await pods(controllerSelector)).find((p) => holder.startsWith(p.metadata.name));
  c.note(`leader: ${holder} (pod ${leader?.metadata.name} on ${leader?.spec.nodeName})`);
  const t0 = Date.now();
  await kubectl(['delete', 'pod', '-n', NS, leader.metadata.name, '--grace-period=0', '--force']);
  const taken = await waitFor(
    'another replica to lead',
    async () => {
      const h: string | undefined = (await lease()).holderIdentity;
      return h && !h.startsWith(leader.metadata.name) ? h : undefined;
    },
    180_000,
    2000,
  );
  c.figure('newLeaderAfterS', taken.ms / 1000);
  c.note(
    `${taken.value} leads ${(taken.ms / 1000).toFixed(1)} s after the kill (the Lease's 15 s expiry: a killed leader releases nothing)`,
  );
  const since = Date.now();
  await kubectl(['patch', 'realservers', 'nginx02', '--type=merge', '-p', '{"spec":{"weight":3}}']);
  const at = await weightReached('nginx02', 3, since, 180_000);
  c.figure('weightOnLvs01S', at.lvs01! / 1000);
  c.note(
    `weight 3 for nginx02 on lvs01 after ${(at.lvs01! / 1000).toFixed(1)} s, lvs02 after ${(at.lvs02! / 1000).toFixed(1)} s (${((Date.now() - t0) / 1000).toFixed(1)} s after the kill)`,
  );
  await kubectl(['patch', 'realservers', 'nginx02', '--type=merge', '-p', '{"spec":{"weight":1}}']);
  await weightReached('nginx02', 1, Date.now(), 180_000);
}

export async function manifestsCheck(c: Check): Promise<void> {
  const t0 = Date.now();
  await helm(['uninstall', 'lvs-operator', '-n', NS, '--wait', '--timeout', '10m'], 660_000);
  await waitFor(
    'the pods to go',
    async () => ((await pods('app.kubernetes.io/name=lvs-operator')).length === 0 ? true : undefined),
    300_000,
    2000,
  );
  c.note(
    `helm uninstall: every pod gone after ${((Date.now() - t0) / 1000).toFixed(1)} s; the VirtualService is still there: ${(await getObject('virtualservices', 'web')) !== undefined}`,
  );
  const t1 = Date.now();
  await kubectl(['apply', '--server-side', '-f', join(repo, 'deploy/manifests')]);
  const ms = await waitPodsReady(600_000);
  c.figure('podsReadyS', ms / 1000);
  const { seen } = await waitConverged({ ...DR, flags: '' }, 300_000, false);
  c.figure('servingAgainS', (Date.now() - t1) / 1000);
  c.note(
    `kubectl apply --server-side -f deploy/manifests/: pods Ready after ${(ms / 1000).toFixed(1)} s, both directors programmed and the VIP on lvs01 after ${((Date.now() - t1) / 1000).toFixed(1)} s; ${seen}`,
  );
  const running = (await pods(agentSelector)).filter(ready);
  c.note(`agent pods: ${running.map((p) => `${podLine(p)} ${imageOf(p)}`).join(' ')}`);
  const answers = await getMany(4);
  c.expect(
    answers.every((a) => a.ok),
    `the VIP serves (${answers.map((a) => a.server ?? a.error).join(' ')})`,
  );
  await statusCheck(c);
}

export async function nodeDeathCheck(c: Check): Promise<void> {
  await underLoad(
    c,
    async () => {
      await setLink('lvs01', false);
      await topo('kube_node_down', 'lvs01');
      c.note('lvs01: link down, then every process of the node killed (cgroup.kill): kubelet, containerd, the pods');
      const ms = await waitVip('lvs02', 30_000, false);
      c.figure('vipOnBackupS', ms / 1000);
    },
    3000,
  );
  await expectStatusMaster(c, 'lvs02', 120_000, 1000);
}
