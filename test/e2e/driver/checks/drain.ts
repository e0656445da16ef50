// Check 10: graceful drain. A real server set to weight 0, then removed from the manifests, gets
// no new connection while an established one goes on, and a persistent client does not stay on
// it (expire_quiescent_template); the removed one leaves the table once its connections end.
// Check 11: a scheduler the kernel lacks (Debian's 6.1 has no twos) is reported by name, and the
// other service goes on serving.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { manifestsDir, manifestsRoot } from '../env.js';
import { sleep, waitFor } from '../exec.js';
import { HeldConnection, getMany } from '../http.js';
import { status, statusLine, useManifests, writeManifest } from '../cluster.js';
import { webService } from '../converge.js';
import { connections, describe } from '../ipvs.js';
import type { Check } from '../results.js';

const ADDRESS: Record<string, string> = { nginx01: '192.0.2.11:80', nginx02: '192.0.2.12:80' };

/** The seed's realservers.yaml with `server` at weight 0, or without it. */
function realServers(server: string, change: 'weight0' | 'remove'): string {
  const docs = readFileSync(join(manifestsRoot, 'seed-dr', 'realservers.yaml'), 'utf8').split(/^---$/m);
  const out = docs
    .filter((d) => change !== 'remove' || !d.includes(`name: ${server}\n`))
    .map((d) => (d.includes(`name: ${server}\n`) ? d.replace(/weight: 1/, 'weight: 0') : d));
  return out.join('---');
}

async function waitWeight(server: string, weight: number | 'gone', timeoutMs: number): Promise<number> {
  const what = weight === 'gone' ? `lvs01 to remove ${server}` : `lvs01 to set ${server} to weight ${weight}`;
  const r = await waitFor(
    what,
    async () => {
      const d = (await webService('lvs01'))?.destinations.find((x) => x.address === ADDRESS[server]);
      return (weight === 'gone' ? d === undefined : d?.weight === weight) ? true : undefined;
    },
    timeoutMs,
    250,
  );
  return r.ms;
}

const servers = async (n: number) => (await getMany(n)).map((a) => (a.ok && a.server) || `FAIL(${a.error})`);

