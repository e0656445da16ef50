// The e2e driver of the cluster path: the seed topology driven through a real kube-apiserver (on
// the host, test/e2e/control-plane.ts) by `lvs-operator controller` and `lvs-operator agent` on
// every node, instead of local mode. The user's side is kubectl. Writes OUT/results.json with the
// checks of cluster-names.ts. Run by test/e2e/e2e.sh with LVS_E2E_APISERVER=1 and this driver.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { addressOf, agentHosts, directors, manifestsRoot, ns, outDir, realServers, VIP } from './env.js';
import { log, must, run, sleep, topo, waitFor } from './exec.js';
import { getMany } from './http.js';
import { startAgent, startAgents, saveLogs, waitVip } from './cluster.js';
import { type Expected, waitConverged, webService } from './converge.js';
import { weightOn, weightReached } from './checks/weights.js';
import { masterAndBackupCheck, realServersCheck, removePersistenceChecks } from './checks/dr.js';
import { crashChecks, recover } from './checks/failover.js';
import { Check, Results } from './results.js';
import { CLUSTER_NAMES } from './cluster-names.js';
import { scrape, valueOf } from './metrics.js';
import { controllerLog, getObject, kubectl, startController } from './kube.js';
import { expectStatusMaster, statusCheck, vsStatus } from './checks/status.js';
import { splitBrainCheck } from './checks/split-brain.js';
import { agentKilledCheck, controllerCrashLoopCheck } from './checks/crash-loop.js';
import type { ChildProcess } from 'node:child_process';

const results = new Results();
const check = (id: string, body: (c: Check) => Promise<void>) => results.check(id, CLUSTER_NAMES[id]!, body);
const DR: Expected = { forward: 'Route', flags: 'persistent 5', rsDevice: 'lo' };
const DR_NO_PERSISTENCE: Expected = { ...DR, flags: '' };
const apiHost = process.env.LVS_E2E_API_HOST ?? '10.0.2.2';

/** The controller that runs now (k12 kills it and starts others). */
let controller: ChildProcess | undefined;

async function applyCheck(c: Check): Promise<void> {
  controller = startController();
  const start = Date.now();
  await kubectl(['apply', '-f', join(manifestsRoot, 'seed-dr')]);
  c.note(`kubectl apply -f seed-dr: ${Date.now() - start} ms`);
  await startAgents();
  const lvsNodes = await waitFor(
    'the controller to write the LVSNodes',
    async () => {
      const names = (await kubectl(['get', 'lvsnodes', '-o', 'name'])).trim().split('\n').filter(Boolean);
      return names.length === agentHosts.length ? names : undefined;
    },
    60_000,
    500,
  );
  c.note(`LVSNodes written after ${(lvsNodes.ms / 1000).toFixed(1)} s: ${lvsNodes.value.join(' ')}`);
  const { seen } = await waitConverged(DR, 120_000);
  c.figure('applyToProgrammedS', (Date.now() - start) / 1000);
  c.note(
    `from kubectl apply to both directors programmed and lvs01 holding the VIP: ${((Date.now() - start) / 1000).toFixed(1)} s; ${seen}`,
  );
  await masterAndBackupCheck(c, DR);
}

async function weightCheck(c: Check): Promise<void> {
  const since = Date.now();
  await kubectl(['patch', 'realservers', 'nginx02', '--type=merge', '-p', '{"spec":{"weight":3}}']);
  const patched = Date.now() - since;
  const at = await weightReached('nginx02', 3, since, 60_000);
  c.figure('kubectlPatchMs', patched);
  c.figure('toLvs01Ms', at.lvs01!);
  c.figure('toLvs02Ms', at.lvs02!);
  c.note(
    `kubectl patch (weight 3) returned after ${patched} ms; lvs01's table had it after ${at.lvs01} ms, lvs02's after ${at.lvs02} ms`,
  );
  await kubectl(['patch', 'realservers', 'nginx02', '--type=merge', '-p', '{"spec":{"weight":1}}']);
  await weightReached('nginx02', 1, Date.now(), 60_000);
}

async function crashCheck(c: Check): Promise<void> {
  const sync = new Check();
  await crashChecks(c, sync);
  c.notes.push(...sync.notes.map((n) => `(connection sync) ${n}`));
  const ms = await expectStatusMaster(c, 'lvs02', 60_000, 500);
  c.note(`status.master = lvs02 ${(ms / 1000).toFixed(1)} s after the VIP moved`);
  const events = await kubectl(['get', 'events', '-n', 'default', '--field-selector', 'reason=VIPMoved', '-o', 'name']);
  c.expect(events.trim() !== '', 'a VIPMoved Event is recorded');
  await recover(c);
}

