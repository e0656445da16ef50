// vrrp_sync_group NAME { group { VI_1 VI_2 } }: instances that fail over together. Each becomes
// spec.vrrp.syncGroup of the VirtualServices whose VIPs the member instances hold.
import type { Problems, SourceLocation } from './errors.js';
import type { ConfigNode } from './parser.js';
import { argsOf, blockOf, forEachMapped } from './statements.js';
import type { VrrpInstanceConf } from './read-vrrp.js';

export interface SyncGroupConf {
  name: string;
  at: SourceLocation;
  members: { name: string; at: SourceLocation }[];
  /** sync_group_tracking_weight (or global_tracking): members' tracked-interface weights act. */
  trackingWeight: boolean;
}

export function readSyncGroup(node: ConfigNode, problems: Problems): SyncGroupConf | undefined {
  const children = blockOf(node, problems, 1);
  if (!children) return undefined;
  const group: SyncGroupConf = { name: node.args[0]!, at: node, members: [], trackingWeight: false };
  let listed: SourceLocation | undefined;
  forEachMapped('vrrp_sync_group', children, problems, (child) => {
    if (child.keyword !== 'group') {
      if (argsOf(child, problems, 0)) group.trackingWeight = true;
      if (child.keyword === 'global_tracking')
        problems.warn(child, 'global_tracking is deprecated in keepalived: read as sync_group_tracking_weight');
      return;
    }
    if (listed) {
      problems.error(
        child,
        `the group list of vrrp_sync_group ${group.name} is given twice (first at ${listed.file}:${listed.line})`,
      );
      return;
    }
    listed = child;
    for (const entry of blockOf(child, problems) ?? []) {
      if (entry.children !== undefined || entry.args.length > 0) {
        problems.error(entry, 'a sync group member is one vrrp_instance name');
        continue;
      }
      if (group.members.some((m) => m.name === entry.keyword))
        problems.warn(entry, `vrrp_instance ${entry.keyword} is listed again in vrrp_sync_group ${group.name}`);
      else group.members.push({ name: entry.keyword, at: entry });
    }
  });
  return group;
}

/**
 * The sync group of each instance, as keepalived settles it: a member that is no instance, or is
 * already in another group, is dropped with its config error; so is a group of fewer than two
 * (lvs-operator leaves a group of one out of its plans). Weights of tracked interfaces in a group
 * without sync_group_tracking_weight are set to 0, as keepalived does.
 */
export function settleSyncGroups(
  groups: readonly SyncGroupConf[],
  instances: readonly VrrpInstanceConf[],
  problems: Problems,
): Map<VrrpInstanceConf, string> {
  const groupOf = new Map<VrrpInstanceConf, string>();
  for (const group of groups) {
    const members: VrrpInstanceConf[] = [];
    for (const member of group.members) {
      const instance = instances.find((i) => i.name === member.name);
      if (!instance)
        problems.warn(member.at, `no vrrp_instance ${member.name}: keepalived ignores it, and so does the import`);
      else if (groupOf.has(instance))
        problems.error(
          member.at,
          `vrrp_instance ${member.name} is already in vrrp_sync_group ${groupOf.get(instance)}: an instance can be in one sync group`,
        );
      else {
        members.push(instance);
        groupOf.set(instance, group.name);
      }
    }
    if (members.length < 2)
      problems.warn(
        group.at,
        `vrrp_sync_group ${group.name} has ${members.length} instance(s): keepalived reports it as a configuration error, and lvs-operator plans no group of fewer than two`,
      );
    for (const instance of group.trackingWeight ? [] : members) {
      for (const tracked of instance.trackInterfaces.filter((t) => t.weight !== 0)) {
        problems.warn(
          tracked.at,
          `track_interface ${tracked.name} weight ${tracked.weight}: keepalived ignores the weight in vrrp_sync_group ${group.name} (no sync_group_tracking_weight), so the interface going down puts the instance in FAULT, and so does the import`,
        );
        tracked.weight = 0;
      }
    }
  }
  return groupOf;
}
