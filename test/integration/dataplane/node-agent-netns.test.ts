// The sysctl and address drivers against the real kernel, in a network namespace of their own.
//
// How the drivers get into the namespace: /proc/sys/net shows the namespace of the process that
// reads it (not of the /proc path used), so a RunCommand prefixed with `ip netns exec` would set
// the addresses in the namespace but the sysctls on the host. The test therefore bundles a small
// agent (netns-agent.ts, importing the drivers from src/) with esbuild, which resolves the
// `.js` specifiers to the `.ts` files, into a temporary .mjs, and runs it with this same node
// under `ip netns exec NS`. This needs neither `npm run build` (all of src/) nor a loader hook.
// Needs root (ip netns add).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressPlan, SysctlPlan } from '../../../src/core/api/generated/lvsnode.js';
import type { AddressConvergence } from '../../../src/node/dataplane/addresses.js';
import type { SysctlConvergence } from '../../../src/node/dataplane/sysctl.js';
import { plan } from '../../../src/core/plan/plan.js';
import { loadExample } from '../../unit/plan/example.js';
import type { AgentRequest } from './netns-agent.js';

const netns = `lvs-it-${process.pid}`;
const workDir = mkdtempSync(join(tmpdir(), 'lvs-agent-'));
const agent = join(workDir, 'netns-agent.mjs');

