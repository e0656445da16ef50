// The IPVS writes of issue 15, netlink against ipvsadm, in the VM (run by
// test/e2e/ipvs-netlink/main.ts with LVS_E2E_NETLINK_BENCH=1): cold programming of 40 services x
// 250 destinations (NetlinkIpvs.apply, batches of 128, against `ipvsadm -R` of the same lines),
// one destination's weight change (one SET_DEST against one `ipvsadm -e`), reading the whole
// table back (dumps against `ipvsadm -S -n` parsed), and the longest the event loop was held
// during the cold programming. Figures only: nothing here passes or fails.
import { performance } from 'node:perf_hooks';
import { canonicalTable } from '../../src/core/ipvs/canonical.js';
import { diffOperations } from '../../src/core/ipvs/diff.js';
import type { IpvsTable } from '../../src/core/ipvs/model.js';
import { serviceKey } from '../../src/core/ipvs/model.js';
import { operationLine, type IpvsOperation } from '../../src/core/ipvs/operations.js';
import { parseSave } from '../../src/core/ipvs/save-format.js';
import { runChecked, runCommand } from '../../src/node/dataplane/command.js';
import { decodeFamilyId } from '../../src/core/ipvs/netlink/decode.js';
import { getFamilyMessage, operationMessage } from '../../src/core/ipvs/netlink/encode.js';
import { decodeErrno, decodeMessages, NLMSG_ERROR } from '../../src/core/ipvs/netlink/wire.js';
import { NetlinkIpvs } from '../../src/node/ipvs/netlink.js';
import { NetlinkSocket } from '../../src/node/ipvs/netlink-socket.js';
import type { FigureInput } from '../results.js';

const SERVICES = 40;
const PER_SERVICE = 250;

function coldTable(): IpvsTable {
  return canonicalTable({
    services: Array.from({ length: SERVICES }, (_, i) => ({
      protocol: 'TCP' as const,
      address: `198.51.100.${i + 1}`,
      port: 80,
      scheduler: 'wrr',
      destinations: Array.from({ length: PER_SERVICE }, (_, j) => ({
        address: `10.${100 + i}.${j >> 8}.${j & 0xff}`,
        port: 80,
        forwarding: 'DR' as const,
        weight: 1,
      })),
    })),
  });
}

/** Seconds a body takes, and the longest gap between two ticks of a 1 ms timer meanwhile (the event loop held). */
async function timed(body: () => Promise<void>): Promise<{ s: number; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 1);
  const t0 = performance.now();
  await body();
  const s = (performance.now() - t0) / 1000;
  clearInterval(timer);
  stallMs = Math.max(stallMs, performance.now() - last);
  return { s, stallMs };
}

async function restore(lines: string[]): Promise<void> {
  const out = await runCommand(['ipvsadm', '-R'], { input: lines.join('\n') + '\n', timeoutMs: 600_000 });
  if (out.code !== 0 || out.stderr.trim()) throw new Error(`ipvsadm -R: exit ${out.code}: ${out.stderr.slice(0, 300)}`);
}

async function destinationsInKernel(keys: Set<string>): Promise<number> {
  const { table } = parseSave(await runChecked(runCommand, ['ipvsadm', '-S', '-n']));
  return table.services.filter((s) => keys.has(serviceKey(s))).reduce((n, s) => n + s.destinations.length, 0);
}

/**
 * Where the cold programming's time goes: building every message in JavaScript, and the kernel
 * handling pre-built batches (send + the last ACK) on a raw socket. Seconds; the table is left
 * programmed, for the caller to remove.
 */
async function breakdown(ops: readonly IpvsOperation[]): Promise<{ encode: number; kernel: number }> {
  const socket = new NetlinkSocket();
  try {
    socket.send(getFamilyMessage(1));
    const reply = decodeMessages(socket.recv()).find((m) => m.type !== NLMSG_ERROR);
    if (!reply) throw new Error('no IPVS family');
    const family = decodeFamilyId(reply.payload);
    decodeMessages(socket.recv()); // its ACK
    const t0 = performance.now();
    const batches: Buffer[] = [];
    for (let i = 0; i < ops.length; i += 128) {
      const chunk = ops.slice(i, i + 128);
      batches.push(
        Buffer.concat(chunk.map((op, j) => operationMessage(family, 10 + i + j, op, j === chunk.length - 1))),
      );
    }
    const t1 = performance.now();
    for (const batch of batches) {
      socket.send(batch);
      for (const m of decodeMessages(socket.recv())) {
        if (m.type === NLMSG_ERROR && decodeErrno(m.payload))
          throw new Error(`breakdown: errno ${decodeErrno(m.payload)}`);
      }
    }
    return { encode: (t1 - t0) / 1000, kernel: (performance.now() - t1) / 1000 };
  } finally {
    socket.close();
  }
}

interface Setup {
  table: IpvsTable;
  keys: Set<string>;
  ops: IpvsOperation[];
  teardown: IpvsOperation[];
  ipvs: NetlinkIpvs;
}

