// Runs in the VM (run.sh): records the scenarios' conversations with the real kernel as fixtures
// (OUT/ipvs-netlink/captures/*.json: test/golden/ipvs-netlink holds the ones committed), runs the
// checks against ipvsadm (OUT/ipvs-netlink/results.json), and, with LVS_E2E_NETLINK_BENCH=1, the
// benchmark (OUT/ipvs-netlink/bench.json). Bundled by ipvs-netlink.e2e.test.ts (koffi external,
// found through OUT/node_modules).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { benchNetlink } from '../../../bench/vm/netlink.js';
import { NetlinkIpvs } from '../../../src/node/ipvs/netlink.js';
import { NetlinkSocket } from '../../../src/node/ipvs/netlink-socket.js';
import { runChecks } from './checks.js';
import { RecordingTransport, SCENARIOS, type Capture, type Exchange } from './scenarios.js';

const out = join(process.env.LVS_E2E_OUT ?? '/tmp', 'ipvs-netlink');
const FIRST_SEQ = 1000;
const BATCH = 128;

const sh = (...argv: string[]) => execFileSync(argv[0]!, argv.slice(1), { stdio: 'inherit' });

/** A veth for the sync daemons, and routes so that locally sent packets to the VIPs meet IPVS. */
function setUp(): void {
  sh('ip', 'link', 'add', 'nlv0', 'type', 'veth', 'peer', 'name', 'nlv1');
  sh('ip', 'addr', 'add', '10.0.0.254/24', 'dev', 'nlv0');
  sh('ip', 'link', 'set', 'nlv0', 'up');
  sh('ip', 'link', 'set', 'nlv1', 'up');
  sh('ip', 'route', 'add', '192.0.2.0/24', 'dev', 'nlv0');
  // a firewall-mark service the captures' dumps must leave out
  sh('ipvsadm', '-A', '-f', '5', '-s', 'rr');
}

/** Some packets through the services, so that counters and connections are not all zero. */
async function traffic(): Promise<void> {
  const { createSocket } = await import('node:dgram');
  const { connect } = await import('node:net');
  const udp = createSocket('udp4');
  for (let i = 0; i < 3; i++) await new Promise((r) => udp.send(Buffer.from('hello'), 53, '192.0.2.100', r));
  udp.close();
  const tcp = connect({ host: '192.0.2.100', port: 80 });
  tcp.on('error', () => {});
  await new Promise((r) => setTimeout(r, 300));
  tcp.destroy();
}

async function capture(): Promise<void> {
  mkdirSync(join(out, 'captures'), { recursive: true });
  for (const [scenario, run] of Object.entries(SCENARIOS)) {
    if (scenario === 'services') await traffic();
    const exchanges: Exchange[] = [];
    const ipvs = new NetlinkIpvs({
      batchSize: BATCH,
      firstSeq: FIRST_SEQ,
      open: () => new RecordingTransport(new NetlinkSocket(), exchanges),
    });
    let outcome: unknown;
    try {
      outcome = await run(ipvs);
    } catch (e) {
      outcome = { threw: (e as Error).message };
    }
    ipvs.close();
    const c: Capture = { scenario, kernel: release(), firstSeq: FIRST_SEQ, batchSize: BATCH, exchanges, outcome };
    writeFileSync(join(out, 'captures', `${scenario}.json`), JSON.stringify(c, null, 1) + '\n');
    console.log(`capture ${scenario}: ${exchanges.length} datagrams: ${JSON.stringify(outcome).slice(0, 400)}`);
  }
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  setUp();
  await capture();
  sh('ipvsadm', '-S', '-n');
  const results = await runChecks();
  writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 1) + '\n');
  for (const r of results) console.log(`check ${r.id}: ${r.ok ? 'ok' : 'FAILED'}: ${r.details.slice(0, 600)}`);
  if (process.env.LVS_E2E_NETLINK_BENCH === '1') {
    try {
      const figures = await benchNetlink(Number(process.env.LVS_E2E_BENCH_SAMPLES ?? 3), console.log);
      writeFileSync(join(out, 'bench.json'), JSON.stringify({ kernel: release(), figures }, null, 1) + '\n');
    } catch (e) {
      console.log(`bench failed: ${(e as Error).stack}`);
      writeFileSync(join(out, 'bench.json'), JSON.stringify({ kernel: release(), error: String(e) }) + '\n');
    }
  }
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
}

await main();
