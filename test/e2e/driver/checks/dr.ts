// Checks 0-4: the seed's own checks on the DR topology.
import { join } from 'node:path';
import { VIP, addressOf, bundle, directors, manifestsRoot, ns, realServers } from '../env.js';
import { must, run, waitFor } from '../exec.js';
import { ANSWER_LIMIT_MS, get, serverOf } from '../http.js';
import { connections, describe } from '../ipvs.js';
import { macOf, status, statusLine, sysctl, vipHolders } from '../cluster.js';
import { type Expected, matches, webService } from '../converge.js';
import type { Check } from '../results.js';
import { kubectl } from '../kube.js';

const serverByAddress: Record<string, string> = { '192.0.2.11:80': 'nginx01', '192.0.2.12:80': 'nginx02' };

/**
 * `curl -s VIP | grep '<h1>'` as the seed does it, plus the local port to find the connection.
 * curl's --max-time only stops a hung request (ANSWER_LIMIT_MS); how fast it answers is no verdict.
 */
export async function curlVip(): Promise<{ server: string; port: number }> {
  const maxTime = String(ANSWER_LIMIT_MS / 1000);
  const out = await must(['curl', '-s', '--max-time', maxTime, '-w', '\n%{local_port}', `http://${VIP}/`]);
  const port = Number(out.trim().split('\n').at(-1));
  return { server: serverOf(out) ?? `(no <h1>: ${out.slice(0, 80)})`, port };
}

export async function topologyCheck(c: Check): Promise<void> {
  // one agent CLI run on its own: how long the bundle takes to load and validate under TCG
  const validate = await run(['node', bundle, 'validate', '--manifests', join(manifestsRoot, 'seed-dr')]);
  c.figure('bundleValidateS', validate.ms / 1000);
  c.note(
    `node lvs-operator.mjs validate (seed-dr): ${validate.ms} ms, ${validate.stdout.trim()}${validate.stderr.trim()}`,
  );
  for (const rs of realServers) {
    const a = await get(`http://${addressOf[rs]}/`);
    c.note(`http://${addressOf[rs]}/ -> ${a.ok ? a.server : a.error}`);
    c.expect(a.ok && a.server === rs, `${rs} answers on its own address with <h1>${rs}</h1>`);
  }
}

export async function masterAndBackupCheck(c: Check, e: Expected): Promise<void> {
  await masterAndBackupTables(c, e);
  for (const d of directors) c.note(statusLine(d));
  c.expect(status('lvs01')?.vrrp?.[0]?.state === 'MASTER', "lvs01's status document says MASTER");
}

/** The master's and the backup's tables, the VIP on the master alone, the client's ARP entry. */
export async function masterAndBackupTables(c: Check, e: Expected): Promise<void> {
  const [master, backup] = await Promise.all(directors.map((d) => webService(d)));
  c.note(`lvs01 (master): ${describe(master)}`);
  c.note(`lvs02 (backup): ${describe(backup)}`);
  c.expect(
    matches(master, e),
    `the master's table has ${VIP}:80 rr ${e.flags} with both real servers, ${e.forward}, weight 1`,
  );
  c.expect(describe(master) === describe(backup), 'the backup has the same table');
  const holders = await vipHolders();
  c.note(`VIP held by: [${holders.join(' ')}]`);
  c.expect(holders.join() === 'lvs01', 'only the master (lvs01) holds the VIP');
  const answer = await get(); // the client learns the VIP's MAC on its first request
  c.expect(answer.ok, `a request through the VIP succeeds (${answer.error ?? answer.server})`);
  const neigh = await must(['ip', 'neigh', 'show', VIP]);
  const [mac1, mac2] = await Promise.all([macOf('lvs01'), macOf('lvs02')]);
  c.note(`client: ${neigh.trim()}; lvs01 eth0 ${mac1}, lvs02 eth0 ${mac2}`);
  c.expect(neigh.includes(`lladdr ${mac1}`), "the client's neighbour entry for the VIP is the master's MAC");
}

