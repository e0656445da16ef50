// convergeSysctls against a temporary directory standing in for /proc/sys: the files hold what
// the kernel would print (the value and a newline).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  convergeSysctls,
  isValidSysctlName,
  readSysctl,
  sameSysctlValue,
  sysctlPath,
} from '../../../src/node/dataplane/sysctl.js';

let procRoot: string;
const file = (name: string) => join(procRoot, ...name.split('.'));
const kernel = (name: string) => readFileSync(file(name), 'utf8');
function setKernel(name: string, value: string) {
  mkdirSync(dirname(file(name)), { recursive: true });
  writeFileSync(file(name), `${value}\n`);
}

beforeEach(() => {
  procRoot = mkdtempSync(join(tmpdir(), 'lvs-proc-sys-'));
  for (const dev of ['all', 'default', 'lo']) {
    setKernel(`net.ipv4.conf.${dev}.arp_ignore`, '0');
    setKernel(`net.ipv4.conf.${dev}.arp_announce`, '0');
  }
  setKernel('net.ipv4.ip_local_port_range', '32768\t60999');
});
afterEach(() => rmSync(procRoot, { recursive: true, force: true }));

const drRealServer = ['all', 'default', 'lo'].flatMap((dev) => [
  { name: `net.ipv4.conf.${dev}.arp_ignore`, value: '1' },
  { name: `net.ipv4.conf.${dev}.arp_announce`, value: '2' },
]);

