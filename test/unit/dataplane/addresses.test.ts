// convergeAddresses against a fake `ip` (fake-ip.ts): what is added, what is owned, what is
// never removed, and that nothing runs with an invalid device or address.
import { describe, expect, it } from 'vitest';
import { convergeAddresses } from '../../../src/node/dataplane/addresses.js';
import { type FakeIp, fakeIp } from './fake-ip.js';

const vip = { interface: 'lo', address: '172.16.40.160/32' };
const node = { lo: ['127.0.0.1/8', '::1/128'], eth0: ['192.0.2.2/24'] };
/** Runs `change` right after the first `ip -j addr show`, as another actor would. */
function raceAfterFirstObserve(ip: FakeIp, change: () => void) {
  const run = ip.run;
  let observed = false;
  ip.run = async (argv, options) => {
    const out = await run(argv, options);
    if (!observed && argv.join(' ') === 'ip -j addr show') {
      observed = true;
      change();
    }
    return out;
  };
}
const mutations = (calls: string[][]) => calls.filter((c) => c[2] === 'add' || c[2] === 'del').map((c) => c.join(' '));

describe('convergeAddresses', () => {
  it('adds the VIP, owns it, and removes it again when it leaves the plan', async () => {
    const ip = fakeIp(node);
    const added = await convergeAddresses(ip.run, [vip], [], []);
    expect(added).toEqual({ owned: [vip], errors: [] });
    expect([...ip.devices.get('lo')!]).toEqual(['127.0.0.1/8', '::1/128', '172.16.40.160/32']);

    const again = await convergeAddresses(ip.run, [vip], [], added.owned);
    expect(again).toEqual({ owned: [vip], errors: [] });

    const removed = await convergeAddresses(ip.run, [], [], again.owned);
    expect(removed).toEqual({ owned: [], errors: [] });
    expect([...ip.devices.get('lo')!]).toEqual(['127.0.0.1/8', '::1/128']);
    expect(mutations(ip.calls)).toEqual(['ip addr add 172.16.40.160/32 dev lo', 'ip addr del 172.16.40.160/32 dev lo']);
  });

  it('an address that was already there is not ours: kept, never removed', async () => {
    const ip = fakeIp({ ...node, lo: [...node.lo, '172.16.40.160/32'] });
    const result = await convergeAddresses(ip.run, [vip], [], []);
    expect(result).toEqual({ owned: [], errors: [] });
    await convergeAddresses(ip.run, [], [], result.owned);
    expect(ip.devices.get('lo')!.has('172.16.40.160/32')).toBe(true);
    expect(mutations(ip.calls)).toEqual([]);
  });

  it('never removes what it does not own, whatever the plan', async () => {
    const ip = fakeIp({ ...node, lo: [...node.lo, '198.51.100.7/32'] });
    await convergeAddresses(ip.run, [], [], [{ interface: 'eth0', address: '203.0.113.1/32' }]);
    expect(mutations(ip.calls)).toEqual([]);
    expect([...ip.devices.get('lo')!]).toEqual(['127.0.0.1/8', '::1/128', '198.51.100.7/32']);
  });

  it('"already assigned" when adding is success, but the address is not ours', async () => {
    const ip = fakeIp(node);
    // Someone else adds the VIP between our observing and our adding.
    raceAfterFirstObserve(ip, () => ip.devices.get('lo')!.add('172.16.40.160/32'));
    expect(await convergeAddresses(ip.run, [vip], [], [])).toEqual({ owned: [], errors: [] });
    expect(mutations(ip.calls)).toEqual(['ip addr add 172.16.40.160/32 dev lo']);
  });

  it('"not found" when deleting is success: the address is forgotten', async () => {
    const ip = fakeIp({ ...node, lo: [...node.lo, '172.16.40.160/32'] });
    raceAfterFirstObserve(ip, () => ip.devices.get('lo')!.delete('172.16.40.160/32'));
    expect(await convergeAddresses(ip.run, [], [], [vip])).toEqual({ owned: [], errors: [] });
    expect(mutations(ip.calls)).toEqual(['ip addr del 172.16.40.160/32 dev lo']);
  });

  it('older iproute2 words it "Cannot assign requested address"', async () => {
    const ip = fakeIp({ ...node, lo: [...node.lo, '172.16.40.160/32'] });
    ip.failures.set('ip addr del', 'RTNETLINK answers: Cannot assign requested address');
    raceAfterFirstObserve(ip, () => ip.devices.get('lo')!.delete('172.16.40.160/32'));
    expect(await convergeAddresses(ip.run, [], [], [vip])).toEqual({ owned: [], errors: [] });
  });

  it('a failed delete keeps the address owned and names it', async () => {
    const ip = fakeIp({ ...node, lo: [...node.lo, '172.16.40.160/32'] });
    ip.failures.set('ip addr del', 'RTNETLINK answers: Operation not permitted');
    expect(await convergeAddresses(ip.run, [], [], [vip])).toEqual({
      owned: [vip],
      errors: [
        {
          ...vip,
          message: 'ip addr del 172.16.40.160/32 dev lo: exit 2: RTNETLINK answers: Operation not permitted',
        },
      ],
    });
  });

  it('an address on a missing device is an error; the rest converge', async () => {
    const ip = fakeIp(node);
    const missing = { interface: 'tunl0', address: '172.16.40.160/32' };
    const result = await convergeAddresses(ip.run, [missing, vip], [], []);
    expect(result.owned).toEqual([vip]);
    expect(result.errors).toEqual([
      { ...missing, message: 'ip addr add 172.16.40.160/32 dev tunl0: exit 1: Cannot find device "tunl0"' },
    ]);
  });

  it('compares IPv6 in one spelling and owns it canonical', async () => {
    const ip = fakeIp({ ...node, lo: [...node.lo, '2001:db8::160/128'] });
    const result = await convergeAddresses(ip.run, [{ interface: 'lo', address: '2001:DB8:0::160/128' }], [], []);
    expect(result).toEqual({ owned: [], errors: [] });
    expect(mutations(ip.calls)).toEqual([]);
  });

  it('runs nothing for an invalid device or address', async () => {
    const ip = fakeIp(node);
    const bad = [
      { interface: 'lo;reboot', address: '172.16.40.160/32' },
      { interface: '-lo', address: '172.16.40.160/32' },
      { interface: 'lo', address: '172.16.40.160/33' },
      { interface: 'lo', address: 'dev eth0' },
    ];
    const result = await convergeAddresses(ip.run, bad, [], bad);
    expect(result.owned).toEqual([]);
    expect(result.errors.map((e) => e.message)).toEqual([
      'invalid device or address lo;reboot 172.16.40.160/32',
      'invalid device or address -lo 172.16.40.160/32',
      'invalid device or address lo 172.16.40.160/33',
      'invalid device or address lo dev eth0',
      'invalid owned address lo;reboot 172.16.40.160/32, forgotten',
      'invalid owned address -lo 172.16.40.160/32, forgotten',
      'invalid owned address lo 172.16.40.160/33, forgotten',
      'invalid owned address lo dev eth0, forgotten',
    ]);
    expect(mutations(ip.calls)).toEqual([]);
  });

  it('changes nothing when it cannot observe', async () => {
    const ip = fakeIp(node);
    ip.failures.set('ip -j addr show', 'Object "addr" is unknown, try "ip help".');
    const result = await convergeAddresses(ip.run, [vip], [], [{ interface: 'lo', address: '10.9.9.9/32' }]);
    expect(result.owned).toEqual([{ interface: 'lo', address: '10.9.9.9/32' }]);
    expect(result.errors).toEqual([
      { interface: '', message: 'ip -j addr show: exit 2: Object "addr" is unknown, try "ip help".' },
    ]);
    expect(mutations(ip.calls)).toEqual([]);
  });
});

