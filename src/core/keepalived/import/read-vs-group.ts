// virtual_server_group NAME { ADDRESS PORT ... } and `virtual_server group NAME { ... }`: keepalived
// programs one IPVS service per address and port of the group, each with the block's real
// servers (check_data.c alloc_vsg_entry). The API says the same with one VirtualService per
// entry, so the import expands the group. fwmark entries, masks, IPv6 ranges and port-less
// (all-port) entries have no equivalent and are refused at their line.
import type { Problems, SourceLocation } from './errors.js';
import type { ConfigNode } from './parser.js';
import { blockOf, readAddress, readPort } from './statements.js';

export interface GroupEntry {
  address: string;
  port: number;
  at: SourceLocation;
}

export type VirtualServerGroups = ReadonlyMap<string, GroupEntry[]>;

/** Every virtual_server_group of a config (keepalived links them by name, wherever they stand). */
export function readVirtualServerGroups(nodes: readonly ConfigNode[], problems: Problems): VirtualServerGroups {
  const groups = new Map<string, GroupEntry[]>();
  const firstAt = new Map<string, SourceLocation>();
  for (const node of nodes) {
    if (node.keyword !== 'virtual_server_group') continue;
    const children = blockOf(node, problems, 1);
    if (!children) continue;
    const name = node.args[0]!;
    const first = firstAt.get(name);
    if (first) {
      problems.error(node, `virtual_server_group ${name} is defined twice (first at ${first.file}:${first.line})`);
      continue;
    }
    firstAt.set(name, node);
    const entries = children.flatMap((entry) => readGroupEntry(entry, problems));
    if (entries.length === 0) problems.warn(node, `virtual_server_group ${name} has no entry`);
    groups.set(name, entries);
  }
  return groups;
}

/** `ADDRESS PORT` or `A.B.C.D-E PORT` (the last octet up to E). */
function readGroupEntry(entry: ConfigNode, problems: Problems): GroupEntry[] {
  if (entry.children !== undefined) {
    problems.error(entry, 'a virtual_server_group entry takes no { } block');
    return [];
  }
  if (entry.keyword === 'fwmark') {
    problems.error(
      entry,
      'fwmark in a virtual_server_group is not supported: lvs-operator has no firewall-mark services',
    );
    return [];
  }
  const portText = entry.args[0];
  if (portText === undefined || /^0+$/.test(portText)) {
    problems.error(
      entry,
      'a virtual_server_group entry without a port or on port 0 (all ports, persistent) is not supported',
    );
    return [];
  }
  if (entry.args.length > 1)
    problems.warn(
      entry,
      `keepalived reads only the address and port and ignores ${JSON.stringify(entry.args.slice(1).join(' '))}, and so does the import`,
    );
  const port = readPort(entry, problems, 'the virtual_server_group port', portText);
  const addresses = groupAddresses(entry, problems);
  return port === undefined ? [] : addresses.map((address) => ({ address, port, at: entry }));
}

function groupAddresses(entry: ConfigNode, problems: Problems): string[] {
  const range = /^(\d{1,3}\.\d{1,3}\.\d{1,3}\.)(\d{1,3})-(\d{1,3})$/.exec(entry.keyword);
  if (range) {
    const [start, end] = [Number(range[2]), Number(range[3])];
    const first = readAddress(entry, problems, 'the virtual_server_group address', `${range[1]}${start}`);
    if (first === undefined) return [];
    if (end < start || end > 255) {
      problems.error(entry, `the range ${entry.keyword} must end at or after its start, within 255`);
      return [];
    }
    return Array.from({ length: end - start + 1 }, (_, i) => `${range[1]}${start + i}`);
  }
  if (entry.keyword.includes('-') || entry.keyword.includes('/')) {
    problems.error(
      entry,
      `the address range ${entry.keyword} is not supported: write each address, or an IPv4 range A.B.C.D-E`,
    );
    return [];
  }
  const address = readAddress(entry, problems, 'the virtual_server_group address', entry.keyword);
  return address === undefined ? [] : [address];
}
