// The VRRP settings of one VirtualService, merged from the vrrp_instance that holds its VIP on
// each director. Per-director values (priority, state) become the priorities list; everything
// else must agree, because lvs-operator runs one instance per VIP with one set of settings.
import type { VrrpSpec } from '../../api/objects.js';
import type { Problems } from './errors.js';
import type { DirectorConf } from './read-director.js';
import type { VrrpInstanceConf } from './read-vrrp.js';
import { stableJson } from '../../api/stable-json.js';
import { dnsLabel } from './names.js';

export interface VrrpView {
  director: DirectorConf;
  instance: VrrpInstanceConf;
}

export interface MergedVrrp {
  spec: VrrpSpec;
  /** The interface every director holds the VIP on, when they agree. */
  interface: string | undefined;
  password: string | undefined;
}

export function mergeVrrp(
  views: readonly VrrpView[],
  vip: string,
  knownAddresses: ReadonlySet<string>,
  problems: Problems,
): MergedVrrp {
  const first = views[0]!;
  const agree = <T>(
    group: readonly VrrpView[],
    keyword: string,
    get: (i: VrrpInstanceConf, view: VrrpView) => T,
    secret = false,
  ): T => {
    const value = get(group[0]!.instance, group[0]!);
    for (const other of group.slice(1)) {
      if (get(other.instance, other) === value) continue;
      const [a, b] = [group[0]!, other];
      const values = secret
        ? 'differs'
        : `is ${String(value)} in ${a.director.file} and ${String(get(b.instance, b))} in ${b.director.file}`;
      problems.error(
        b.instance.at,
        `vrrp_instance for VIP ${vipList(a.instance)} disagrees between ${where(a)} and ${where(b)}: ${keyword} ${values}`,
      );
    }
    return value;
  };

  const virtualRouterID = agree(views, 'virtual_router_id', (i) => i.virtualRouterID);
  const version = agree(views, 'version', (i) => i.version);
  const advertInterval = agree(views, 'advert_int', (i) => i.advertInterval);
  const unicast = agree(views, 'unicast_peer (present)', (i) => i.unicastPeers.length > 0);
  const password = agree(views, 'auth_pass', (i) => i.password, true);
  const tracked = agree(views, 'track_interface', (i) => stableJson(trackedInterfaces(i)));
  const vipOptions = agree(views, `virtual_ipaddress options of ${vip}`, (i) =>
    stableJson(i.vips.find((v) => v.address === vip)?.options ?? {}),
  );
  const syncGroup = agree(views, 'vrrp_sync_group', (i, view) => view.director.syncGroupOf.get(i));

  const ranked = [...views].sort(
    (a, b) => b.instance.priority - a.instance.priority || compare(a.director.node, b.director.node),
  );
  // Preemption is what a returning director does to a lower one: the lowest director's setting never acts.
  const deciders = ranked.length > 1 ? ranked.slice(0, -1) : ranked;
  const preempt = agree(deciders, 'nopreempt', (i) => i.preempt);
  const preemptDelay = agree(deciders, 'preempt_delay', (i) => i.preemptDelay);
  checkStates(ranked, problems);
  if (unicast) checkUnicastPeers(views, knownAddresses, problems);

  const interfaces = new Set(views.map((v) => v.instance.interface));
  const spec: VrrpSpec = {
    virtualRouterID,
    version,
    advertInterval,
    priorities: ranked.map((v) => ({ node: v.director.node, priority: v.instance.priority })),
    preempt,
    preemptDelay,
    unicast,
  };
  if (tracked !== '[]') spec.trackInterfaces = JSON.parse(tracked) as VrrpSpec['trackInterfaces'];
  if (vipOptions !== '{}') spec.vip = JSON.parse(vipOptions) as VrrpSpec['vip'];
  if (syncGroup !== undefined) spec.syncGroup = syncGroupName(syncGroup, first.instance, problems);
  return { spec, interface: interfaces.size === 1 ? first.instance.interface : undefined, password };
}

/** lvs-operator starts the highest priority as master; say so where the old `state` meant otherwise. */
function checkStates(ranked: readonly VrrpView[], problems: Problems): void {
  const top = ranked[0]!;
  for (const view of ranked.slice(1)) {
    const { instance, director } = view;
    if (instance.priority === top.instance.priority) {
      problems.warn(
        instance.at,
        `${director.node} and ${top.director.node} have the same priority ${instance.priority}: keepalived broke the tie by the higher address; give them distinct priorities`,
      );
    } else if (instance.state === 'MASTER') {
      problems.warn(
        instance.at,
        `${director.node} is state MASTER but ${top.director.node} has a higher priority (${top.instance.priority} > ${instance.priority}): lvs-operator starts ${top.director.node} as master`,
      );
    }
  }
}

function checkUnicastPeers(views: readonly VrrpView[], knownAddresses: ReadonlySet<string>, problems: Problems): void {
  for (const { instance, director } of views) {
    if (instance.sourceAddress === undefined) {
      problems.warn(
        instance.at,
        `unicast VRRP without unicast_src_ip: ${director.node}'s Node needs an InternalIP for its peers to reach it`,
      );
    }
    for (const peer of instance.unicastPeers) {
      if (!knownAddresses.has(peer)) {
        problems.warn(
          instance.at,
          `unicast_peer ${peer} is not the unicast_src_ip of an imported director: lvs-operator sends unicast adverts to the directors' InternalIPs only`,
        );
      }
    }
  }
}

/** As spec.vrrp.trackInterfaces holds them: sorted by name, a weight only when there is one. */
function trackedInterfaces(instance: VrrpInstanceConf): { name: string; weight?: number }[] {
  return [...instance.trackInterfaces]
    .sort((a, b) => compare(a.name, b.name))
    .map((t) => (t.weight === 0 ? { name: t.name } : { name: t.name, weight: t.weight }));
}

/** keepalived's group name as a DNS label (`VG_1` -> `vg-1`), the form spec.vrrp.syncGroup takes. */
function syncGroupName(name: string, instance: VrrpInstanceConf, problems: Problems): string | undefined {
  const label = dnsLabel(name);
  if (!label)
    problems.error(instance.at, `vrrp_sync_group ${JSON.stringify(name)} makes no name for spec.vrrp.syncGroup`);
  return label || undefined;
}

function where(view: VrrpView): string {
  return `${view.director.file}:${view.instance.at.line}`;
}

function vipList(instance: VrrpInstanceConf): string {
  return instance.vips.map((v) => v.address).join(', ');
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