function sh(argv: string[]): string {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${argv.join(' ')}: ${result.stderr}`);
  return result.stdout;
}
const inNetns = (...argv: string[]) => sh(['ip', 'netns', 'exec', netns, ...argv]);
const sysctl = (name: string) => inNetns('sysctl', '-n', name).trim();
const addressesOf = (dev: string) =>
  (JSON.parse(sh(['ip', '-n', netns, '-j', 'addr', 'show', 'dev', dev])) as { addr_info: { local: string }[] }[])
    .flatMap((link) => link.addr_info)
    .map((a) => a.local);

interface AgentState {
  memory: Record<string, string>;
  owned: AddressPlan[];
}
function converge(
  state: AgentState,
  want: Pick<AgentRequest, 'sysctls' | 'addresses' | 'tunnels'>,
): { addresses: AddressConvergence; sysctls: SysctlConvergence } {
  const result = spawnSync('ip', ['netns', 'exec', netns, process.execPath, agent], {
    input: JSON.stringify({ ...want, ...state } satisfies AgentRequest),
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`netns agent: exit ${result.status}: ${result.stderr}`);
  const out = JSON.parse(result.stdout) as { addresses: AddressConvergence; sysctls: SysctlConvergence };
  state.memory = out.sysctls.memory;
  state.owned = out.addresses.owned;
  return out;
}

const seedRealServer = plan(loadExample('examples/seed-dr')).nodes.get('nginx01')!;
const drPlan = {
  sysctls: seedRealServer.sysctls ?? [],
  addresses: seedRealServer.addresses ?? [],
  tunnels: seedRealServer.tunnels ?? [],
};
const empty = { sysctls: [], addresses: [], tunnels: [] };
const arpSysctls = ['all', 'default', 'lo'].flatMap((d) => [
  `net.ipv4.conf.${d}.arp_ignore`,
  `net.ipv4.conf.${d}.arp_announce`,
]);

// modprobe works across namespaces; tunl0 appears in every namespace once ipip is loaded (or built in).
const hostHasIpip =
  spawnSync('modprobe', ['ipip']).status === 0 || spawnSync('test', ['-d', '/sys/module/ipip']).status === 0;

beforeAll(async () => {
  await build({
    entryPoints: [new URL('netns-agent.ts', import.meta.url).pathname],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    outfile: agent,
    logLevel: 'silent',
  });
  sh(['ip', 'netns', 'add', netns]);
  sh(['ip', '-n', netns, 'link', 'set', 'lo', 'up']); // gives lo its 127.0.0.1
  sh(['ip', '-n', netns, 'addr', 'add', '198.51.100.7/32', 'dev', 'lo']); // an operator's, by hand
  // Start from known values, one of them unusual, to see that the originals come back.
  for (const name of arpSysctls) inNetns('sysctl', '-q', '-w', `${name}=0`);
  inNetns('sysctl', '-q', '-w', 'net.ipv4.conf.default.arp_announce=1');
});
afterAll(() => {
  spawnSync('ip', ['netns', 'del', netns]);
  rmSync(workDir, { recursive: true, force: true });
});

describe('the node agent drivers in a network namespace (real kernel)', () => {
  it('the seed plan for nginx01 is a DR real server: VIP on lo and the ARP sysctls', () => {
    expect(drPlan.addresses).toEqual([{ interface: 'lo', address: '172.16.40.160/32' }]);
    expect(drPlan.sysctls.map((s: SysctlPlan) => s.name).sort()).toEqual([...arpSysctls].sort());
  });

  it('converges the DR real server, changes nothing the second time, and undoes it all on an empty plan', () => {
    const state: AgentState = { memory: {}, owned: [] };
    const applied = converge(state, drPlan);
    expect(applied.addresses.errors).toEqual([]);
    expect(applied.sysctls.errors).toEqual([]);
    expect(addressesOf('lo')).toEqual(expect.arrayContaining(['127.0.0.1', '198.51.100.7', '172.16.40.160']));
    for (const dev of ['all', 'default', 'lo']) {
      expect(sysctl(`net.ipv4.conf.${dev}.arp_ignore`)).toBe('1');
      expect(sysctl(`net.ipv4.conf.${dev}.arp_announce`)).toBe('2');
    }
    expect(state.owned).toEqual(drPlan.addresses);
    expect(state.memory).toEqual({
      'net.ipv4.conf.all.arp_ignore': '0',
      'net.ipv4.conf.all.arp_announce': '0',
      'net.ipv4.conf.default.arp_ignore': '0',
      'net.ipv4.conf.default.arp_announce': '1',
      'net.ipv4.conf.lo.arp_ignore': '0',
      'net.ipv4.conf.lo.arp_announce': '0',
    });
    // The host is untouched: the drivers ran in the namespace.
    expect(sh(['ip', '-j', 'addr', 'show', 'dev', 'lo'])).not.toContain('172.16.40.160');

    const again = converge(state, drPlan);
    expect(again.sysctls.changed).toEqual([]);
    expect(again.addresses.errors).toEqual([]);

    const undone = converge(state, empty);
    expect(undone.addresses).toEqual({ owned: [], errors: [] });
    expect(undone.sysctls.errors).toEqual([]);
    expect(undone.sysctls.memory).toEqual({});
    expect(addressesOf('lo')).not.toContain('172.16.40.160');
    expect(addressesOf('lo')).toEqual(expect.arrayContaining(['127.0.0.1', '198.51.100.7']));
    for (const name of arpSysctls) expect(sysctl(name)).toBe(name === 'net.ipv4.conf.default.arp_announce' ? '1' : '0');
  });

  it('a VIP already on lo before the plan asked for it is not ours: it stays after the plan drops it', () => {
    sh(['ip', '-n', netns, 'addr', 'add', '172.16.40.161/32', 'dev', 'lo']);
    const state: AgentState = { memory: {}, owned: [] };
    const mine = { ...empty, addresses: [{ interface: 'lo', address: '172.16.40.161/32' }] };
    expect(converge(state, mine).addresses).toEqual({ owned: [], errors: [] });
    expect(converge(state, empty).addresses).toEqual({ owned: [], errors: [] });
    expect(addressesOf('lo')).toContain('172.16.40.161');
    sh(['ip', '-n', netns, 'addr', 'del', '172.16.40.161/32', 'dev', 'lo']);
  });

  it('a sysctl the kernel lacks is an error naming it while the rest converge', () => {
    const state: AgentState = { memory: {}, owned: [] };
    const result = converge(state, {
      ...empty,
      sysctls: [
        { name: 'net.ipv4.conf.nosuchdev0.rp_filter', value: '0' },
        { name: 'net.ipv4.conf.lo.arp_ignore', value: '1' },
      ],
    });
    expect(result.sysctls.errors).toEqual([
      {
        name: 'net.ipv4.conf.nosuchdev0.rp_filter',
        value: '0',
        message: 'sysctl net.ipv4.conf.nosuchdev0.rp_filter does not exist (no such device or module yet)',
      },
    ]);
    expect(sysctl('net.ipv4.conf.lo.arp_ignore')).toBe('1');
    converge(state, empty);
    expect(sysctl('net.ipv4.conf.lo.arp_ignore')).toBe('0');
  });

  const tunPlan = {
    addresses: [{ interface: 'tunl0', address: '172.16.40.160/32' }],
    tunnels: [{ name: 'tunl0', mode: 'ipip' as const }],
    sysctls: [
      { name: 'net.ipv4.conf.all.rp_filter', value: '0' },
      { name: 'net.ipv4.conf.tunl0.rp_filter', value: '0' },
    ],
  };

  it.runIf(hostHasIpip)('TUN real server: tunl0 comes up with the VIP, and the VIP goes again', () => {
    const state: AgentState = { memory: {}, owned: [] };
    const applied = converge(state, tunPlan);
    expect(applied.addresses.errors).toEqual([]);
    expect(applied.sysctls.errors).toEqual([]);
    expect(sh(['ip', '-n', netns, 'link', 'show', 'dev', 'tunl0'])).toMatch(/<[^>]*\bUP\b[^>]*>/);
    expect(addressesOf('tunl0')).toEqual(['172.16.40.160']);
    expect(sysctl('net.ipv4.conf.tunl0.rp_filter')).toBe('0');
    expect(converge(state, empty).addresses).toEqual({ owned: [], errors: [] });
    expect(addressesOf('tunl0')).toEqual([]);
  });

  it.skipIf(hostHasIpip)('TUN real server on a kernel without ipip: an error naming the module', () => {
    const state: AgentState = { memory: {}, owned: [] };
    const result = converge(state, { ...tunPlan, addresses: [...tunPlan.addresses, ...drPlan.addresses] });
    expect(result.addresses.errors).toEqual([
      {
        interface: 'tunl0',
        message: expect.stringMatching(/^tunnel tunl0: kernel module ipip is not available: modprobe ipip: /),
      },
      {
        interface: 'tunl0',
        address: '172.16.40.160/32',
        message: 'ip addr add 172.16.40.160/32 dev tunl0: exit 1: Cannot find device "tunl0"',
      },
    ]);
    expect(result.sysctls.errors.map((e) => e.name)).toEqual(['net.ipv4.conf.tunl0.rp_filter']);
    expect(addressesOf('lo')).toContain('172.16.40.160'); // the rest converged
    expect(converge(state, empty).addresses).toEqual({ owned: [], errors: [] });
  });
});