export async function realServersCheck(c: Check, device: 'lo' | 'tunl0' = 'lo'): Promise<void> {
  const names = ['all', 'lo'].flatMap((d) => [`net.ipv4.conf.${d}.arp_ignore`, `net.ipv4.conf.${d}.arp_announce`]);
  for (const rs of realServers) {
    const addr = await must(['ip', '-n', ns(rs), '-4', '-o', 'addr', 'show', 'dev', device]);
    const values = await sysctl(rs, names);
    c.note(
      `${rs}: ${device} ${addr.includes(`${VIP}/32`) ? `holds ${VIP}/32` : 'lacks the VIP'}; ${Object.entries(values)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
    c.expect(addr.includes(`${VIP}/32`), `${rs} holds the VIP on ${device}`);
    for (const d of ['all', 'lo']) {
      c.expect(values[`net.ipv4.conf.${d}.arp_ignore`] === '1', `${rs} net.ipv4.conf.${d}.arp_ignore is 1`);
      c.expect(values[`net.ipv4.conf.${d}.arp_announce`] === '2', `${rs} net.ipv4.conf.${d}.arp_announce is 2`);
    }
  }
}

/** 3b: persistence 5 keeps the client on one server; IPVS keeps the template while the template's
 * connections live, so the figure is how long after the last answer a new connection moves on. */
export async function persistenceCheck(c: Check): Promise<void> {
  const answers: string[] = [];
  for (let i = 0; i < 6; i++) answers.push((await curlVip()).server);
  const last = Date.now();
  c.note(`6 x curl: ${answers.join(' ')}`);
  const first = answers[0]!;
  c.expect(
    answers.every((a) => a === first),
    'every answer comes from the same real server',
  );
  const entries = (await connections('lvs01')).filter((e) => e.source.startsWith(`${addressOf.client}:`));
  c.note(
    `lvs01 -Lnc right after: ${entries.map((e) => `${e.state} ${e.expireSeconds}s ${e.source}->${e.destination}`).join('; ')}`,
  );
  // poll the master's template; a request now would refresh it, so none is made until it is gone
  const { ms } = await waitFor(
    'the persistence template to expire',
    async () => {
      // a template is the entry with source port 0 (ipvsadm shows its state as NONE or ASSURED)
      const templates = (await connections('lvs01')).filter((e) => e.source === `${addressOf.client}:0`);
      return templates.length === 0 ? true : undefined;
    },
    200_000,
    1000,
  );
  const gone = (Date.now() - last) / 1000;
  c.figure('templateGoneAfterLastAnswerS', gone);
  const next = (await curlVip()).server;
  c.note(
    `template gone ${gone.toFixed(1)} s after the last answer (polled for ${(ms / 1000).toFixed(1)} s); next answer: ${next}`,
  );
  c.expect(
    next !== first && next.startsWith('nginx'),
    `after the template expired the client moves on to the other server (got ${next})`,
  );
}

/** 3a + 4: without persistence, answers alternate, and the master's connection table agrees. */
export async function roundRobinChecks(c3: Check, c4: Check): Promise<void> {
  const answers: { server: string; port: number }[] = [];
  for (let i = 0; i < 6; i++) answers.push(await curlVip());
  c3.note(`6 x curl -s VIP | grep '<h1>': ${answers.map((a) => a.server).join(' ')}`);
  c3.expect(
    answers.every((a) => a.server.startsWith('nginx')),
    'every request is answered',
  );
  c3.expect(
    answers.every((a, i) => i === 0 || a.server !== answers[i - 1]!.server),
    'answers alternate nginx01/nginx02',
  );
  const table = await connections('lvs01');
  const spread: Record<string, number> = {};
  for (const a of answers) {
    const entry = table.find((e) => e.source === `${addressOf.client}:${a.port}`);
    const dest = entry ? (serverByAddress[entry.destination] ?? entry.destination) : '(no entry)';
    spread[dest] = (spread[dest] ?? 0) + 1;
    c4.expect(dest === a.server, `connection from port ${a.port} went to ${dest}, the answer came from ${a.server}`);
  }
  c4.note(`the 6 connections in lvs01's ipvsadm -Lnc by destination: ${JSON.stringify(spread)}`);
  c4.figure('connectionsToNginx01', spread.nginx01 ?? 0);
  c4.figure('connectionsToNginx02', spread.nginx02 ?? 0);
}

export async function waitNoPersistence(c: Check, e: Expected, timeoutMs = 30_000): Promise<void> {
  const { ms } = await waitFor(
    'both directors to drop persistence',
    async () =>
      (await Promise.all(directors.map((d) => webService(d)))).every((s) => matches(s, e)) ? true : undefined,
    timeoutMs,
    300,
  );
  c.figure('manifestChangeAppliedS', ms / 1000);
  c.note(
    `the manifests' change (persistence removed) reached both directors' tables after ${(ms / 1000).toFixed(1)} s`,
  );
}

/** 3a + 4 through the API server: persistence removed with kubectl, then the round-robin checks. */
export async function removePersistenceChecks(c3: Check, c4: Check, e: Expected, timeoutMs = 30_000): Promise<void> {
  try {
    await kubectl([
      'patch',
      'virtualservices',
      'web',
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/spec/persistence"}]',
    ]);
    await waitNoPersistence(c3, e, timeoutMs);
  } catch (err) {
    // 4 is observed in 3's experiment: it did not run, so it cannot pass
    c4.expect(false, `not run: ${(err as Error).message}`);
    throw err;
  }
  await roundRobinChecks(c3, c4);
}
