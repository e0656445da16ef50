// The netlink implementation against the real kernel, judged by the real tool: each check applies
// or reads through NetlinkIpvs and compares with what `ipvsadm` (the Ipvsadm implementation, or
// ipvsadm -S -n parsed) sees. Runs in the VM (main.ts); ipvs-netlink.e2e.test.ts turns the
// results into one test each.
import { canonicalTable } from '../../../src/core/ipvs/canonical.js';
import { diffOperations } from '../../../src/core/ipvs/diff.js';
import type { IpvsService, IpvsTable } from '../../../src/core/ipvs/model.js';
import { serviceKey } from '../../../src/core/ipvs/model.js';
import { operationsVisible, serviceSpec, type IpvsOperation } from '../../../src/core/ipvs/operations.js';
import { parseSave } from '../../../src/core/ipvs/save-format.js';
import { runChecked, runCommand } from '../../../src/node/dataplane/command.js';
import { Ipvsadm } from '../../../src/node/ipvs/ipvsadm.js';
import { NetlinkIpvs } from '../../../src/node/ipvs/netlink.js';
import { NetlinkSocket } from '../../../src/node/ipvs/netlink-socket.js';

export interface CheckResult {
  id: string;
  ok: boolean;
  details: string;
}

const ipvsadm = new Ipvsadm(runCommand);

/** The kernel's table as ipvsadm -S -n shows it, only the services whose key is in `keys`. */
async function toolTable(keys?: Set<string>): Promise<IpvsTable> {
  const { table } = parseSave(await runChecked(runCommand, ['ipvsadm', '-S', '-n']));
  return { services: table.services.filter((s) => !keys || keys.has(serviceKey(s))) };
}

