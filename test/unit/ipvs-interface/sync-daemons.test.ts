import { describe, expect, it } from 'vitest';
import { FakeIpvs } from '../../../src/node/ipvs/fake.js';
import { convergeSyncDaemons } from '../../../src/node/ipvs/sync-daemons.js';

describe('convergeSyncDaemons', () => {
  it('starts a master and a backup with the interface and sync id', async () => {
    const ipvs = new FakeIpvs();
    expect(await convergeSyncDaemons(ipvs, { interface: 'eth0', syncID: 10 })).toEqual({ changed: true });
    expect(ipvs.daemons).toEqual([
      { role: 'master', interface: 'eth0', syncID: 10 },
      { role: 'backup', interface: 'eth0', syncID: 10 },
    ]);
  });

  it('leaves daemons that are right alone', async () => {
    const ipvs = new FakeIpvs();
    await convergeSyncDaemons(ipvs, { interface: 'eth0', syncID: 10 });
    ipvs.calls.length = 0;
    expect(await convergeSyncDaemons(ipvs, { interface: 'eth0', syncID: 10 })).toEqual({ changed: false });
    expect(ipvs.calls).toEqual(['syncDaemons']);
  });

  it('restarts one with another sync id (one per role), and stops both when none is wanted', async () => {
    const ipvs = new FakeIpvs();
    ipvs.daemons = [{ role: 'master', interface: 'eth0', syncID: 3 }];
    await convergeSyncDaemons(ipvs, { interface: 'eth0', syncID: 10 });
    expect(ipvs.daemons).toEqual([
      { role: 'master', interface: 'eth0', syncID: 10 },
      { role: 'backup', interface: 'eth0', syncID: 10 },
    ]);
    await convergeSyncDaemons(ipvs, undefined);
    expect(ipvs.daemons).toEqual([]);
  });
});
