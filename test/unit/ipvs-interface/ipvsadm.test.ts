// The ipvsadm implementation of the IPVS interface, against a fake ipvsadm (the restore
// simulator behind -R and -S, fixtures for the listings): what it runs, and what it reports.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CommandOutput, RunCommand } from '../../../src/node/dataplane/command.js';
import type { IpvsOperation } from '../../../src/core/ipvs/operations.js';
import { parseSave, renderSave } from '../../../src/core/ipvs/save-format.js';
import { explainFailures, Ipvsadm, parseDaemonList } from '../../../src/node/ipvs/ipvsadm.js';
import { FakeIpvsKernel } from '../agent/fake-system.js';
import { dr, nat, tcp } from '../ipvs/builders.js';

const fixture = (name: string) => readFileSync(new URL(`../metrics/fixtures/${name}`, import.meta.url), 'utf8');

const web = tcp('192.0.2.100', 80, 'rr');
const ops = (...list: IpvsOperation[]) => list;

function recording(reply: (argv: readonly string[]) => CommandOutput) {
  const calls: (readonly string[])[] = [];
  const run: RunCommand = async (argv) => {
    calls.push(argv);
    return reply(argv);
  };
  return { run, calls };
}

describe('Ipvsadm: reading', () => {
  it('services() is `ipvsadm -S -n`, parsed into the canonical table', async () => {
    const kernel = new FakeIpvsKernel();
    kernel.table = parseSave('-A -t 192.0.2.100:80 -s rr\n-a -t 192.0.2.100:80 -r 10.0.0.1:80 -m -w 2\n').table;
    const table = await new Ipvsadm(kernel.run).services();
    expect(renderSave(table)).toBe('-A -t 192.0.2.100:80 -s rr\n-a -t 192.0.2.100:80 -r 10.0.0.1:80 -m -w 2\n');
    expect(kernel.commands).toEqual(['ipvsadm -S -n']);
  });

  it('connections() and stats() read the two --exact listings, with a timeout when asked', async () => {
    const { run, calls } = recording((argv) => ({
      code: 0,
      stdout: fixture(argv.includes('--stats') ? 'stats.txt' : 'list.txt'),
      stderr: '',
    }));
    const ipvs = new Ipvsadm(run);
    const state = await ipvs.connections({ timeoutMs: 8000 });
    const stats = await ipvs.stats();
    expect(calls).toEqual([
      ['ipvsadm', '-L', '-n', '--exact'],
      ['ipvsadm', '-L', '-n', '--exact', '--stats'],
    ]);
    expect(state).toContainEqual({
      service: 'TCP/198.51.100.100:80',
      destination: '192.0.2.11:80',
      weight: 3,
      activeConnections: 0,
      inactiveConnections: 5,
    });
    expect(stats).toContainEqual(
      expect.objectContaining({ service: 'TCP/198.51.100.100:80', destination: '192.0.2.11:80', connections: 3 }),
    );
  });

  it('a failing listing rejects with ipvsadm`s own message', async () => {
    const { run } = recording(() => ({ code: 2, stdout: '', stderr: "Can't initialize ipvs: Protocol not available" }));
    await expect(new Ipvsadm(run).connections()).rejects.toThrow(
      "ipvsadm -L -n --exact: exit 2: Can't initialize ipvs: Protocol not available",
    );
  });
});