async function setApiRoutes(up: boolean): Promise<void> {
  for (const h of agentHosts) {
    await run(['ip', '-n', ns(h), 'route', up ? 'add' : 'del', `${apiHost}/32`, 'via', '192.0.2.1']);
  }
}

async function apiDownCheck(c: Check): Promise<void> {
  await setApiRoutes(false);
  c.note(`routes to the API server (${apiHost}) removed on every node`);
  try {
    const answers = await getMany(4);
    c.expect(
      answers.every((a) => a.ok),
      `the VIP serves (${answers.map((a) => a.server ?? a.error).join(' ')})`,
    );
    await kubectl(['patch', 'realservers', 'nginx02', '--type=merge', '-p', '{"spec":{"weight":2}}']);
    c.note('weight 2 for nginx02 written to the API server, which no node can reach');
    await topo('nginx_stop', 'nginx01');
    const gone = await waitFor(
      'nginx01 to leave the master table',
      async () => ((await weightOn('lvs01', 'nginx01')) === undefined ? true : undefined),
      60_000,
      300,
    ).catch(() => ({ ms: -1 }));
    c.expect(gone.ms >= 0, "the master's health checks take the dead nginx01 out without the API server");
    c.note(`nginx01 stopped: out of lvs01's table after ${(gone.ms / 1000).toFixed(1)} s`);
    await topo('nginx_start', 'nginx01');
    await waitFor(
      'nginx01 back',
      async () => ((await weightOn('lvs01', 'nginx01')) === 1 ? true : undefined),
      60_000,
      300,
    );
    c.expect((await weightOn('lvs01', 'nginx02')) === 1, 'the change made meanwhile has not reached the nodes');
  } finally {
    await setApiRoutes(true);
  }
  const back = Date.now();
  const at = await weightReached('nginx02', 2, back, 240_000).catch(() => undefined);
  c.expect(at !== undefined, 'once the API server is reachable, the weight change is applied on both directors');
  if (at) {
    c.figure('catchUpLvs01S', at.lvs01! / 1000);
    c.note(
      `API server reachable again: weight 2 on lvs01 after ${(at.lvs01! / 1000).toFixed(1)} s, lvs02 after ${(at.lvs02! / 1000).toFixed(1)} s`,
    );
  }
  const ready = await waitFor(
    'the status to show both real servers healthy again',
    async () => ((await vsStatus())?.readyRealServers === '2/2' ? true : undefined),
    120_000,
    1000,
  ).catch(() => ({ ms: -1 }));
  c.expect(ready.ms >= 0, 'the status catches up: 2/2 real servers ready');
}

async function metricsCheck(c: Check): Promise<void> {
  const service = `TCP/${VIP}:80`;
  for (const d of directors) {
    const samples = await scrape(`http://${addressOf[d]}:9641/metrics`);
    const role = d === 'lvs01' ? 'MASTER' : 'BACKUP';
    const vrrp = samples.filter((s) => s.name === 'lvs_vrrp_state' && s.value === 1).map((s) => s.labels.state);
    c.note(`${d}: ${samples.length} samples; VRRP ${vrrp.join(',')}`);
    c.expect(vrrp.join() === role, `${d}'s lvs_vrrp_state says ${role} (got ${vrrp.join(',') || 'nothing'})`);
    for (const rs of realServers) {
      const destination = `${addressOf[rs]}:80`;
      const labels = { service, destination };
      const up = valueOf(samples, 'lvs_health_check_up', labels);
      const weight = valueOf(samples, 'lvs_ipvs_destination_weight', labels);
      c.expect(up === 1, `${d}: lvs_health_check_up for ${destination} is 1 (got ${up})`);
      c.expect(
        weight !== undefined && weight > 0,
        `${d}: lvs_ipvs_destination_weight for ${destination} > 0 (got ${weight})`,
      );
      if (d === 'lvs01') {
        const conns = valueOf(samples, 'lvs_ipvs_connections_total', labels);
        const packets = valueOf(samples, 'lvs_ipvs_incoming_packets_total', labels);
        const bytes = valueOf(samples, 'lvs_ipvs_incoming_bytes_total', labels);
        c.note(`lvs01 ${destination}: ${conns} connections, ${packets} packets in, ${bytes} bytes in`);
        c.figure(`connections_${rs}`, conns ?? -1);
        c.expect(
          (conns ?? 0) > 0 && (packets ?? 0) > 0 && (bytes ?? 0) > 0,
          `lvs01 counted connections, packets and bytes to ${destination}`,
        );
      }
    }
    const passes = valueOf(samples, 'lvs_agent_apply_duration_seconds_count');
    c.expect((passes ?? 0) > 0, `${d}: lvs_agent_apply_duration_seconds counts its passes (got ${passes})`);
    const checks = samples.filter((s) => s.name === 'lvs_health_checks_total' && s.labels.result === 'success');
    c.expect(
      checks.some((s) => s.value > 0),
      `${d}: lvs_health_checks_total counts successful checks`,
    );
  }
  const controller = await scrape('http://127.0.0.1:8080/metrics');
  const reconciles = valueOf(controller, 'lvs_controller_reconcile_duration_seconds_count', { kind: 'LVSNode' });
  c.note(`controller: ${reconciles} LVSNode reconciles, leader ${valueOf(controller, 'lvs_controller_leader')}`);
  c.expect((reconciles ?? 0) > 0, 'the controller counts its reconciles');
  c.expect(valueOf(controller, 'lvs_controller_leader') === 1, 'the controller says it leads');
}

