// The parts of a vrrp_instance that are lists of their own: virtual_ipaddress entries with their
// ip(8) options, and track_interface entries. Read as keepalived 2.2.7 reads them
// (vrrp_ipaddress.c alloc_ipaddress, vrrp_track.c alloc_track_if), so that the import says where
// keepalived itself would have complained or dropped something.
import { ADDRESS_SCOPE, isValidInterfaceName, labelFitsDevice } from '../../api/vrrp.js';
import type { Problems, SourceLocation } from './errors.js';
import type { ConfigNode } from './parser.js';
import { readAddress, readInteger } from './statements.js';

export interface VipOptions {
  interface?: string;
  label?: string;
  scope?: string;
  prefixLength?: number;
  broadcast?: string;
}

export interface VipEntry {
  address: string;
  /** The ip(8) options as written (dev still named, even when it is the instance's interface). */
  options: VipOptions;
}

export interface TrackedInterface {
  name: string;
  weight: number;
  at: SourceLocation;
}

/** Options that only tune how the kernel holds the address; lvs-operator does not carry them. */
const NOT_CARRIED = ['home', '-nodad', 'mngtmpaddr', 'noprefixroute', 'autojoin', 'no_track'];
const WITH_VALUE = ['dev', 'label', 'scope', 'brd', 'broadcast', 'peer', 'preferred_lft'];

/** `<IPADDR>[/<MASK>] [brd X] [dev X] [scope X] [label X] ...`, or undefined when it cannot be imported. */
export function readVipEntry(entry: ConfigNode, problems: Problems): VipEntry | undefined {
  if (entry.children !== undefined) {
    problems.error(entry, 'a virtual_ipaddress entry takes no { } block');
    return undefined;
  }
  const [addressText, prefix] = entry.keyword.split('/', 2);
  const address = readAddress(entry, problems, 'virtual_ipaddress', addressText ?? '');
  if (address === undefined) return undefined;
  const v6 = address.includes(':');
  const options: VipOptions = {};
  let ok = true;
  if (prefix !== undefined) {
    const length = readInteger(entry, problems, 'the VIP prefix length', prefix, 1, v6 ? 128 : 32);
    if (length === undefined) ok = false;
    else if (length !== (v6 ? 128 : 32)) options.prefixLength = length;
  }
  for (let i = 0; i < entry.args.length; i++) {
    const word = entry.args[i]!;
    if (word === 'use_vmac') {
      problems.error(entry, 'use_vmac is not supported: VRRP virtual MAC interfaces are not supported');
      ok = false;
    } else if (NOT_CARRIED.includes(word)) {
      problems.warn(entry, `${word} is not carried over: lvs-operator holds the VIP with the kernel's defaults`);
    } else if (!WITH_VALUE.includes(word)) {
      problems.error(entry, `unknown virtual_ipaddress option ${JSON.stringify(word)}`);
      ok = false;
    } else if (i + 1 >= entry.args.length) {
      problems.error(entry, `${word} needs a value`);
      ok = false;
    } else {
      ok = readVipOption(entry, word, entry.args[++i]!, v6, options, problems) && ok;
    }
  }
  return ok && checkVipOptions(entry, address, options, problems) ? { address, options } : undefined;
}