/** Cold programming, netlink then ipvsadm -R, `samples` times each from an empty table. */
async function coldRuns(b: Setup, samples: number, log: (line: string) => void) {
  const lines = b.ops.map(operationLine);
  const cold = { netlink: [] as number[], ipvsadm: [] as number[], stall: [] as number[] };
  for (let i = 0; i < samples; i++) {
    const n = await timed(async () => {
      const { results } = await b.ipvs.apply(b.ops);
      const failed = results.filter((r) => r.error);
      if (failed.length) throw new Error(`netlink cold programming: ${failed.length} failed: ${failed[0]!.error}`);
    });
    const count = await destinationsInKernel(b.keys);
    if (count !== SERVICES * PER_SERVICE) throw new Error(`netlink cold programming left ${count} destinations`);
    cold.netlink.push(n.s);
    cold.stall.push(n.stallMs);
    await b.ipvs.apply(b.teardown);
    const r = await timed(() => restore(lines));
    cold.ipvsadm.push(r.s);
    await restore(b.teardown.map(operationLine));
    log(`bench netlink: cold ${n.s.toFixed(3)} s (stall ${n.stallMs.toFixed(1)} ms), ipvsadm -R ${r.s.toFixed(3)} s`);
  }
  return cold;
}

/** On the full table: one weight change (SET_DEST against ipvsadm -e), then whole-table reads. */
async function warmRuns(b: Setup, samples: number) {
  await b.ipvs.apply(b.ops);
  const s0 = b.table.services[7]!;
  const d0 = s0.destinations[123]!;
  const weight = { netlink: [] as number[], ipvsadm: [] as number[] };
  for (let i = 0; i < Math.max(5, samples); i++) {
    const w = 2 + (i % 2);
    const n = await timed(async () => {
      const op: IpvsOperation = { kind: 'update-destination', service: s0, destination: { ...d0, weight: w } };
      const { results } = await b.ipvs.apply([op]);
      if (results[0]!.error) throw new Error(results[0]!.error);
    });
    weight.netlink.push(n.s * 1000);
    const line = operationLine({ kind: 'update-destination', service: s0, destination: { ...d0, weight: w + 2 } });
    const r = await timed(() => runChecked(runCommand, ['ipvsadm', ...line.split(' ')]).then(() => undefined));
    weight.ipvsadm.push(r.s * 1000);
  }
  const read = { netlink: [] as number[], ipvsadm: [] as number[] };
  for (let i = 0; i < samples; i++) {
    read.netlink.push((await timed(() => b.ipvs.services().then(() => undefined))).s);
    read.ipvsadm.push((await timed(() => destinationsInKernel(b.keys).then(() => undefined))).s);
  }
  await b.ipvs.apply(b.teardown);
  return { weight, read };
}

export async function benchNetlink(samples: number, log: (line: string) => void): Promise<FigureInput[]> {
  const table = coldTable();
  const keys = new Set(table.services.map(serviceKey));
  const ops = diffOperations({ services: [] }, table, { owned: keys });
  const teardown: IpvsOperation[] = table.services.map((s) => ({ kind: 'delete-service', service: s }));
  const b: Setup = { table, keys, ops, teardown, ipvs: new NetlinkIpvs({ batchSize: 128 }) };
  const cold = await coldRuns(b, samples, log);
  const parts = await breakdown(ops);
  log(`bench netlink: encoding ${parts.encode.toFixed(3)} s, kernel (send + ACK) ${parts.kernel.toFixed(3)} s`);
  await b.ipvs.apply(teardown);
  const { weight, read } = await warmRuns(b, samples);
  const n = SERVICES * PER_SERVICE;
  const setup = `${SERVICES} services x ${PER_SERVICE} destinations (DR, wrr)`;
  return [
    {
      id: 'n1-cold-programming',
      title: `Cold programming of ${n.toLocaleString('en')} destinations`,
      unit: 's',
      better: 'lower',
      ours: { label: 'NetlinkIpvs.apply, 128 messages per send()', samples: cold.netlink },
      anchor: { label: 'ipvsadm -R of the same lines', samples: cold.ipvsadm },
      note:
        `${setup} from an empty table, ${ops.length} operations; the time until apply() resolved with every operation done (checked with ipvsadm -S). ` +
        `Of a separate run: building the messages ${parts.encode.toFixed(2)} s, the kernel handling them (send + last ACK, raw socket) ${parts.kernel.toFixed(2)} s.`,
    },
    {
      id: 'n2-weight-change',
      title: `One destination's weight change at ${n.toLocaleString('en')} destinations`,
      unit: 'ms',
      better: 'lower',
      ours: { label: 'NetlinkIpvs.apply of one update-destination (IPVS_CMD_SET_DEST)', samples: weight.netlink },
      anchor: { label: 'one ipvsadm -e process', samples: weight.ipvsadm },
      note: 'The write alone, on an open socket; the plan and the diff before it are not in this figure.',
    },
    {
      id: 'n3-table-read',
      title: `Reading the whole table of ${n.toLocaleString('en')} destinations`,
      unit: 's',
      better: 'lower',
      ours: { label: 'NetlinkIpvs.services() (GET_SERVICE + GET_DEST dumps)', samples: read.netlink },
      anchor: { label: 'ipvsadm -S -n, parsed', samples: read.ipvsadm },
    },
    {
      id: 'n4-event-loop-stall',
      title: 'Longest event-loop stall during the cold programming',
      unit: 'ms',
      better: 'lower',
      ours: {
        label: 'NetlinkIpvs.apply (synchronous send/recv, yielding between batches of 128)',
        samples: cold.stall,
      },
      note: 'The longest gap between two ticks of a 1 ms timer while the cold programming ran: what a health check timer could be late by.',
    },
  ];
}
