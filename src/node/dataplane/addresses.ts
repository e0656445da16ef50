// Converges the addresses the plan puts on local devices (the VIP on lo for DR real servers, on
// tunl0 for TUN ones) with iproute2. The agent owns only what it added: `owned` lists those
// addresses, and only they are ever removed, so the node's own IP, 127.0.0.1 or an address an
// operator added by hand (even one equal to a VIP the plan later asks for) stay untouched.
import { isIP } from 'node:net';
import type { AddressPlan, TunnelPlan } from '../../core/api/generated/lvsnode.js';
import { normalizeIp } from '../../core/net/ip.js';
import { parseIpAddrJson, type IpLink } from './ip-addr.js';
import type { RunCommand } from './command.js';
import { ensureKernelModule } from './modules.js';
import { isValidInterfaceName } from '../../core/api/vrrp.js';

/** The ipip fallback device: it exists in every network namespace once the ipip module is loaded. */
const IPIP_FALLBACK_DEVICE = 'tunl0';

export interface AddressError {
  /** The device (for a tunnel: the tunnel device); empty when `ip -j addr show` itself failed. */
  interface: string;
  /** The address with its prefix; absent for a tunnel. */
  address?: string;
  message: string;
}

export interface AddressConvergence {
  /** The addresses we added and hold; the caller keeps it for the next run. */
  owned: AddressPlan[];
  errors: AddressError[];
}

/**
 * The address in one spelling (lowercase, compressed IPv6) so that the plan and `ip -j` compare
 * equal; undefined when the device name or the address/prefix is not valid.
 */
export function canonicalAddress(plan: AddressPlan): AddressPlan | undefined {
  if (!isValidInterfaceName(plan.interface)) return undefined;
  const match = /^([^/]+)\/(\d{1,3})$/.exec(plan.address);
  if (!match) return undefined;
  const [, ip = '', prefix = ''] = match;
  const family = isIP(ip);
  const length = Number(prefix);
  if (family === 0 || length > (family === 4 ? 32 : 128) || String(length) !== prefix) return undefined;
  return { interface: plan.interface, address: `${normalizeIp(ip)}/${length}` };
}

/** `ip -j addr show`'s links as (device, address/prefix) pairs, addresses canonical. */
export function addressPlansOf(links: readonly IpLink[]): AddressPlan[] {
  return links.flatMap((link) =>
    link.addresses.map((a) => ({ interface: link.name, address: `${normalizeIp(a.local)}/${a.prefixlen}` })),
  );
}

export async function observeAddresses(run: RunCommand): Promise<AddressPlan[]> {
  const out = await run(['ip', '-j', 'addr', 'show']);
  if (out.code !== 0) throw new Error(`ip -j addr show: exit ${out.code}: ${out.stderr.trim()}`);
  return addressPlansOf(parseIpAddrJson(out.stdout));
}

const key = (a: AddressPlan) => `${a.interface} ${a.address}`;
const ALREADY_PRESENT = /File exists|already assigned/i;
const ALREADY_GONE = /Cannot assign requested address|address not found/i;

/**
 * Brings the plan's tunnels up, adds the desired addresses that are missing and removes the
 * owned ones that left the plan, then observes again to verify. An address already present
 * (found, or "File exists" when adding) is not ours: it is never added to `owned`.
 * `sysModuleRoot` (default /sys/module) is where a built-in or host-loaded ipip shows.
 */