function readVipOption(
  entry: ConfigNode,
  word: string,
  value: string,
  v6: boolean,
  options: VipOptions,
  problems: Problems,
): boolean {
  if (word === 'peer' || word === 'preferred_lft') {
    problems.error(entry, `${word} is not supported: lvs-operator holds the VIP as a local address`);
    return false;
  }
  if (v6 && word !== 'dev') {
    // keepalived drops a label or scope of an IPv6 address and skips the whole VIP for brd.
    problems.error(entry, `${word} on an IPv6 VIP: keepalived ignores it (brd: skips the VIP); remove it`);
    return false;
  }
  if (word === 'dev') {
    if (!isValidInterfaceName(value))
      problems.error(entry, `dev ${JSON.stringify(value)} is not a valid interface name`);
    else options.interface = value;
    return isValidInterfaceName(value);
  }
  if (word === 'scope') {
    if (!ADDRESS_SCOPE.test(value))
      problems.error(entry, `scope ${JSON.stringify(value)} is not global, site, link, host, nowhere or 0-255`);
    else options.scope = value;
    return ADDRESS_SCOPE.test(value);
  }
  if (word === 'label') {
    options.label = value;
    return true;
  }
  const brd = value === '+' || value === '-' ? value : readAddress(entry, problems, word, value);
  if (brd !== undefined && brd.includes(':')) problems.error(entry, `${word} must be an IPv4 address, + or -`);
  if (brd === undefined || brd.includes(':')) return false;
  options.broadcast = brd;
  return true;
}

/** What keepalived or the kernel check of the options together. */
function checkVipOptions(entry: ConfigNode, address: string, options: VipOptions, problems: Problems): boolean {
  const { label, broadcast, prefixLength } = options;
  if (label !== undefined && label.length > 15) {
    problems.error(entry, `label ${label} is longer than 15 characters: keepalived removes the address`);
    return false;
  }
  if ((broadcast === '+' || broadcast === '-') && (prefixLength ?? 32) > 30) {
    problems.error(entry, `brd ${broadcast} needs a prefix of at most /30 (${address} has none to broadcast on)`);
    return false;
  }
  return true;
}

/** The label must start with its device's name and ':' (the device: dev, else the instance's interface). */
export function checkVipLabel(
  at: SourceLocation,
  options: VipOptions,
  instanceInterface: string | undefined,
  problems: Problems,
): boolean {
  const device = options.interface ?? instanceInterface;
  if (options.label === undefined || (device !== undefined && labelFitsDevice(options.label, device))) return true;
  problems.error(
    at,
    `label ${options.label} must be the VIP's device ${device ?? '(none: the instance names no interface)'}, a colon and a suffix (${device ?? 'eth0'}:vip)`,
  );
  return false;
}

/** `NAME [weight N]` entries of a track_interface block; keepalived's corrections are applied and said (repeats: by the caller). */
export function readTrackInterfaces(block: readonly ConfigNode[], problems: Problems): TrackedInterface[] {
  const out: TrackedInterface[] = [];
  for (const entry of block) {
    if (entry.children !== undefined) {
      problems.error(entry, 'a track_interface entry takes no { } block');
      continue;
    }
    const name = entry.keyword;
    if (!isValidInterfaceName(name)) {
      problems.error(entry, `track_interface ${JSON.stringify(name)} is not a valid interface name`);
      continue;
    }
    const weight = readTrackWeight(entry, problems);
    if (weight !== undefined) out.push({ name, weight, at: entry });
  }
  return out;
}

function readTrackWeight(entry: ConfigNode, problems: Problems): number | undefined {
  const [word, value, extra] = entry.args;
  if (word === undefined) return 0;
  if (word !== 'weight' || value === undefined) {
    problems.error(
      entry,
      `track_interface ${entry.keyword}: expected "weight N", got ${JSON.stringify(entry.args.join(' '))}`,
    );
    return undefined;
  }
  if (extra !== undefined) {
    const what =
      extra === 'reverse' ? 'weight ... reverse is not supported' : `unknown option ${JSON.stringify(extra)}`;
    problems.error(entry, `track_interface ${entry.keyword}: ${what}`);
    return undefined;
  }
  const weight = readInteger(entry, problems, 'track_interface weight', value, -254, 254);
  if (weight === undefined || Math.abs(weight) !== 254) return weight;
  problems.warn(
    entry,
    `track_interface ${entry.keyword}: keepalived sets weight ${weight} to ${Math.sign(weight) * 253}, and so does the import`,
  );
  return Math.sign(weight) * 253;
}
