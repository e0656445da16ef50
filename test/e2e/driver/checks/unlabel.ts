// A director unlabelled with kubectl: its agent pod goes (the DaemonSet's affinity no longer
// matches) and, leaving for good, the agent hands the VIP over and removes what it created
// (src/node/lifecycle.ts): no IPVS service of ours, no VIP, no keepalived, the sysctls it set
// back to what they were, its LVSNode gone. kube-proxy's IPVS services stay. Labelled again, the
// node comes back as a director.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIP, runDir } from '../env.js';
import { waitFor } from '../exec.js';
import { nodeProcesses } from '../node-processes.js';
import { sysctl, vipHolders, waitVip } from '../cluster.js';
import { SERVICE_KEY, waitConverged } from '../converge.js';
import { describe, table } from '../ipvs.js';
import { getObject, kubectl } from '../kube.js';
import type { Check } from '../results.js';
import { DR, agentPodOn, expectServingAfter, underLoad, waitAgentPodReady } from '../pods.js';
import { expectStatusMaster } from './status.js';

const LABEL = 'lvs-operator.io/director';

/** The sysctls the agent on host changed, with the values it found first (its state file). */
function sysctlOriginals(host: string): Record<string, string> {
  try {
    const state = JSON.parse(readFileSync(join(runDir, 'nodes', host, 'state', 'state.json'), 'utf8'));
    return state.sysctlOriginals ?? {};
  } catch {
    return {};
  }
}

export async function unlabelCheck(c: Check): Promise<void> {
  const originals = sysctlOriginals('lvs01');
  c.note(`lvs01's agent changed these sysctls (values it found): ${JSON.stringify(originals)}`);
  const pod = await agentPodOn('lvs01');
  let gone = -1;
  const probe = await underLoad(
    c,
    async () => {
      const t0 = Date.now();
      await kubectl(['label', 'node', 'lvs01', `${LABEL}-`]);
      gone = (
        await waitFor(
          "lvs01's agent pod to go and its LVSNode to be deleted",
          async () => {
            const left =
              (await agentPodOn('lvs01')) === undefined && (await getObject('lvsnodes', 'lvs01', '')) === undefined;
            return left ? true : undefined;
          },
          180_000,
          1000,
        ).catch(() => ({ ms: -1 }))
      ).ms;
      c.figure('podAndLvsNodeGoneS', gone / 1000);
      c.note(
        `kubectl label node lvs01 ${LABEL}-: pod ${pod?.metadata.name} and LVSNode lvs01 gone after ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
      c.figure('vipOnLvs02S', (await waitVip('lvs02', 60_000)) / 1000);
    },
    3000,
  );
  c.expect(gone >= 0, "lvs01's agent pod goes and the controller deletes its LVSNode");
  await expectServingAfter(c, probe);
  await expectStatusMaster(c, 'lvs02', 120_000, 1000);

  const services = await table('lvs01');
  c.note(`lvs01's ipvsadm -Ln: ${services.map(describe).join('; ') || '(empty)'}`);
  c.expect(!services.some((s) => s.key === SERVICE_KEY), `lvs01 keeps no ${SERVICE_KEY}`);
  c.expect(services.length > 0, "kube-proxy's IPVS services stay on lvs01");
  c.expect(!(await vipHolders()).includes('lvs01'), `lvs01 holds no ${VIP}`);
  const procs = nodeProcesses('lvs01').map((p) => p.comm);
  c.note(`lvs01's processes: ${[...new Set(procs)].sort().join(' ')}`);
  c.expect(!procs.includes('keepalived'), 'no keepalived runs on lvs01');
  const names = Object.keys(originals);
  if (names.length) {
    const now = await sysctl('lvs01', names);
    c.expect(
      names.every((n) => now[n] === originals[n]),
      `lvs01's sysctls are back to what the agent found (${JSON.stringify(now)})`,
    );
  }

  // labelled again: a director once more, the master by its priority
  const t1 = Date.now();
  await kubectl(['label', 'node', 'lvs01', `${LABEL}=true`]);
  const back = await waitAgentPodReady('lvs01', 'an agent pod Ready on lvs01 again', 300_000).catch(() => ({ ms: -1 }));
  c.expect(back.ms >= 0, 'labelled again, lvs01 gets its agent pod back');
  const { seen } = await waitConverged({ ...DR, flags: '' }, 300_000, false);
  c.figure('directorAgainS', (Date.now() - t1) / 1000);
  c.note(`labelled again: lvs01 programmed and MASTER after ${((Date.now() - t1) / 1000).toFixed(1)} s; ${seen}`);
}