export async function convergeAddresses(
  run: RunCommand,
  desired: readonly AddressPlan[],
  tunnels: readonly TunnelPlan[],
  owned: readonly AddressPlan[],
  sysModuleRoot?: string,
): Promise<AddressConvergence> {
  const errors: AddressError[] = [];
  // Tunnels first: a VIP on tunl0 needs the device.
  for (const tunnel of tunnels) {
    const message = await bringTunnelUp(run, tunnel, sysModuleRoot);
    if (message) errors.push({ interface: tunnel.name, message });
  }

  const want = new Map<string, AddressPlan>();
  for (const plan of desired) {
    const address = canonicalAddress(plan);
    if (address) want.set(key(address), address);
    else errors.push({ ...plan, message: `invalid device or address ${plan.interface} ${plan.address}` });
  }
  const ours = new Map<string, AddressPlan>();
  for (const plan of owned) {
    const address = canonicalAddress(plan);
    if (address) ours.set(key(address), address);
    else errors.push({ ...plan, message: `invalid owned address ${plan.interface} ${plan.address}, forgotten` });
  }

  let present: Set<string>;
  try {
    present = new Set((await observeAddresses(run)).map(key));
  } catch (error) {
    // Without knowing what is there we cannot tell ours from the node's: change nothing.
    errors.push({ interface: '', message: (error as Error).message });
    return { owned: [...ours.values()], errors };
  }

  for (const [k, address] of want) {
    if (present.has(k)) continue;
    // Default (global) scope, as the classic DR real server's `ifconfig lo:1 VIP netmask 255.255.255.255`: the real server
    // answers from the VIP. That lo's VIP is never announced is the arp_ignore/arp_announce
    // sysctls' job, not the address's.
    const out = await run(['ip', 'addr', 'add', address.address, 'dev', address.interface]);
    if (out.code === 0) ours.set(k, address);
    else if (!ALREADY_PRESENT.test(out.stderr)) errors.push({ ...address, message: failure('add', address, out) });
  }
  const removing: AddressPlan[] = [];
  for (const [k, address] of [...ours]) {
    if (want.has(k)) continue;
    ours.delete(k);
    if (!present.has(k)) continue; // already gone: nothing to undo
    const out = await run(['ip', 'addr', 'del', address.address, 'dev', address.interface]);
    if (out.code === 0 || ALREADY_GONE.test(out.stderr)) removing.push(address);
    else {
      ours.set(k, address); // still ours: try again next run
      errors.push({ ...address, message: failure('del', address, out) });
    }
  }

  try {
    const now = new Set((await observeAddresses(run)).map(key));
    for (const [k, address] of want)
      if (!now.has(k) && !errors.some((e) => e.interface === address.interface && e.address === address.address))
        errors.push({ ...address, message: `${address.address} is not on ${address.interface} after adding it` });
    for (const address of removing)
      if (now.has(key(address))) {
        ours.set(key(address), address);
        errors.push({ ...address, message: `${address.address} is still on ${address.interface} after removing it` });
      }
  } catch (error) {
    errors.push({ interface: '', message: `verifying: ${(error as Error).message}` });
  }
  return { owned: [...ours.values()], errors };
}

function failure(verb: 'add' | 'del', address: AddressPlan, out: { code: number | null; stderr: string }): string {
  return `ip addr ${verb} ${address.address} dev ${address.interface}: exit ${out.code}: ${out.stderr.trim()}`;
}

/** Loads ipip (which creates tunl0) and sets the device up; returns an error message or ''. */
async function bringTunnelUp(run: RunCommand, tunnel: TunnelPlan, sysModuleRoot?: string): Promise<string> {
  if (tunnel.mode !== 'ipip') return `tunnel ${tunnel.name}: unsupported mode ${JSON.stringify(tunnel.mode)}`;
  // Only the fallback device: a named ipip device would be a device of ours to create and delete.
  if (tunnel.name !== IPIP_FALLBACK_DEVICE)
    return `tunnel ${JSON.stringify(tunnel.name)}: only ${IPIP_FALLBACK_DEVICE} (the ipip fallback device) is supported`;
  let moduleError = '';
  try {
    await ensureKernelModule(run, 'ipip', sysModuleRoot);
  } catch (error) {
    moduleError = (error as Error).message; // tunl0 may still exist (ipip built in): try it
  }
  const out = await run(['ip', 'link', 'set', 'dev', tunnel.name, 'up']);
  if (out.code === 0) return '';
  return `tunnel ${tunnel.name}: ${moduleError || `ip link set dev ${tunnel.name} up: exit ${out.code}: ${out.stderr.trim()}`}`;
}