/** ipvsadm -S never prints thresholds: compare without them. */
function withoutThresholds(t: IpvsTable): IpvsTable {
  return canonicalTable({
    services: t.services.map((s) => ({
      ...s,
      destinations: s.destinations.map(({ upperThreshold: _u, lowerThreshold: _l, ...d }) => d),
    })),
  });
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** count services x perService DR destinations, every fourth with thresholds, some at weight 0. */
export function sampleTable(count: number, perService: number, base = 10): IpvsTable {
  const services: IpvsService[] = [];
  for (let i = 0; i < count; i++) {
    const port = 8000 + i;
    services.push({
      protocol: i % 3 === 2 ? 'UDP' : 'TCP',
      address: `198.51.100.${base + i}`,
      port,
      scheduler: i % 2 ? 'wrr' : 'rr',
      ...(i % 2 ? { persistence: { timeout: 120 } } : {}),
      destinations: Array.from({ length: perService }, (_, j) => ({
        address: `10.${20 + i}.${j >> 8}.${j & 0xff}`,
        port,
        forwarding: j % 5 === 4 ? ('NAT' as const) : ('DR' as const),
        weight: j % 7,
        ...(j % 4 === 0 ? { upperThreshold: 50, lowerThreshold: 5 } : {}),
      })),
    });
  }
  return canonicalTable({ services });
}

export async function runChecks(): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const check = async (id: string, body: () => Promise<string | undefined>) => {
    try {
      const failure = await body();
      results.push({ id, ok: failure === undefined, details: failure ?? 'ok' });
    } catch (e) {
      results.push({ id, ok: false, details: `threw: ${(e as Error).stack}` });
    }
  };
  const netlink = new NetlinkIpvs({ batchSize: 128 });
  const desired = sampleTable(5, 100);
  const keys = new Set(desired.services.map(serviceKey));

  await check('batch', async () => {
    const ops = diffOperations({ services: [] }, desired, { owned: keys });
    const { results: r } = await netlink.apply(ops);
    const failed = r.filter((x) => x.error);
    if (failed.length) return `${failed.length} of ${ops.length} failed: ${failed[0]!.error}`;
    const tool = await toolTable(keys);
    if (!same(tool, withoutThresholds(desired))) return `ipvsadm -S differs from the desired table`;
    const read = await netlink.services();
    const ours = { services: read.services.filter((s) => keys.has(serviceKey(s))) };
    if (!same(ours, desired)) return 'services() (with thresholds) differs from the desired table';
    return undefined;
  });

  await check('errors', async () => errorsCheck(netlink, desired));

  await check('reads', async () => {
    const byKey = <T extends { service: string; destination: string }>(xs: T[]) =>
      [...xs].sort((a, b) => `${a.service} ${a.destination}`.localeCompare(`${b.service} ${b.destination}`));
    const [c1, c2] = [byKey(await netlink.connections()), byKey(await ipvsadm.connections())];
    if (!same(c1, c2))
      return `connections() differ: ${JSON.stringify(c1.slice(0, 2))} vs ${JSON.stringify(c2.slice(0, 2))}`;
    const [s1, s2] = [byKey(await netlink.stats()), byKey(await ipvsadm.stats())];
    if (!same(s1, s2)) return `stats() differ: ${JSON.stringify(s1.slice(0, 2))} vs ${JSON.stringify(s2.slice(0, 2))}`;
    const [t1, t2] = [withoutThresholds(await netlink.services()), await ipvsadm.services()];
    if (!same(t1, canonicalTable(t2))) return 'services() differs from Ipvsadm.services() (thresholds aside)';
    return c1.length === 0 ? 'no destinations read' : undefined;
  });

  await check('daemons', async () => {
    await netlink.startSyncDaemon({ role: 'master', interface: 'nlv0', syncID: 42 });
    await netlink.startSyncDaemon({ role: 'backup', interface: 'nlv0', syncID: 43 });
    const [d1, d2] = [await netlink.syncDaemons(), await ipvsadm.syncDaemons()];
    const sort = (d: typeof d1) => [...d].sort((a, b) => a.role.localeCompare(b.role));
    if (!same(sort(d1), sort(d2)) || d1.length !== 2)
      return `syncDaemons() ${JSON.stringify(d1)} vs ipvsadm ${JSON.stringify(d2)}`;
    await netlink.stopSyncDaemon('master');
    await netlink.stopSyncDaemon('backup');
    const after = await ipvsadm.syncDaemons();
    return after.length ? `still running after stop: ${JSON.stringify(after)}` : undefined;
  });

  await check('foreign', async () => foreignCheck(netlink));
  await check('enobufs', async () => enobufsCheck());

  await netlink.apply(desired.services.map((s) => ({ kind: 'delete-service', service: s }) as IpvsOperation));
  return results;
}

/** One failing operation of each kind in a batch: each error on its own operation, the rest applied. */
async function errorsCheck(netlink: NetlinkIpvs, desired: IpvsTable): Promise<string | undefined> {
  const s0 = desired.services[0]!;
  const dest = { address: '10.99.0.1', port: s0.port, forwarding: 'DR' as const, weight: 9 };
  const moved = { ...s0.destinations[0]!, weight: 77 };
  const ops: IpvsOperation[] = [
    { kind: 'add-service', service: serviceSpec(s0) },
    { kind: 'add-destination', service: s0, destination: dest },
    { kind: 'add-destination', service: { ...s0, port: 1 }, destination: { ...dest, port: 1 } },
    { kind: 'add-service', service: { protocol: 'TCP', address: '198.51.100.250', port: 80, scheduler: 'twos' } },
    { kind: 'update-destination', service: s0, destination: moved },
  ];
  const { results } = await netlink.apply(ops);
  const errors = results.map((r) => r.error ?? '');
  const expected = [/^EEXIST /, /^$/, /^ESRCH /, /^ENOENT .*twos \(module ip_vs_twos\)/, /^$/];
  if (!expected.every((re, i) => re.test(errors[i]!))) return `errors per operation: ${JSON.stringify(errors)}`;
  const tool = await toolTable(new Set([serviceKey(s0)]));
  const visible = operationsVisible(tool, [ops[1]!, ops[4]!], true);
  if (!visible.every(Boolean)) return `ipvsadm does not show the operations that succeeded: ${JSON.stringify(visible)}`;
  await netlink.apply([
    { kind: 'delete-destination', service: s0, destination: dest },
    { kind: 'update-destination', service: s0, destination: s0.destinations[0]! },
  ]);
  return undefined;
}

