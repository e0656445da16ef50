// An L2 segment of network namespaces on this host, like /work/shared/lab-vm/topo.sh: a bridge in
// a "switch" netns and one netns per director, each with eth0 on a veth pair plugged into the
// bridge. Every name carries a tag (the test's pid), so parallel runs do not meet; the veth ends
// are created directly inside the namespaces, so no interface name touches the host's.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { runCommand } from '../../../src/node/dataplane/command.js';
import { isAlive, readPidFile } from '../../../src/node/dataplane/keepalived/process.js';
import { linkAddressesOf } from '../../../src/node/dataplane/keepalived/links.js';
import { parseIpAddrJson } from '../../../src/node/dataplane/ip-addr.js';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });

/** These tests need root (namespaces, VRRP) and Debian's keepalived. */
export const canRunKeepalived = process.getuid?.() === 0 && hasKeepalived();

function hasKeepalived(): boolean {
  try {
    execFileSync('keepalived', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whatever a failed test left in a state dir: keepalived's VRRP process first, so that its parent cannot respawn it. */
export async function killKeepalivedOf(stateDir: string): Promise<void> {
  for (const file of ['keepalived-vrrp.pid', 'keepalived.pid']) {
    const pid = await readPidFile(join(stateDir, file));
    if (pid !== undefined && (await isAlive(pid))) process.kill(pid, 'SIGKILL');
  }
}

export class Segment {
  readonly switchNs: string;
  readonly created: string[] = [];

  constructor(readonly tag: string) {
    this.switchNs = `kd-sw-${tag}`;
  }

  /** The switch; call first. */
  create(): void {
    this.addNs(this.switchNs);
    ip('-n', this.switchNs, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', this.switchNs, 'link', 'set', 'br0', 'up');
  }

  /** A host netns `kd-NAME-TAG` with eth0 = address/24 on the bridge; returns the netns name. */
  addHost(name: string, address: string): string {
    const ns = `kd-${name}-${this.tag}`;
    this.addNs(ns);
    const port = `v-${name}`;
    ip('link', 'add', 'name', port, 'netns', this.switchNs, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    ip('-n', this.switchNs, 'link', 'set', port, 'master', 'br0', 'up');
    ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    return ns;
  }

  /** Deletes every namespace created (the veth pairs go with them); never throws. */
  destroy(): void {
    for (const ns of this.created.reverse()) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // already gone
      }
    }
    this.created.length = 0;
  }

  private addNs(ns: string): void {
    ip('netns', 'add', ns);
    this.created.push(ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
}

/** Whether netns `ns` holds `address` on eth0 (async: polling must not block the event loop). */
export async function holds(ns: string, address: string): Promise<boolean> {
  const out = await runCommand(['ip', '-n', ns, '-j', 'addr', 'show', 'dev', 'eth0']);
  if (out.code !== 0) throw new Error(`ip -n ${ns} addr: ${out.stderr}`);
  return linkAddressesOf(parseIpAddrJson(out.stdout)).some((l) => l.addresses.includes(address));
}

/** Polls until netns `ns` holds `address`; the milliseconds it took, or undefined on timeout. */
export async function msUntilHolds(ns: string, address: string, timeoutMs: number, intervalMs = 20) {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if (await holds(ns, address)) return Math.round(performance.now() - start);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return undefined;
}
