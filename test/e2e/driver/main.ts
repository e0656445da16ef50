// The in-VM e2e driver: runs the checks of the issue "the node agent on a real kernel" against the
// topology of test/e2e/topology.sh and writes OUT/results.json. It runs inside the client's network
// namespace (test/e2e/run-checks.sh starts it there), so its HTTP requests are the client's.
// Order: the seed (DR, persistence 5), the same without persistence (a live manifests change),
// then fresh directors and real servers for NAT and for TUN.
import { log, topo } from './exec.js';
import {
  agentAvailable,
  agentPid,
  alive,
  saveLogs,
  startAgent,
  startAgents,
  useManifests,
  waitVip,
} from './cluster.js';
import { type Expected, waitConverged } from './converge.js';
import { Check, Results } from './results.js';
import { NAMES } from './names.js';
import {
  masterAndBackupCheck,
  persistenceCheck,
  realServersCheck,
  roundRobinChecks,
  topologyCheck,
  waitNoPersistence,
} from './checks/dr.js';
import { drainCheck, restoreAfterDrain, schedulerCheck } from './checks/drain.js';
import { crashChecks, gracefulCheck, recover } from './checks/failover.js';
import { addForeignServices, foreignChanges } from './checks/foreign.js';
import { healthCheck } from './checks/health.js';
import { modeCheck } from './checks/modes.js';
import { restartCheck } from './checks/restart.js';

const results = new Results();
const check = (id: string, body: (c: Check) => Promise<void>) => results.check(id, NAMES[id]!, body);
const notRun = (ids: string[], why: string) => ids.forEach((id) => results.notRun(id, NAMES[id]!, why));

const DR: Expected = { forward: 'Route', flags: 'persistent 5', rsDevice: 'lo' };
const DR_NO_PERSISTENCE: Expected = { ...DR, flags: '' };
const foreignNotes: string[] = [];
const foreignFailures: string[] = [];

/** Starts every host's agent on a variant and waits for the data plane; returns why it never came, if so. */
async function startVariant(variant: string, e: Expected): Promise<string | undefined> {
  useManifests(variant);
  const start = Date.now();
  await startAgents();
  try {
    const { seen } = await waitConverged(e, 90_000);
    log(`${variant}: converged after ${(Date.now() - start) / 1000} s: ${seen}`);
    foreignNotes.push(
      `${variant}: agents started, data plane programmed after ${((Date.now() - start) / 1000).toFixed(1)} s`,
    );
    return undefined;
  } catch (err) {
    return `${variant}: ${(err as Error).message}`;
  }
}

async function foreignAfter(phase: string, snapshot: Record<string, string>): Promise<void> {
  const changes = await foreignChanges(snapshot);
  foreignNotes.push(`${phase}: ${changes.length === 0 ? 'untouched on lvs01 and lvs02' : 'CHANGED'}`);
  foreignFailures.push(...changes.map((c) => `${phase}: ${c}`));
}

async function drPhase(): Promise<void> {
  const snapshot = await addForeignServices();
  const failed = await startVariant('seed-dr', DR);
  if (failed) {
    notRun(['1', '2', '3a', '3b', '4', '5a', '5b', '5c', '6', '8', '10', '11'], failed);
    return;
  }
  await check('1', (c) => masterAndBackupCheck(c, DR));
  await check('2', (c) => realServersCheck(c));
  await check('3b', persistenceCheck);
  useManifests('dr-no-persistence');
  const c4 = new Check();
  await check('3a', async (c3) => {
    await waitNoPersistence(c3, DR_NO_PERSISTENCE);
    await roundRobinChecks(c3, c4);
  });
  if (c4.notes.length > 0) results.record('4', NAMES['4']!, c4);
  else results.notRun('4', NAMES['4']!, 'see 3a');
  await check('6', healthCheck);
  await check('10', drainCheck);
  await check('11', schedulerCheck);
  await restoreAfterDrain();
  await waitConverged(DR_NO_PERSISTENCE, 60_000).catch((e: Error) => log(`after check 10/11: ${e.message}`));
  await check('8', restartCheck);
  if (!alive(agentPid('lvs01'))) {
    log('check 8 left lvs01 without an agent: starting one for check 5');
    await startAgent('lvs01');
    await waitVip('lvs01', 90_000).catch(() => undefined);
  }
  const c5b = new Check();
  await check('5a', (c) => crashChecks(c, c5b));
  await check('5b', async (c) => {
    c.notes.push(...c5b.notes);
    c.failures.push(...c5b.failures);
    await recover(c); // brings lvs01 back for 5c
  });
  await check('5c', gracefulCheck);
  await foreignAfter('DR phase (checks 1-6, 8, 10, 11)', snapshot);
}

async function modePhase(mode: 'nat' | 'tun'): Promise<void> {
  const id = mode === 'nat' ? '7a' : '7b';
  await topo('servers_down');
  await topo('servers_up', mode);
  const snapshot = await addForeignServices();
  const e: Expected =
    mode === 'nat' ? { forward: 'Masq', flags: '' } : { forward: 'Tunnel', flags: '', rsDevice: 'tunl0' };
  const failed = await startVariant(mode, e);
  if (failed) {
    results.notRun(id, NAMES[id]!, failed);
  } else {
    await check(id, (c) => modeCheck(c, e.forward as 'Masq' | 'Tunnel'));
  }
  await foreignAfter(`${mode.toUpperCase()} phase`, snapshot);
}

async function main(): Promise<void> {
  await check('0', topologyCheck);
  if (process.env.LVS_E2E_QUICK === '1') return; // the plumbing only (about 40 s): for harness work
  if (!(await agentAvailable())) {
    const why = 'dist/bundle/lvs-operator.mjs has no `local` command (the node agent) yet';
    notRun(
      Object.keys(NAMES).filter((id) => id !== '0'),
      why,
    );
    return;
  }
  const phases: [string, () => Promise<void>][] = [
    ['dr', drPhase],
    ['nat', () => modePhase('nat')],
    ['tun', () => modePhase('tun')],
  ];
  for (const [name, phase] of phases) {
    try {
      await phase();
    } catch (e) {
      foreignFailures.push(`${name} phase stopped: ${(e as Error).stack}`);
      log(`phase ${name} failed: ${(e as Error).stack}`);
    }
    saveLogs(name);
  }
  await check('9', async (c) => {
    c.notes.push(...foreignNotes);
    c.failures.push(...foreignFailures);
  });
}

const started = Date.now();
main()
  .catch((e) => log(`driver failed: ${(e as Error).stack}`))
  .finally(() => {
    log(`driver done after ${(Date.now() - started) / 1000} s`);
    process.exit(results.allOk ? 0 : 1);
  });
