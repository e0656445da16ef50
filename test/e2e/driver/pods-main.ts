// The e2e driver of the cluster users install: every host of the seed that is a Node runs a real
// kubelet, containerd and kube-proxy (test/e2e/kube-node.sh, started by run-checks.sh), the control
// plane on the host has kube-controller-manager and kube-scheduler (control-plane.ts), and the
// user's side is kubectl and helm: the Nodes are labelled as the README says, the chart is
// installed with default values but the image, and the seed's objects are applied. Then the seed's
// checks run through the pods, and the operations a cluster sees. Writes OUT/results.json with the
// checks of pods-names.ts. Run by test/e2e/e2e.sh with LVS_E2E_KUBELETS.
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentHosts, directors, manifestsRoot, ns, outDir, realServers, runDir } from './env.js';
import { inNs, log, run, waitFor } from './exec.js';
import { saveLogs } from './cluster.js';
import { lvsOperatorPids, rssMiB } from './node-processes.js';
import { waitConverged } from './converge.js';
import { masterAndBackupTables, realServersCheck, removePersistenceChecks } from './checks/dr.js';
import { statusCheck } from './checks/status.js';
import { deletePodCheck, leaderKillCheck, manifestsCheck, nodeDeathCheck, upgradeCheck } from './checks/operations.js';
import { agentCrashCheck } from './checks/agent-crash.js';
import { dumpForArgo, realServerDownCheck } from './checks/argocd-dumps.js';
import { kubeProxyIpvsCheck } from './checks/kube-proxy.js';
import { unlabelCheck } from './checks/unlabel.js';
import { Check, Results } from './results.js';
import { PODS_NAMES } from './pods-names.js';
import { getObject, kubeDir, kubectl, type Json } from './kube.js';
import { DR, NS, agentSelector, controllerSelector, helm, image, podLine, pods, ready, repo } from './pods.js';

const results = new Results();
const check = (id: string, body: (c: Check) => Promise<void>) => results.check(id, PODS_NAMES[id]!, body);
async function nodesCheck(c: Check): Promise<void> {
  const { value: nodes, ms } = await waitFor(
    'the four Nodes to register and be Ready',
    async () => {
      const items: Json[] = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])).items;
      const readyNodes = items.filter((n) =>
        (n.status?.conditions ?? []).some((x: Json) => x.type === 'Ready' && x.status === 'True'),
      );
      return readyNodes.length === agentHosts.length ? items : undefined;
    },
    300_000,
    1000,
  );
  c.figure('nodesReadyS', ms / 1000);
  c.note(
    `Nodes Ready after ${(ms / 1000).toFixed(1)} s (from the driver's start): ${nodes.map((n) => n.metadata.name).join(' ')}`,
  );
  for (const n of nodes) {
    const ip = (n.status.addresses ?? []).find((a: Json) => a.type === 'InternalIP')?.address;
    c.note(
      `${n.metadata.name}: InternalIP ${ip}, kubelet ${n.status.nodeInfo?.kubeletVersion}, runtime ${n.status.nodeInfo?.containerRuntimeVersion}`,
    );
  }
  // as the README tells users
  await kubectl(['label', 'node', 'lvs01', 'lvs02', 'lvs-operator.io/director=true']);
  await kubectl(['label', 'node', 'nginx01', 'nginx02', 'lvs-operator.io/real-server=true']);
  // kube-proxy: the "kubernetes" Service's ClusterIP reaches the API server from a node, once
  // kube-proxy has written its rules (its first sync, under TCG, comes a while after it starts)
  const livez = inNs('lvs01', [
    'curl',
    '-sk',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    '--max-time',
    '5',
    'https://10.0.0.1/livez',
  ]);
  const answered = await waitFor(
    'the kubernetes Service to answer from lvs01',
    async () => ((await run(livez)).stdout === '200' ? true : undefined),
    120_000,
    2000,
  ).catch(() => ({ ms: -1 }));
  c.note(
    `from lvs01: curl https://10.0.0.1/livez (the kubernetes Service, through kube-proxy) answered 200 ${answered.ms >= 0 ? `after ${answered.ms} ms` : 'never'}`,
  );
  if (answered.ms < 0) {
    const nat = await run(inNs('lvs01', ['iptables-save', '-t', 'nat']));
    c.note(
      `lvs01's nat table, the kubernetes Service's rules: ${
        nat.stdout
          .split('\n')
          .filter((l) => l.includes('default/kubernetes'))
          .join(' | ') || '(none)'
      }`,
    );
    c.note(`lvs01's routes: ${(await run(['ip', '-n', ns('lvs01'), 'route'])).stdout.trim().replace(/\n/g, ' | ')}`);
  }
  c.expect(answered.ms >= 0, 'the kubernetes Service answers through kube-proxy');
}