describe('tunnels', () => {
  const tunVip = { interface: 'tunl0', address: '172.16.40.160/32' };

  it('loads ipip, sets tunl0 up, then adds the VIP on it', async () => {
    const ip = fakeIp(node, ['ipip']);
    const result = await convergeAddresses(ip.run, [tunVip], [{ name: 'tunl0', mode: 'ipip' }], []);
    expect(result).toEqual({ owned: [tunVip], errors: [] });
    expect(ip.calls.map((c) => c.join(' '))).toEqual([
      'modprobe ipip',
      'ip link set dev tunl0 up',
      'ip -j addr show',
      'ip addr add 172.16.40.160/32 dev tunl0',
      'ip -j addr show',
    ]);
  });

  it('without the ipip module: an error naming the module, the tunl0 VIP fails, the rest converge', async () => {
    const ip = fakeIp(node);
    const result = await convergeAddresses(
      ip.run,
      [tunVip, vip],
      [{ name: 'tunl0', mode: 'ipip' }],
      [],
      '/nonexistent',
    );
    expect(result.owned).toEqual([vip]);
    expect(result.errors).toEqual([
      {
        interface: 'tunl0',
        message:
          'tunnel tunl0: kernel module ipip is not available: modprobe ipip: exit 1: ' +
          'modprobe: FATAL: Module ipip not found in directory /lib/modules/x',
      },
      { ...tunVip, message: 'ip addr add 172.16.40.160/32 dev tunl0: exit 1: Cannot find device "tunl0"' },
    ]);
  });

  it('ipip built in: modprobe fails but tunl0 exists, so no error', async () => {
    const ip = fakeIp({ ...node, tunl0: [] });
    const result = await convergeAddresses(ip.run, [], [{ name: 'tunl0', mode: 'ipip' }], [], '/nonexistent');
    expect(result).toEqual({ owned: [], errors: [] });
  });

  it('only the ipip fallback device is supported', async () => {
    const ip = fakeIp(node, ['ipip']);
    const result = await convergeAddresses(ip.run, [], [{ name: 'tun;x', mode: 'ipip' }], []);
    expect(result.errors).toEqual([
      { interface: 'tun;x', message: 'tunnel "tun;x": only tunl0 (the ipip fallback device) is supported' },
    ]);
    expect(ip.calls.map((c) => c[0])).toEqual(['ip', 'ip']); // observing only
  });
});
