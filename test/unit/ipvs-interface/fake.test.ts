// The in-memory IPVS: operations do what the restore simulator says the kernel does, and each
// failure is reported on its own operation.
import { describe, expect, it } from 'vitest';
import { renderSave } from '../../../src/core/ipvs/save-format.js';
import { FakeIpvs } from '../../../src/node/ipvs/fake.js';
import { dr, nat, tcp } from '../ipvs/builders.js';

const web = tcp('192.0.2.100', 80, 'rr');

describe('FakeIpvs', () => {
  it('applies a batch in order and reads it back canonical', async () => {
    const ipvs = new FakeIpvs();
    const { results } = await ipvs.apply([
      { kind: 'add-service', service: web },
      { kind: 'add-destination', service: web, destination: dr('10.0.0.2', 80) },
      { kind: 'add-destination', service: web, destination: dr('10.0.0.1', 80, 3) },
    ]);
    expect(results.every((r) => r.error === undefined)).toBe(true);
    expect(renderSave(await ipvs.services())).toBe(
      '-A -t 192.0.2.100:80 -s rr\n-a -t 192.0.2.100:80 -r 10.0.0.1:80 -g -w 3\n-a -t 192.0.2.100:80 -r 10.0.0.2:80 -g -w 1\n',
    );
  });

  it('fails an operation as the kernel would and goes on with the rest', async () => {
    const ipvs = new FakeIpvs();
    const { results } = await ipvs.apply([
      { kind: 'add-destination', service: web, destination: nat('10.0.0.1', 80) },
      { kind: 'add-service', service: web },
      { kind: 'add-service', service: web },
      { kind: 'delete-destination', service: web, destination: { address: '10.0.0.9', port: 80 } },
    ]);
    expect(results.map((r) => r.error)).toEqual([
      'line 1: Service not defined: -a -t 192.0.2.100:80 -r 10.0.0.1:80 -m -w 1',
      undefined,
      'line 1: Service already exists: -A -t 192.0.2.100:80 -s rr',
      'line 1: No such destination 10.0.0.9:80: -d -t 192.0.2.100:80 -r 10.0.0.9:80',
    ]);
    expect((await ipvs.services()).services).toHaveLength(1);
  });

  it('refuses what the test says, with its message', async () => {
    const ipvs = new FakeIpvs();
    ipvs.refuse = (op) => op.kind === 'add-service' && 'Memory allocation problem';
    const { results } = await ipvs.apply([{ kind: 'add-service', service: web }]);
    expect(results[0]!.error).toBe('Memory allocation problem');
    expect(ipvs.table.services).toEqual([]);
  });

  it('keeps thresholds, and updates replace the whole spec', async () => {
    const ipvs = new FakeIpvs();
    await ipvs.apply([
      { kind: 'add-service', service: { ...web, persistence: { timeout: 300 } } },
      { kind: 'add-destination', service: web, destination: nat('10.0.0.1', 80, 2, { upperThreshold: 9 }) },
      { kind: 'update-service', service: web },
    ]);
    const [svc] = (await ipvs.services()).services;
    expect(svc!.persistence).toBeUndefined();
    expect(svc!.destinations[0]!.upperThreshold).toBe(9);
    expect(ipvs.readsThresholds).toBe(true);
  });

  it('connections and stats: every destination, with what the test set', async () => {
    const ipvs = new FakeIpvs();
    await ipvs.apply([
      { kind: 'add-service', service: web },
      { kind: 'add-destination', service: web, destination: dr('10.0.0.1', 80, 2) },
    ]);
    ipvs.connectionsNow.set('TCP/192.0.2.100:80 10.0.0.1:80', { active: 1, inactive: 4 });
    ipvs.counters.set('TCP/192.0.2.100:80 10.0.0.1:80', {
      connections: 7,
      inPackets: 1,
      outPackets: 2,
      inBytes: 3,
      outBytes: 4,
    });
    expect(await ipvs.connections()).toEqual([
      {
        service: 'TCP/192.0.2.100:80',
        destination: '10.0.0.1:80',
        weight: 2,
        activeConnections: 1,
        inactiveConnections: 4,
      },
    ]);
    expect((await ipvs.stats())[0]).toMatchObject({ connections: 7, outBytes: 4 });
  });

  it('runs one sync daemon per role, as the kernel does', async () => {
    const ipvs = new FakeIpvs();
    await ipvs.startSyncDaemon({ role: 'master', interface: 'eth0', syncID: 1 });
    await expect(ipvs.startSyncDaemon({ role: 'master', interface: 'eth1', syncID: 2 })).rejects.toThrow('File exists');
    await expect(ipvs.stopSyncDaemon('backup')).rejects.toThrow('No such process');
    expect(await ipvs.syncDaemons()).toEqual([{ role: 'master', interface: 'eth0', syncID: 1 }]);
    await ipvs.stopSyncDaemon('master');
    expect(await ipvs.syncDaemons()).toEqual([]);
  });
});
