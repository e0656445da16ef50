// One keepalived.conf (with its includes) is the config of one director: its name, its VRRP
// instances and its virtual servers.
import { posix } from 'node:path';
import type { Problems, SourceLocation } from './errors.js';
import { dnsSubdomain } from './names.js';
import type { ConfigNode, ParsedConfig } from './parser.js';
import { readVrrpInstance, type VrrpInstanceConf } from './read-vrrp.js';
import { readVirtualServer, type VirtualServerConf } from './read-virtual-server.js';
import { argsOf, blockOf, canonicalAddress, forEachMapped, isV6 } from './statements.js';
import { readVirtualServerGroups, type VirtualServerGroups } from './read-vs-group.js';
import { readSyncGroup, settleSyncGroups, type SyncGroupConf } from './read-sync-group.js';

export interface DirectorConf {
  file: string;
  node: string;
  instances: VrrpInstanceConf[];
  virtualServers: VirtualServerConf[];
  /** The vrrp_sync_group of each instance that is in one. */
  syncGroupOf: Map<VrrpInstanceConf, string>;
}

/** Reads one director's config; `node` (the --node option) overrides the name from router_id or the file name. */
export function readDirector(parsed: ParsedConfig, node: string | undefined, problems: Problems): DirectorConf {
  const globals = readGlobals(parsed, problems);
  const director: DirectorConf = {
    file: parsed.file,
    node: node ?? directorName(parsed.file, globals.routerId, problems),
    instances: [],
    virtualServers: [],
    syncGroupOf: new Map(),
  };
  const syncGroups: SyncGroupConf[] = [];
  const instanceAt = new Map<string, SourceLocation>();
  const vipOwner = new Map<string, VrrpInstanceConf>();
  const serviceAt = new Map<string, SourceLocation>();
  const groups = readVirtualServerGroups(parsed.nodes, problems);

  forEachMapped('top', parsed.nodes, problems, (statement) => {
    if (statement.keyword === 'vrrp_sync_group') {
      const group = readSyncGroup(statement, problems);
      const first = syncGroups.find((g) => g.name === group?.name);
      if (first)
        problems.error(
          statement,
          `vrrp_sync_group ${first.name} is defined twice (first at ${first.at.file}:${first.at.line})`,
        );
      else if (group) syncGroups.push(group);
    } else if (statement.keyword === 'vrrp_instance') {
      const instance = readVrrpInstance(statement, globals.vrrpVersion, problems);
      if (!instance) return;
      const first = instanceAt.get(instance.name);
      if (first)
        return problems.error(
          statement,
          `vrrp_instance ${instance.name} is defined twice (first at ${first.file}:${first.line})`,
        );
      instanceAt.set(instance.name, statement);
      for (const vip of instance.vips) {
        const owner = vipOwner.get(vip.address);
        if (owner) problems.error(vip.at, `VIP ${vip.address} is already held by vrrp_instance ${owner.name}`);
        else vipOwner.set(vip.address, instance);
      }
      director.instances.push(instance);
    } else if (statement.keyword === 'virtual_server') {
      for (const vs of readVirtualServers(statement, groups, problems)) {
        const key = `${vs.address} ${vs.port} ${vs.protocol}`;
        const first = serviceAt.get(key);
        if (first) {
          problems.error(statement, `virtual_server ${key} is defined twice (first at ${first.file}:${first.line})`);
          continue;
        }
        serviceAt.set(key, statement);
        director.virtualServers.push(vs);
      }
    }
  });
  director.syncGroupOf = settleSyncGroups(syncGroups, director.instances, problems);
  return director;
}

/** One virtual service, or one per entry of the group `virtual_server group NAME` names. */
function readVirtualServers(node: ConfigNode, groups: VirtualServerGroups, problems: Problems): VirtualServerConf[] {
  if (node.args[0] !== 'group') return [readVirtualServer(node, problems)].filter((vs) => vs !== undefined);
  const name = node.args[1] ?? '';
  const entries = groups.get(name);
  if (entries === undefined) {
    problems.error(node, `virtual_server group ${name}: no virtual_server_group ${name} is defined`);
    return [];
  }
  return entries.map((entry) => readVirtualServer(node, problems, entry)).filter((vs) => vs !== undefined);
}

function readGlobals(parsed: ParsedConfig, problems: Problems): { routerId?: string; vrrpVersion?: 2 | 3 } {
  const globals: { routerId?: string; vrrpVersion?: 2 | 3 } = {};
  for (const statement of parsed.nodes) {
    if (statement.keyword !== 'global_defs') continue;
    forEachMapped('global_defs', blockOf(statement, problems), problems, (child) => {
      const value = argsOf(child, problems, 1)?.[0];
      if (value === undefined) return;
      if (child.keyword === 'vrrp_mcast_group4' || child.keyword === 'vrrp_mcast_group6') {
        readMulticastGroup(child, value, problems);
      } else if (child.keyword === 'vrrp_version') {
        if (value === '2' || value === '3') globals.vrrpVersion = Number(value) as 2 | 3;
        else problems.error(child, `vrrp_version must be 2 or 3, got ${JSON.stringify(value)}`);
      } else {
        globals.routerId = value; // router_id, or lvs_id as keepalived 1.x called it
      }
    });
  }
  return globals;
}

/** keepalived's VRRP multicast groups (RFC 5798): the only ones lvs-operator sends to. */
const STANDARD_GROUPS = { vrrp_mcast_group4: '224.0.0.18', vrrp_mcast_group6: 'ff02::12' } as const;

/** The standard group is accepted; keepalived skips what is not a multicast address of the family. */
function readMulticastGroup(node: SourceLocation & { keyword: string }, value: string, problems: Problems): void {
  const v6 = node.keyword === 'vrrp_mcast_group6';
  const standard = STANDARD_GROUPS[node.keyword as keyof typeof STANDARD_GROUPS];
  const address = canonicalAddress(value);
  if (address === standard) return;
  const multicast =
    address !== undefined && (v6 ? isV6(address) && /^ff/i.test(address) : !isV6(address) && isIPv4Multicast(address));
  if (!multicast) {
    problems.warn(
      node,
      `${node.keyword} ${JSON.stringify(value)} is not an IPv${v6 ? 6 : 4} multicast address: keepalived skips it and uses ${standard}, and so does the import`,
    );
  } else {
    problems.error(
      node,
      `${node.keyword} ${value} is not supported: lvs-operator sends VRRP to the standard group ${standard}`,
    );
  }
}

function isIPv4Multicast(address: string): boolean {
  const first = Number(address.split('.')[0]);
  return first >= 224 && first <= 239;
}

/** router_id as a DNS name (`LVS_01` -> `lvs-01`), else the file name without its extension. */
function directorName(file: string, routerId: string | undefined, problems: Problems): string {
  const fromRouterId = routerId === undefined ? '' : dnsSubdomain(routerId);
  if (fromRouterId) return fromRouterId;
  if (routerId !== undefined)
    problems.warn(
      { file, line: 1 },
      `router_id ${JSON.stringify(routerId)} makes no DNS name; the director is named after the file`,
    );
  const base = posix.basename(file.replace(/\\/g, '/'));
  const stem = base.includes('.') ? base.slice(0, base.lastIndexOf('.')) : base;
  return dnsSubdomain(stem) || 'director';
}