describe('Ipvsadm: apply', () => {
  it('sends all operations as ONE ipvsadm -R batch; a quiet batch is done without reading back', async () => {
    const kernel = new FakeIpvsKernel();
    const batch = ops(
      { kind: 'add-service', service: web },
      { kind: 'add-destination', service: web, destination: dr('10.0.0.1', 80) },
    );
    const result = await new Ipvsadm(kernel.run).apply(batch);
    expect(kernel.commands).toEqual(['ipvsadm -R']);
    expect(kernel.batches).toEqual([['-A -t 192.0.2.100:80 -s rr', '-a -t 192.0.2.100:80 -r 10.0.0.1:80 -g -w 1']]);
    expect(result).toEqual({ results: batch.map((op) => ({ op })) });
  });

  it('an empty batch runs nothing', async () => {
    const kernel = new FakeIpvsKernel();
    expect(await new Ipvsadm(kernel.run).apply([])).toEqual({ results: [] });
    expect(kernel.commands).toEqual([]);
  });

  it('a batch that complains is read back: only the operations whose effect is missing fail', async () => {
    const kernel = new FakeIpvsKernel();
    kernel.refuse = (line) => line.includes('10.0.0.2') && 'Memory allocation problem';
    const batch = ops(
      { kind: 'add-service', service: web },
      { kind: 'add-destination', service: web, destination: nat('10.0.0.1', 80) },
      { kind: 'add-destination', service: web, destination: nat('10.0.0.2', 80) },
    );
    const { results, table } = await new Ipvsadm(kernel.run).apply(batch);
    expect(kernel.commands).toEqual(['ipvsadm -R', 'ipvsadm -S -n']);
    expect(results.map((r) => r.error)).toEqual([undefined, undefined, 'Memory allocation problem']);
    expect(table).toEqual(kernel.table);
  });

  it('an exit status is a complaint too, and a missing scheduler is named', async () => {
    const { run } = recording((argv) =>
      argv[1] === '-R'
        ? { code: 2, stdout: '', stderr: 'Scheduler or persistence engine not found\n' }
        : { code: 0, stdout: '', stderr: '' },
    );
    const twos = tcp('192.0.2.100', 80, 'twos');
    const { results } = await new Ipvsadm(run).apply([{ kind: 'add-service', service: twos }]);
    expect(results[0]!.error).toBe(
      'the kernel has no IPVS scheduler twos (module ip_vs_twos); Scheduler or persistence engine not found; ipvsadm -R exited 2',
    );
  });

  it('a complaint about an operation that did take (already there as asked) fails nothing', async () => {
    const kernel = new FakeIpvsKernel();
    kernel.table = parseSave('-A -t 192.0.2.100:80 -s rr\n').table;
    const { results } = await new Ipvsadm(kernel.run).apply([{ kind: 'add-service', service: web }]);
    expect(results).toEqual([{ op: { kind: 'add-service', service: web } }]);
  });

  it('thresholds are not compared when reading back: ipvsadm -S never prints them', async () => {
    const kernel = new FakeIpvsKernel();
    kernel.table = parseSave('-A -t 192.0.2.100:80 -s rr\n-a -t 192.0.2.100:80 -r 10.0.0.1:80 -m -w 1\n').table;
    kernel.refuse = (line) => line.startsWith('-e') && 'noise';
    const ipvs = new Ipvsadm(kernel.run);
    const destination = nat('10.0.0.1', 80, 1, { upperThreshold: 10 });
    const { results } = await ipvs.apply([{ kind: 'update-destination', service: web, destination }]);
    expect(results.map((r) => r.error)).toEqual([undefined]);
    expect(ipvs.readsThresholds).toBe(false);
  });
});

describe('Ipvsadm: sync daemons', () => {
  it('lists, starts and stops them with argv arrays', async () => {
    const { run, calls } = recording(() => ({
      code: 0,
      stdout: 'master sync daemon (mcast=eth0, syncid=10)\nbackup sync daemon (mcast=eth0, syncid=10)\n',
      stderr: '',
    }));
    const ipvs = new Ipvsadm(run);
    expect(await ipvs.syncDaemons()).toEqual([
      { role: 'master', interface: 'eth0', syncID: 10 },
      { role: 'backup', interface: 'eth0', syncID: 10 },
    ]);
    await ipvs.stopSyncDaemon('backup');
    await ipvs.startSyncDaemon({ role: 'backup', interface: 'ens192', syncID: 7 });
    expect(calls).toEqual([
      ['ipvsadm', '-L', '--daemon'],
      ['ipvsadm', '--stop-daemon', 'backup'],
      ['ipvsadm', '--start-daemon', 'backup', '--mcast-interface', 'ens192', '--syncid', '7'],
    ]);
  });

  it('parseDaemonList skips what is not a daemon line', () => {
    expect(parseDaemonList('\nsomething else\n')).toEqual([]);
  });

  it('a failing start rejects with the message', async () => {
    const { run } = recording(() => ({ code: 2, stdout: '', stderr: 'File exists' }));
    await expect(new Ipvsadm(run).startSyncDaemon({ role: 'master', interface: 'eth0', syncID: 1 })).rejects.toThrow(
      'File exists',
    );
  });
});

describe('explainFailures', () => {
  it('leaves other complaints as they are', () => {
    expect(explainFailures(['-A -t 192.0.2.1:80 -s rr'], ['Memory allocation problem'])).toEqual([
      'Memory allocation problem',
    ]);
  });
});