async function deleteCheck(c: Check): Promise<void> {
  const start = Date.now();
  await kubectl(['delete', 'virtualservices', 'web', '--wait=false']);
  // The real servers keep the VIP on lo for the drain timeout (LVS_E2E_DRAIN_TIMEOUT, 30 s here),
  // as for a removed RealServer: the object waits for them.
  await sleep(5000);
  const held = await getObject('virtualservices', 'web');
  c.expect(held?.metadata?.deletionTimestamp !== undefined, 'the VirtualService is held (finalizer) while nodes drain');
  const { ms } = await waitFor(
    'the directors and real servers to drop web',
    async () => {
      const tables = await Promise.all(directors.map((d) => webService(d)));
      const lo = await Promise.all(
        realServers.map((rs) => must(['ip', '-n', ns(rs), '-4', '-o', 'addr', 'show', 'dev', 'lo'])),
      );
      return tables.every((t) => t === undefined) && lo.every((a) => !a.includes(VIP)) ? true : undefined;
    },
    90_000,
    500,
  );
  c.note(
    `the service left both tables and the VIP left nginx01/nginx02's lo ${(ms / 1000).toFixed(1)} s after kubectl delete`,
  );
  const gone = await waitFor(
    'the VirtualService to be gone',
    async () => ((await getObject('virtualservices', 'web')) === undefined ? true : undefined),
    90_000,
    500,
  ).catch(() => ({ ms: -1 }));
  c.expect(gone.ms >= 0, 'the VirtualService is deleted once the finalizer is released');
  c.figure('deleteToGoneS', (Date.now() - start) / 1000);
}

async function main(): Promise<void> {
  const applied = await check('k1', applyCheck);
  if (!applied) log('k1 failed: the checks after it run on what there is');
  await check('k2', (c) => realServersCheck(c));
  const c4 = new Check();
  await check('k3', (c3) => removePersistenceChecks(c3, c4, DR_NO_PERSISTENCE));
  results.record('k4', CLUSTER_NAMES.k4!, c4);
  await check('k5', statusCheck);
  await check('k6', weightCheck);
  await check('k7', crashCheck);
  await waitVip('lvs01', 60_000).catch(() => startAgent('lvs01'));
  await check('k8', apiDownCheck);
  await check('k10', metricsCheck);
  await check('k11', splitBrainCheck);
  await check('k12', async (c) => {
    controller = await controllerCrashLoopCheck(c, controller!, startController);
  });
  await check('k13', agentKilledCheck);
  await check('k9', deleteCheck);
}

const started = Date.now();
main()
  .catch((e) => log(`driver failed: ${(e as Error).stack}`))
  .finally(async () => {
    saveLogs('cluster');
    const logs = join(outDir, 'logs', 'cluster');
    mkdirSync(logs, { recursive: true });
    if (existsSync(controllerLog)) copyFileSync(controllerLog, join(logs, 'controller.log'));
    await sleep(0);
    log(`driver done after ${(Date.now() - started) / 1000} s`);
    process.exit(results.allOk ? 0 : 1);
  });