export async function drainCheck(c: Check): Promise<void> {
  useManifests('seed-dr'); // persistence 5: the client sticks to one real server
  await waitFor(
    'persistence on lvs01',
    async () => ((await webService('lvs01'))?.flags === 'persistent 5' ? true : undefined),
    30_000,
    250,
  );
  // Once seen in the table, the change gets 2 s to settle on both directors (in one run of three
  // the first connections right after it were still scheduled round robin: see the note then).
  await sleep(2000);
  const held = new HeldConnection();
  try {
    const stuck = await held.request();
    const other = stuck === 'nginx01' ? 'nginx02' : 'nginx01';
    const before = await servers(3);
    c.note(`held connection answered by ${stuck}; 3 new connections (persistence): ${before.join(' ')}`);
    const sticky = c.expect(
      before.every((s) => s === stuck),
      `with persistence the client's new connections go to ${stuck}`,
    );
    if (!sticky) {
      const table = (await connections('lvs01')).map((x) => `${x.state} ${x.source}->${x.destination}`);
      c.note(`lvs01 ${describe(await webService('lvs01'))}; ipvsadm -Lnc: ${table.join(', ')}`);
    }

    writeManifest('realservers.yaml', realServers(stuck, 'weight0'));
    const quiesced = await waitWeight(stuck, 0, 30_000);
    c.figure('weight0AppliedS', quiesced / 1000);
    const onHeld = await held.request().catch((e: Error) => `FAIL(${e.message})`);
    const after = await servers(4);
    c.note(
      `${stuck} at weight 0 after ${(quiesced / 1000).toFixed(1)} s: held connection -> ${onHeld}; 4 new connections: ${after.join(' ')}`,
    );
    c.expect(onHeld === stuck, `the established connection to ${stuck} still works at weight 0`);
    c.expect(
      after.every((s) => s === other),
      `new connections go to ${other}: the persistent client is not stuck on the drained ${stuck} (expire_quiescent_template)`,
    );

    writeManifest('realservers.yaml', realServers(stuck, 'remove'));
    // The removal is planned, but the held connection keeps it draining at weight 0.
    await waitFor(
      `lvs01 to plan without ${stuck}`,
      async () =>
        (status('lvs01')?.destinations ?? []).some((d) => `${d.address}:${d.port}` === ADDRESS[stuck])
          ? undefined
          : true,
      30_000,
      250,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a pass after the plan change
    const draining = (await webService('lvs01'))?.destinations.find((d) => d.address === ADDRESS[stuck]);
    const onHeld2 = await held.request().catch((e: Error) => `FAIL(${e.message})`);
    const after2 = await servers(3);
    c.note(
      `${stuck} removed from the manifests: lvs01 ${describe(await webService('lvs01'))}; held connection -> ${onHeld2}; 3 new: ${after2.join(' ')}`,
    );
    c.expect(draining?.weight === 0, `the removed ${stuck} stays in the table at weight 0 while a connection is open`);
    c.expect(onHeld2 === stuck, `the established connection to the removed ${stuck} still works`);
    c.expect(
      after2.every((s) => s === other),
      `new connections go to ${other}`,
    );
  } finally {
    held.close();
  }
  // Closed connections linger in the kernel's table (FIN_WAIT/TIME_WAIT, up to 2 min): the
  // destination goes when the kernel counts none. Measured, bounded by the agent's drain timeout.
  const stuckNow = ['nginx01', 'nginx02'].find(
    (s) => !readFileSync(join(manifestsDir, 'realservers.yaml'), 'utf8').includes(`name: ${s}\n`),
  )!;
  try {
    const gone = await waitWeight(stuckNow, 'gone', 200_000);
    c.figure('removedAfterCloseS', gone / 1000);
    c.note(`${stuckNow} left lvs01's table ${(gone / 1000).toFixed(1)} s after the last connection closed`);
  } catch (e) {
    c.expect(false, `the drained ${stuckNow} leaves the table once its connections end: ${(e as Error).message}`);
  }
  c.note(statusLine('lvs01'));
}

/** A second virtual service on the VIP with the twos scheduler, which Debian's 6.1 kernel lacks. */
function twosService(): string {
  const vs = readFileSync(join(manifestsRoot, 'dr-no-persistence', 'virtualservice.yaml'), 'utf8');
  return vs
    .replace(/^ {2}name: web$/m, '  name: web-twos')
    .replace(/^ {2}port: 80$/m, '  port: 8080')
    .replace(/^ {2}scheduler: rr$/m, '  scheduler: twos');
}

export async function schedulerCheck(c: Check): Promise<void> {
  const kernelHasTwos = readFileSync('/proc/version', 'utf8').match(/Linux version (\d+)\.(\d+)/);
  const major = Number(kernelHasTwos?.[1]);
  const minor = Number(kernelHasTwos?.[2]);
  if (major > 6 || (major === 6 && minor >= 7)) {
    c.note(`kernel ${major}.${minor} has twos (6.7+): nothing to report; checking the service is programmed instead`);
  }
  writeManifest('virtualservice-twos.yaml', twosService());
  const lacks = major < 6 || (major === 6 && minor < 7);
  try {
    const seen = await waitFor(
      lacks ? "lvs01's status to name the missing scheduler" : 'lvs01 to program the twos service',
      async () => {
        const err = status('lvs01')?.lastError ?? '';
        return lacks ? (err.includes('twos') ? err : undefined) : err === '' ? 'ok' : undefined;
      },
      30_000,
      250,
    );
    c.note(`lvs01 lastError: ${seen.value}`);
    if (lacks) {
      c.expect(
        seen.value.includes('the kernel has no IPVS scheduler twos (module ip_vs_twos)'),
        'the error names the scheduler and its module',
      );
    }
  } catch (e) {
    c.expect(false, `${(e as Error).message}; ${statusLine('lvs01')}`);
  }
  const answers = await servers(4);
  c.note(`the web service meanwhile: ${answers.join(' ')}`);
  c.expect(
    answers.every((s) => s.startsWith('nginx')),
    'the other virtual service on the VIP goes on serving',
  );
}

/** Back to the two real servers without persistence and without the twos service. */
export async function restoreAfterDrain(): Promise<void> {
  rmSync(join(manifestsDir, 'virtualservice-twos.yaml'), { force: true });
  useManifests('dr-no-persistence');
}
