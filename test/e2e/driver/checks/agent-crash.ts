// The master's agent process crashes (SIGKILL) under a request loop. keepalived runs in the pod's
// keepalived container (the chart's default), not in the agent's: the kubelet restarts the agent
// container alone, the new agent adopts the keepalived that kept running, and the VIP never moves.
// Unlike a planned move (p8, p10), nothing here may cost a request: the data plane is not touched.
import { waitFor } from '../exec.js';
import { vipHolders } from '../cluster.js';
import { lvsOperatorPids, nodeProcesses } from '../node-processes.js';
import { getObject, type Json } from '../kube.js';
import type { Check } from '../results.js';
import { agentPodOn, ready, underLoad } from '../pods.js';

const restartsOf = (pod: Json | undefined, container: string): number =>
  pod?.status?.containerStatuses?.find((s: Json) => s.name === container)?.restartCount ?? -1;
const keepalivedPids = () =>
  nodeProcesses('lvs01')
    .filter((p) => p.comm === 'keepalived')
    .map((p) => p.pid)
    .sort();

export async function agentCrashCheck(c: Check): Promise<void> {
  const pod = await agentPodOn('lvs01');
  const before = { agent: restartsOf(pod, 'agent'), keepalived: restartsOf(pod, 'keepalived'), pids: keepalivedPids() };
  const agents = lvsOperatorPids('lvs01', 'agent');
  c.note(
    `lvs01's pod ${pod?.metadata.name}: agent process ${agents.join(',')}, keepalived ${before.pids.join(',')}, restarts agent ${before.agent} keepalived ${before.keepalived}`,
  );
  c.expect(agents.length === 1 && before.pids.length > 0, "lvs01's agent and keepalived processes are found");
  const holders: string[] = [];
  const watch = setInterval(() => void vipHolders().then((h) => holders.push(h.join(',') || '-')), 1000);
  let back = -1;
  const probe = await underLoad(
    c,
    async () => {
      process.kill(agents[0]!, 'SIGKILL');
      back = (
        await waitFor(
          "lvs01's agent container restarted and Ready",
          async () => {
            const p = await agentPodOn('lvs01');
            return restartsOf(p, 'agent') > before.agent && ready(p) ? p : undefined;
          },
          300_000,
          2000,
        ).catch(() => ({ ms: -1 }))
      ).ms;
      c.figure('agentBackS', back / 1000);
    },
    5000,
  ).finally(() => clearInterval(watch));
  c.expect(back >= 0, 'the kubelet restarts the agent container and the pod is Ready again');
  const after = await agentPodOn('lvs01');
  c.expect(after?.metadata.uid === pod?.metadata.uid, 'the same pod: only the container restarted');
  c.expect(
    restartsOf(after, 'keepalived') === before.keepalived,
    `the keepalived container did not restart (${restartsOf(after, 'keepalived')})`,
  );
  c.expect(keepalivedPids().join() === before.pids.join(), `the same keepalived runs (${keepalivedPids().join(',')})`);
  const moved = holders.filter((h, i) => i === 0 || h !== holders[i - 1]);
  c.note(`VIP holders over the crash (changes only): ${moved.join(' -> ')}`);
  c.expect(moved.join() === 'lvs01', 'the VIP never left lvs01');
  c.expect(probe.failed === 0, `no request failed (${probe.failed} of ${probe.requests})`);
  const status: Json = (await getObject('lvsnodes', 'lvs01', ''))?.status;
  c.note(
    `lvs01's LVSNode status after the restart: vrrp ${JSON.stringify(status?.vrrp)}, lastError ${status?.lastError}`,
  );
  c.expect(status?.vrrp?.[0]?.state === 'MASTER', "the new agent reports lvs01 MASTER (adopted keepalived's state)");
}