async function installCheck(c: Check): Promise<void> {
  const [repository, tag] = [image.slice(0, image.lastIndexOf(':')), image.slice(image.lastIndexOf(':') + 1)];
  const start = Date.now();
  await helm([
    'install',
    'lvs-operator',
    join(repo, 'deploy/helm/lvs-operator'),
    '-n',
    NS,
    '--create-namespace',
    '--set',
    `image.repository=${repository}`,
    '--set',
    `image.tag=${tag}`,
  ]);
  c.note(`helm install returned after ${Date.now() - start} ms`);
  const agents = await waitFor(
    'an agent pod Ready on each of the four Nodes',
    async () => {
      const items = await pods(agentSelector);
      const on = new Set(items.filter(ready).map((p) => p.spec.nodeName));
      return agentHosts.every((h) => on.has(h)) ? items : undefined;
    },
    // two containers per pod since keepalived has its own: under TCG with four nodes starting
    // them at once, one run needed over 5 minutes (runc calls past the CRI's 2 min deadline)
    600_000,
    1000,
  ).catch(async (e: Error) => {
    c.note(`agent pods: ${(await pods(agentSelector)).map(podLine).join(' ')}`);
    throw e;
  });
  c.figure('agentsReadyS', agents.ms / 1000);
  c.note(
    `agent pods Ready ${((Date.now() - start) / 1000).toFixed(1)} s after helm install: ${agents.value.map(podLine).join(' ')}`,
  );
  const controllers = await waitFor(
    'both controller replicas Ready',
    async () => {
      const items = await pods(controllerSelector);
      return items.filter(ready).length === 2 ? items : undefined;
    },
    600_000,
    1000,
  );
  c.note(`controller pods: ${controllers.value.map(podLine).join(' ')}`);
  const lease = JSON.parse(await kubectl(['get', 'leases', '-n', NS, '-o', 'json'])).items as Json[];
  const holder = lease.map((l) => l.spec?.holderIdentity).find(Boolean);
  c.note(`leader election Lease held by ${holder}`);
  c.expect(
    controllers.value.some((p) => holder?.startsWith(p.metadata.name)),
    'one controller replica leads',
  );
}

async function applyCheck(c: Check): Promise<void> {
  const start = Date.now();
  // examples/seed-dr on the topology's addresses (test/e2e/manifests/seed-dr), without the Node
  // objects the process-level runs need: here the kubelets registered the Nodes themselves
  const dir = join(manifestsRoot, 'seed-dr');
  // What is referred to before what refers to it (kubectl applies the files in the order given):
  // a RealServer applied before its VirtualService is refused by the controller until the
  // VirtualService exists (Degraded for Argo CD in between), and the "applied" dump below must
  // show the objects as they are once all of them are in, not which of the controller's passes
  // came first (it once refused nginx01 before virtualservice.yaml was applied).
  const order = ['secret.yaml', 'virtualservice.yaml', 'realservers.yaml'];
  const files = readdirSync(dir)
    .filter((f) => f !== 'nodes.yaml')
    .sort((a, b) => order.indexOf(a) - order.indexOf(b));
  await kubectl(['apply', ...files.flatMap((f) => ['-f', join(dir, f)])]);
  await dumpForArgo('applied');
  try {
    const { seen } = await waitConverged(DR, 180_000, false);
    c.figure('applyToProgrammedS', (Date.now() - start) / 1000);
    c.note(
      `kubectl apply of ${files.join(', ')} to both directors programmed: ${((Date.now() - start) / 1000).toFixed(1)} s; ${seen}`,
    );
  } catch (e) {
    for (const h of agentHosts)
      c.note(`LVSNode ${h} status: ${JSON.stringify((await getObject('lvsnodes', h, ''))?.status)}`);
    throw e;
  }
  await masterAndBackupTables(c, DR);
}

