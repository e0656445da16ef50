// The demo (npm run demo): the seed tutorial's checks, narrated, on the e2e topology with
// lvs-operator's defaults. Runs in the client's network namespace like the e2e driver (the host
// side, scripts/demo.sh, shows OUT/narration.txt as it grows). Exit 0 when everything the
// narration claims was seen.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIP, addressOf, outDir } from './env.js';
import { inNs, log, must, sleep } from './exec.js';
import { Prober } from './http.js';
import { crashHost, startAgents, useManifests, vipHolders, waitVip } from './cluster.js';
import { waitConverged } from './converge.js';
import { curlVip } from './checks/dr.js';

const narration = join(outDir, 'narration.txt');
const problems: string[] = [];

function say(text = ''): void {
  appendFileSync(narration, `${text}\n`);
  log(`demo: ${text}`);
}

function shell(host: string, argv: string[], out: string): void {
  say(`[${host}]$ ${argv.join(' ')}`);
  say(out.trimEnd().replace(/^/gm, '    '));
}

function expect(ok: boolean, what: string): void {
  say(ok ? `  ok: ${what}` : `  NOT SEEN: ${what}`);
  if (!ok) problems.push(what);
}

async function main(): Promise<void> {
  say(`lvs-operator demo: the seed tutorial (keepalived + LVS-DR: two directors, two nginx, round robin)`);
  say(
    `Linux ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()}; every host is a network namespace on one bridge:`,
  );
  const a = addressOf;
  say(
    `  client ${a.client}, directors lvs01 ${a.lvs01} and lvs02 ${a.lvs02}, real servers nginx01 ${a.nginx01} and nginx02 ${a.nginx02}`,
  );
  say(`  VIP ${VIP}:80. Each host runs \`lvs-operator local\` over the same manifests (test/e2e/manifests/demo).`);
  say();
  useManifests('demo');
  const start = Date.now();
  await startAgents();
  const { seen } = await waitConverged({ forward: 'Route', flags: '', rsDevice: 'lo' }, 120_000);
  say(`1. The agents programmed everything in ${((Date.now() - start) / 1000).toFixed(1)} s: ${seen}`);
  say();
  say('2. The table on the master, as the tutorial checks it:');
  shell('lvs01', ['ipvsadm', '-Ln'], await must(inNs('lvs01', ['ipvsadm', '-Ln'])));
  shell('nginx01', ['ip', '-4', 'addr', 'show', 'lo'], await must(inNs('nginx01', ['ip', '-4', 'addr', 'show', 'lo'])));
  say();
  say(`3. curl from the client: round robin alternates the real servers`);
  const answers: string[] = [];
  for (let i = 0; i < 6; i++) {
    const { server } = await curlVip();
    answers.push(server);
    say(`[client]$ curl -s http://${VIP}/ | grep '<h1>'    ->  <h1>${server}</h1>`);
  }
  expect(
    answers.every((s, i) => s.startsWith('nginx') && (i === 0 || s !== answers[i - 1])),
    'the answers alternate nginx01 / nginx02',
  );
  say();
  say("4. The master's connection table (ipvsadm -Lnc): the client's connections, spread as the answers were");
  shell('lvs01', ['ipvsadm', '-Lnc'], await must(inNs('lvs01', ['ipvsadm', '-Lnc'])));
  say();
  say('5. Crash of the master: its link goes down, its agent and keepalived are SIGKILLed;');
  say('   a request loop (a new connection every 20 ms) measures what the client sees.');
  const prober = new Prober(300, 20);
  await sleep(1000);
  await crashHost('lvs01');
  const vipMs = await waitVip('lvs02', 20_000, false);
  await sleep(2000);
  const probe = await prober.stop();
  say(`   lvs02 took the VIP ${(vipMs / 1000).toFixed(2)} s after the crash (VRRPv3, adverts every 0.1 s).`);
  say(
    `   Outage seen by the client: ${probe.longestGapMs} ms without an answer; ${probe.failed} of ${probe.requests} requests failed (300 ms timeout).`,
  );
  expect((await vipHolders()).includes('lvs02'), 'the backup (lvs02) holds the VIP');
  say();
  say('6. The backup serves:');
  shell('lvs02', ['ipvsadm', '-Ln'], await must(inNs('lvs02', ['ipvsadm', '-Ln'])));
  const after: string[] = [];
  for (let i = 0; i < 4; i++) after.push((await curlVip()).server);
  say(`[client]$ curl x4  ->  ${after.join(' ')}`);
  expect(
    after.every((s) => s.startsWith('nginx')),
    'every request through the VIP is answered after the crash',
  );
  say();
  say(
    problems.length === 0
      ? 'Demo done: every step above was seen on the real kernel.'
      : `Demo done, but not seen: ${problems.join('; ')}`,
  );
}

main()
  .catch((e) => {
    problems.push((e as Error).message);
    say(`demo failed: ${(e as Error).stack}`);
  })
  .finally(() => process.exit(problems.length === 0 ? 0 : 1));
