// What `ip -j addr show` says about the node's interfaces, for the two things the keepalived
// driver needs from it: the interface of a VRRP instance whose plan names none (the one holding
// the node's sourceAddress), and, after an agent restart, whether this node holds an instance's
// VIPs (then it is the MASTER: keepalived adds the VIPs on entering MASTER and removes them on
// leaving it).
import type { VrrpInstancePlan } from '../../../core/api/objects.js';
import type { RunCommand } from '../command.js';
import { parseIpAddrJson, type IpLink } from '../ip-addr.js';
import { runChecked } from '../command.js';
import type { VrrpState } from '../../../core/api/vrrp.js';

export interface LinkAddresses {
  name: string;
  /** Administratively up with carrier (UP and LOWER_UP): keepalived puts an instance in FAULT otherwise. */
  up: boolean;
  /** Addresses on the link, lower case, without prefix length. */
  addresses: string[];
}

/** `ip -j addr show`'s links as keepalived sees them. Pure. */
export function linkAddressesOf(links: readonly IpLink[]): LinkAddresses[] {
  return links.map((link) => ({
    name: link.name,
    up: link.flags.includes('UP') && link.flags.includes('LOWER_UP'),
    addresses: link.addresses.map((a) => a.local.toLowerCase()),
  }));
}

/** The interface that holds `address`, if any. Pure. */
export function interfaceHolding(links: readonly LinkAddresses[], address: string): string | undefined {
  const wanted = address.toLowerCase();
  return links.find((l) => l.addresses.includes(wanted))?.name;
}

/**
 * Interfaces for the instances whose plan names none, found from their sourceAddress. Pure.
 * Throws when one cannot be found: rendering without it would be a config keepalived rejects.
 */
export function resolveInterfaces(
  instances: readonly VrrpInstancePlan[],
  links: readonly LinkAddresses[],
): Map<string, string> {
  const resolved = new Map<string, string>();
  for (const instance of instances) {
    if (instance.interface) continue;
    if (!instance.sourceAddress)
      throw new Error(`vrrp instance ${instance.name}: no interface and no sourceAddress to find it from`);
    const name = interfaceHolding(links, instance.sourceAddress);
    if (!name) throw new Error(`vrrp instance ${instance.name}: no interface holds ${instance.sourceAddress}`);
    resolved.set(instance.name, name);
  }
  return resolved;
}

/**
 * The state an instance's addresses show: MASTER when the VIPs' interface (its own, or the one
 * virtualAddressOptions names) holds every VIP, FAULT when its interface, the VIPs' or a tracked
 * interface without a weight is down or missing (a weighted one only moves the priority), BACKUP otherwise.
 * Pure. It cannot tell STOP from BACKUP, so it only answers for an instance of a keepalived that runs.
 */
export function stateFromAddresses(
  instance: VrrpInstancePlan,
  iface: string | undefined,
  links: readonly LinkAddresses[],
): VrrpState {
  const up = (name: string | undefined) => links.some((l) => l.name === name && l.up);
  // keepalived also tracks the VIPs' own interface (vrrp.c: TRACK_ADDR, weight 0).
  const vipInterface = instance.virtualAddressOptions?.interface ?? iface;
  if (!up(iface) || !up(vipInterface)) return 'FAULT';
  if (instance.trackInterfaces?.some((t) => t.weight === 0 && !up(t.name))) return 'FAULT';
  const vipLink = links.find((l) => l.name === vipInterface);
  const holdsAll = instance.virtualAddresses.every((vip) => vipLink?.addresses.includes(vip.toLowerCase()));
  return holdsAll ? 'MASTER' : 'BACKUP';
}

/** The node's interfaces and their addresses (in network namespace `netns` when given). */
export async function listLinkAddresses(run: RunCommand, netns?: string): Promise<LinkAddresses[]> {
  const argv = ['ip', ...(netns ? ['-n', netns] : []), '-j', 'addr', 'show'];
  return linkAddressesOf(parseIpAddrJson(await runChecked(run, argv)));
}