describe('convergeSysctls', () => {
  it('sets what differs and remembers the values it replaced', async () => {
    setKernel('net.ipv4.conf.lo.arp_announce', '2'); // already right: not ours
    const result = await convergeSysctls(drRealServer, {}, procRoot);
    expect(result.errors).toEqual([]);
    expect(result.changed).toEqual([
      'net.ipv4.conf.all.arp_ignore',
      'net.ipv4.conf.all.arp_announce',
      'net.ipv4.conf.default.arp_ignore',
      'net.ipv4.conf.default.arp_announce',
      'net.ipv4.conf.lo.arp_ignore',
    ]);
    expect(result.memory).toEqual({
      'net.ipv4.conf.all.arp_ignore': '0',
      'net.ipv4.conf.all.arp_announce': '0',
      'net.ipv4.conf.default.arp_ignore': '0',
      'net.ipv4.conf.default.arp_announce': '0',
      'net.ipv4.conf.lo.arp_ignore': '0',
    });
    expect(kernel('net.ipv4.conf.all.arp_ignore')).toBe('1\n');
    expect(kernel('net.ipv4.conf.all.arp_announce')).toBe('2\n');
  });

  it('a converged node changes nothing', async () => {
    const first = await convergeSysctls(drRealServer, {}, procRoot);
    const second = await convergeSysctls(drRealServer, first.memory, procRoot);
    expect(second).toEqual({ memory: first.memory, changed: [], errors: [] });
  });

  it('a changed value keeps the first original', async () => {
    const name = 'net.ipv4.conf.all.arp_announce';
    const first = await convergeSysctls([{ name, value: '2' }], {}, procRoot);
    const second = await convergeSysctls([{ name, value: '1' }], first.memory, procRoot);
    expect(second.memory).toEqual({ [name]: '0' });
    expect(kernel(name)).toBe('1\n');
    const removed = await convergeSysctls([], second.memory, procRoot);
    expect(removed).toEqual({ memory: {}, changed: [name], errors: [] });
    expect(kernel(name)).toBe('0\n');
  });

  it('an empty plan restores every original and forgets it', async () => {
    setKernel('net.ipv4.conf.default.arp_ignore', '2');
    const applied = await convergeSysctls(drRealServer, {}, procRoot);
    const restored = await convergeSysctls([], applied.memory, procRoot);
    expect(restored.errors).toEqual([]);
    expect(restored.memory).toEqual({});
    expect(kernel('net.ipv4.conf.default.arp_ignore')).toBe('2\n');
    for (const dev of ['all', 'lo']) expect(kernel(`net.ipv4.conf.${dev}.arp_ignore`)).toBe('0\n');
  });

  it('a sysctl leaving the plan is restored while the others stay', async () => {
    const applied = await convergeSysctls(drRealServer, {}, procRoot);
    const rest = drRealServer.filter((s) => s.name !== 'net.ipv4.conf.lo.arp_ignore');
    const result = await convergeSysctls(rest, applied.memory, procRoot);
    expect(result.changed).toEqual(['net.ipv4.conf.lo.arp_ignore']);
    expect(result.memory).not.toHaveProperty('net.ipv4.conf.lo.arp_ignore');
    expect(kernel('net.ipv4.conf.lo.arp_ignore')).toBe('0\n');
    expect(kernel('net.ipv4.conf.all.arp_ignore')).toBe('1\n');
  });

  it('a missing sysctl is an error naming it, and the rest still converge', async () => {
    const desired = [
      { name: 'net.ipv4.vs.expire_nodest_conn', value: '1' },
      { name: 'net.ipv4.conf.tunl0.rp_filter', value: '0' },
      { name: 'net.ipv4.conf.all.arp_ignore', value: '1' },
    ];
    const result = await convergeSysctls(desired, {}, procRoot);
    expect(result.errors).toEqual([
      {
        name: 'net.ipv4.vs.expire_nodest_conn',
        value: '1',
        message: 'sysctl net.ipv4.vs.expire_nodest_conn does not exist (the ip_vs kernel module is not loaded)',
      },
      {
        name: 'net.ipv4.conf.tunl0.rp_filter',
        value: '0',
        message: 'sysctl net.ipv4.conf.tunl0.rp_filter does not exist (no such device or module yet)',
      },
    ]);
    expect(result.memory).toEqual({ 'net.ipv4.conf.all.arp_ignore': '0' });
    expect(kernel('net.ipv4.conf.all.arp_ignore')).toBe('1\n');
    // Never created: the driver writes only files that exist.
    expect(() => kernel('net.ipv4.conf.tunl0.rp_filter')).toThrow(/ENOENT/);
  });

  it('a remembered sysctl whose device is gone is forgotten: nothing is left to restore', async () => {
    const result = await convergeSysctls([], { 'net.ipv4.conf.ens9.rp_filter': '1' }, procRoot);
    expect(result).toEqual({ memory: {}, changed: [], errors: [] });
  });

  it('a restore that fails is an error, and the original stays remembered for the next run', async () => {
    const name = 'net.ipv4.conf.all.arp_ignore';
    const result = await convergeSysctls([{ name, value: '1' }], {}, procRoot);
    expect(result.errors).toEqual([]);
    rmSync(file(name)); // a directory where the file was: the write fails (EISDIR), not ENOENT
    mkdirSync(file(name));
    const broken = await convergeSysctls([], result.memory, procRoot);
    expect(broken.memory).toEqual({ [name]: '0' });
    expect(broken.errors).toHaveLength(1);
    expect(broken.errors[0]).toMatchObject({ name, value: '0' });
    expect(broken.errors[0]!.message).toMatch(/^sysctl net\.ipv4\.conf\.all\.arp_ignore: /);
  });

  it('multi-value sysctls compare by fields', async () => {
    const result = await convergeSysctls(
      [{ name: 'net.ipv4.ip_local_port_range', value: '32768 60999' }],
      {},
      procRoot,
    );
    expect(result).toEqual({ memory: {}, changed: [], errors: [] });
    expect(sameSysctlValue('32768\t60999', ' 32768  60999\n')).toBe(true);
    expect(sameSysctlValue('1', '0')).toBe(false);
  });

  it('an invalid name is an error and touches no path', async () => {
    const result = await convergeSysctls([{ name: 'net.ipv4.conf.all..x', value: '1' }], {}, procRoot);
    expect(result.errors).toEqual([
      {
        name: 'net.ipv4.conf.all..x',
        value: '1',
        message: 'sysctl net.ipv4.conf.all..x: invalid sysctl name "net.ipv4.conf.all..x"',
      },
    ]);
  });

  it('does not modify the memory it is given', async () => {
    const memory = Object.freeze({ 'net.ipv4.conf.lo.arp_ignore': '0' });
    await convergeSysctls([], memory, procRoot);
    expect(memory).toEqual({ 'net.ipv4.conf.lo.arp_ignore': '0' });
  });
});

describe('sysctl names', () => {
  it.each([
    'net.ipv4.conf.all.arp_ignore',
    'net.ipv6.conf.all.forwarding',
    'net.ipv4.vs.expire_nodest_conn',
    'net.ipv4.conf.br-lan.rp_filter',
  ])('%s', (name) => {
    expect(isValidSysctlName(name)).toBe(true);
  });

  it.each([
    '',
    'net.ipv4',
    'kernel.panic',
    'net.core.somaxconn',
    'net.ipv4..conf',
    'net.ipv4.conf/../../../etc/passwd',
    'net.ipv4.conf.all.arp_ignore.',
    'net.ipv4.conf.ens192/100.rp_filter',
    'net.ipv4.conf.all.arp ignore',
    'net.ipv4.conf.all.arp_ignore\n',
  ])('not a sysctl name: %j', (name) => {
    expect(isValidSysctlName(name)).toBe(false);
    expect(() => sysctlPath(name, procRoot)).toThrow(/invalid sysctl name/);
  });

  it('maps dots to directories under the proc root', async () => {
    expect(sysctlPath('net.ipv4.conf.all.arp_ignore', '/proc/sys')).toBe('/proc/sys/net/ipv4/conf/all/arp_ignore');
    expect(await readSysctl('net.ipv4.ip_local_port_range', procRoot)).toBe('32768\t60999');
  });
});