/** A firewall-mark service and a user's service (made with ipvsadm) are read or left out, and never touched. */
async function foreignCheck(netlink: NetlinkIpvs): Promise<string | undefined> {
  await runChecked(runCommand, ['ipvsadm', '-A', '-f', '77', '-s', 'rr']);
  await runChecked(runCommand, ['ipvsadm', '-A', '-t', '203.0.113.1:80', '-s', 'lc']);
  await runChecked(runCommand, ['ipvsadm', '-a', '-t', '203.0.113.1:80', '-r', '10.1.1.1:80', '-m', '-w', '4']);
  const before = await runChecked(runCommand, ['ipvsadm', '-S', '-n']);
  const read = await netlink.services();
  const mine = { protocol: 'TCP' as const, address: '198.51.100.240', port: 80, scheduler: 'rr' };
  await netlink.apply([{ kind: 'add-service', service: mine }]);
  await netlink.apply([{ kind: 'delete-service', service: mine }]);
  const after = await runChecked(runCommand, ['ipvsadm', '-S', '-n']);
  await runChecked(runCommand, ['ipvsadm', '-D', '-f', '77']);
  await runChecked(runCommand, ['ipvsadm', '-D', '-t', '203.0.113.1:80']);
  if (before !== after) return `the foreign services changed:\n${before}\n---\n${after}`;
  if (!read.services.some((s) => s.address === '203.0.113.1')) return "the user's TCP service is not in services()";
  if (read.services.some((s) => !s.address)) return 'a firewall-mark service came out of services()';
  return undefined;
}

/**
 * A receive buffer far too small for one batch's answers: the batch holds 1,250 operations the
 * kernel refuses (ESRCH: their service does not exist) between 1,250 it takes, so it drops
 * replies (ENOBUFS). The operations answered must be true, the others reported as unknown, and
 * the same instance must read the table right afterwards (a fresh socket, no stray answer).
 */
async function enobufsCheck(): Promise<string | undefined> {
  const small = new NetlinkIpvs({ batchSize: 3000, open: () => new NetlinkSocket({ receiveBuffer: 4096 }) });
  const table = sampleTable(1, 1250, 200);
  const keys = new Set(table.services.map(serviceKey));
  const s0 = table.services[0]!;
  const missing = { ...s0, port: 1 };
  const ops: IpvsOperation[] = [{ kind: 'add-service', service: serviceSpec(s0) }];
  for (const d of s0.destinations) {
    ops.push({ kind: 'add-destination', service: s0, destination: d });
    ops.push({ kind: 'add-destination', service: missing, destination: { ...d, port: 1 } });
  }
  const { results } = await small.apply(ops);
  const lost = results.filter((r) => r.error?.startsWith('ENOBUFS'));
  const refused = results.filter((r) => r.error?.startsWith('ESRCH'));
  const other = results.filter((r) => r.error && !/^(ENOBUFS|ESRCH)/.test(r.error));
  const read = await small.services();
  const tool = await toolTable(keys);
  const visible = operationsVisible(tool, ops, true);
  const wrong = results.filter(
    (r, i) => (!r.error && !visible[i]) || (r.error?.startsWith('ESRCH') && r.op.service.port !== 1),
  );
  await small.apply([{ kind: 'delete-service', service: s0 }]);
  const note = `${lost.length} of ${ops.length} answers lost, ${refused.length} ESRCH received`;
  console.log(`enobufs: ${note}`);
  if (lost.length === 0) return `${note}: the kernel dropped nothing, ENOBUFS not exercised`;
  if (other.length) return `${note}; other errors: ${other[0]!.error}`;
  if (wrong.length) return `${note}; ${wrong.length} misreported (done but not in the table, or refused but valid)`;
  const mine = { services: read.services.filter((s) => keys.has(serviceKey(s))) };
  if (!same(withoutThresholds(mine), tool)) return `${note}; services() after ENOBUFS differs from ipvsadm -S`;
  return undefined;
}
