// A stand-in for `ip` and `modprobe` that keeps devices and addresses in memory and answers
// with iproute2 6.1's JSON and error messages, so the convergence logic can be tested without
// root. It records every argv it is given.
import type { CommandOutput, RunCommand } from '../../../src/node/dataplane/command.js';

export interface FakeIp {
  run: RunCommand;
  calls: string[][];
  devices: Map<string, Set<string>>;
  /** Modules modprobe finds; loading ipip creates tunl0, as the kernel does. */
  modules: Set<string>;
  /** argv prefixes (joined by spaces) that fail with this stderr. */
  failures: Map<string, string>;
}

const ok = (stdout = ''): CommandOutput => ({ code: 0, stdout, stderr: '' });
const fail = (code: number, stderr: string): CommandOutput => ({ code, stdout: '', stderr });

export function fakeIp(devices: Record<string, string[]>, modules: string[] = []): FakeIp {
  const fake: FakeIp = {
    calls: [],
    devices: new Map(Object.entries(devices).map(([name, addresses]) => [name, new Set(addresses)])),
    modules: new Set(modules),
    failures: new Map(),
    run: async (argv) => {
      fake.calls.push([...argv]);
      const line = argv.join(' ');
      for (const [prefix, stderr] of fake.failures) if (line.startsWith(prefix)) return fail(2, stderr);
      const [tool, ...args] = argv;
      if (tool === 'modprobe') {
        const name = args[0] ?? '';
        if (!fake.modules.has(name))
          return fail(1, `modprobe: FATAL: Module ${name} not found in directory /lib/modules/x`);
        if (name === 'ipip' && !fake.devices.has('tunl0')) fake.devices.set('tunl0', new Set());
        return ok();
      }
      if (line === 'ip -j addr show') return ok(render(fake.devices));
      const [object, verb, target, , device = ''] = args;
      if (object === 'link' && verb === 'set')
        return fake.devices.has(args[3] ?? '') ? ok() : fail(1, `Cannot find device "${args[3]}"`);
      if (object !== 'addr' || !target) return fail(255, `unexpected: ${line}`);
      const addresses = fake.devices.get(device);
      if (!addresses) return fail(1, `Cannot find device "${device}"`);
      const family = target.includes(':') ? 'ipv6' : 'ipv4';
      if (verb === 'add') {
        if (addresses.has(target)) return fail(2, `Error: ${family}: Address already assigned.`);
        addresses.add(target);
        return ok();
      }
      if (verb === 'del') {
        if (!addresses.delete(target)) return fail(2, `Error: ${family}: Address not found.`);
        return ok();
      }
      return fail(255, `unexpected: ${line}`);
    },
  };
  return fake;
}

function render(devices: Map<string, Set<string>>): string {
  return JSON.stringify(
    [...devices].map(([ifname, addresses], index) => ({
      ifindex: index + 1,
      ifname,
      addr_info: [...addresses].map((a) => {
        const [local, prefixlen] = a.split('/');
        return { family: local!.includes(':') ? 'inet6' : 'inet', local, prefixlen: Number(prefixlen) };
      }),
    })),
  );
}