async function main(): Promise<void> {
  if (!(await check('p1', nodesCheck))) return;
  if (!(await check('p2', installCheck))) return;
  await check('p3', applyCheck);
  await check('p4', (c) => realServersCheck(c));
  const c6 = new Check();
  await check('p5', (c5) => removePersistenceChecks(c5, c6, { ...DR, flags: '' }, 180_000));
  results.record('p6', PODS_NAMES.p6!, c6);
  await check('p7', async (c) => {
    await statusCheck(c);
    await dumpForArgo('ready');
    agentMemory(c);
  });
  await check('p16', realServerDownCheck);
  await check('p13', kubeProxyIpvsCheck);
  await check('p15', agentCrashCheck);
  await check('p8', deletePodCheck);
  // (by hand: 12 minutes under TCG, see pods.e2e.test.ts)
  if (process.env.LVS_E2E_PODS_ROLLOUT === '1') await check('p10', upgradeCheck);
  await check('p11', leaderKillCheck);
  await check('p12', manifestsCheck);
  await check('p14', unlabelCheck);
  // last: lvs01 does not come back
  await check('p9', nodeDeathCheck);
}

/**
 * A figure, not a check: each agent container's resident memory (VmRSS) with the seed applied,
 * the agent as the chart runs it (bench/vm/in-cluster.ts measures the same beside keepalived).
 */
function agentMemory(c: Check): void {
  for (const h of agentHosts) {
    const pids = lvsOperatorPids(h, 'agent');
    if (pids.length === 1) c.figure(`agent VmRSS ${h} MiB`, rssMiB(pids));
    else c.note(`agent VmRSS ${h}: ${pids.length} agent processes found`);
  }
}

/** The nodes' init logs and the pods' logs to OUT/logs/pods. */
function saveNodeLogs(): void {
  const nodes = join(runDir, 'nodes');
  if (!existsSync(nodes)) return;
  for (const h of [...directors, ...realServers]) {
    const to = join(outDir, 'logs', 'pods', h);
    mkdirSync(to, { recursive: true });
    // (the daemons' own logs are written there as they run: kube-node.sh)
    for (const f of ['node.log', 'logs']) {
      const from = join(nodes, h, f);
      if (existsSync(from)) cpSync(from, join(to, f), { recursive: true });
    }
  }
}

const started = Date.now();
main()
  .catch((e) => log(`driver failed: ${(e as Error).stack}`))
  .finally(async () => {
    saveLogs('pods');
    saveNodeLogs();
    const state = await run([
      join(runDir, 'bin', 'kubectl.bin'),
      '--kubeconfig',
      join(kubeDir, 'admin.kubeconfig'),
      'get',
      'nodes,pods,daemonsets,deployments,leases,virtualservices,realservers,lvsnodes',
      '-A',
      '-o',
      'wide',
    ]);
    writeFileSync(join(outDir, 'logs', 'pods', 'cluster-state.txt'), state.stdout + state.stderr);
    log(`driver done after ${(Date.now() - started) / 1000} s`);
    process.exit(results.allOk ? 0 : 1);
  });
