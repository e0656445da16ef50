// The planner: every object in, one LVSNode spec per participating node out. Pure and
// deterministic (same inputs, byte-identical output): everything is sorted, nothing reads the
// clock or the environment. Objects are expected to be valid with the CRD defaults applied
// (the API server does that; in local mode src/api/validate does).
import { isIPv4 } from 'node:net';
import {
  objectRef,
  type AddressPlan,
  type KubeNode,
  type LVSNodeSpec,
  type ObjectSet,
  type RealServer,
  type Secret,
  type ServicePlan,
  type VirtualService,
  type VrrpInstancePlan,
} from '../api/objects.js';
import { copyJson } from '../api/json-copy.js';
import { buildDestination, resolveRealServerAddress } from './destinations.js';
import { compareNames, hasInternalIp, nodeAddress, nodeInterface } from '../api/directors.js';
import { hostPrefix, normalizeIp } from '../net/ip.js';
import type { PlanProblem } from './problems.js';
import { directRoutingRealServerSysctls, directorSysctls, TUNNEL_DEVICE, tunnelRealServerSysctls } from './sysctls.js';
import { allocateVrids } from './vrid.js';
import { directorPriorities, groupByVip, initialMaster, type VrrpGroup } from './vrrp-groups.js';
import { syncGroupName, usableVrrpPassword, VRRP_PASSWORD_RULE } from '../api/vrrp.js';
import { secretValue } from '../api/validate/core-objects.js';

export interface PlanResult {
  /** LVSNode spec per node name, in name order. */
  nodes: Map<string, LVSNodeSpec>;
  /** VRID per VirtualService (namespace/name), to keep for the next plan. */
  allocations: Map<string, number>;
  problems: PlanProblem[];
}

/** What the planner accumulates for one node before it is sorted into an LVSNode spec. */
interface NodeDraft {
  services: ServicePlan[];
  instances: VrrpInstancePlan[];
  sysctls: Map<string, string>;
  addresses: AddressPlan[];
  tunnel: boolean;
  /** VRIDs of this node's instances whose VirtualServices want connection sync. */
  syncVrids: number[];
  /** Instance names per VRRP sync group (keepalived vrrp_sync_group). */
  syncGroups: Map<string, string[]>;
}

export function plan(objects: ObjectSet, previousAllocations: ReadonlyMap<string, number> = new Map()): PlanResult {
  const problems: PlanProblem[] = [];
  const drafts = new Map<string, NodeDraft>();
  const draftFor = (node: string): NodeDraft => {
    let draft = drafts.get(node);
    if (!draft) {
      draft = {
        services: [],
        instances: [],
        sysctls: new Map(),
        addresses: [],
        tunnel: false,
        syncVrids: [],
        syncGroups: new Map(),
      };
      drafts.set(node, draft);
    }
    return draft;
  };
  const nodesByName = new Map(objects.nodes.map((n) => [n.metadata.name ?? '', n]));
  const realServersByVs = groupRealServers(objects.realServers);

  const groups = groupByVip(objects.virtualServices, objects.nodes);
  const vrids = allocateVrids(groups, previousAllocations);
  problems.push(...vrids.problems);

  for (const group of groups) {
    const vrid = vrids.byVip.get(group.vip);
    if (vrid === undefined || group.directors.length === 0) continue;
    const leader = group.members[0]!;
    const instanceBase = vrrpInstanceBase(group, vrid, objects.secrets, problems);
    if (!instanceBase) continue;
    const priorities = directorPriorities(leader, group.directors);
    const master = initialMaster(priorities, leader.spec.vrrp?.preempt ?? true, leader.spec.vrrp?.preemptDelay ?? 0);
    const syncGroup = syncGroupName(leader);
    const services = group.members.map((vs) =>
      buildService(vs, realServersByVs.get(objectRef(vs)) ?? [], nodesByName, problems),
    );

    for (const director of group.directors) {
      const name = director.metadata.name ?? '';
      const draft = draftFor(name);
      const iface = leader.spec.directors?.interface ?? nodeInterface(director);
      const source = nodeAddress(director, group.vip);
      const instance: VrrpInstancePlan = {
        ...instanceBase,
        ...(iface ? { interface: iface } : {}),
        ...(source ? { sourceAddress: normalizeIp(source) } : {}),
        priority: priorities.get(name)!,
        initialState: master === name ? 'MASTER' : 'BACKUP',
      };
      if (leader.spec.vrrp?.unicast) instance.unicastPeers = unicastPeers(group.directors, director, group.vip);
      draft.instances.push(instance);
      if (syncGroup) draft.syncGroups.set(syncGroup, [...(draft.syncGroups.get(syncGroup) ?? []), instance.name]);
      draft.services.push(...services.map((s) => copyJson(s)));
      if (group.members.some((vs) => vs.spec.connectionSync?.enabled ?? true)) draft.syncVrids.push(vrid);
      for (const vs of group.members) {
        for (const [key, value] of directorSysctls(vs.spec.forwarding ?? 'DR', group.vip, iface))
          draft.sysctls.set(key, value);
      }
    }
    for (const vs of group.members)
      prepareRealServerNodes(vs, realServersByVs.get(objectRef(vs)) ?? [], group, objects.nodes, draftFor, problems);
  }

  const nodes = new Map<string, LVSNodeSpec>();
  for (const name of [...drafts.keys()].sort(compareNames)) nodes.set(name, finishNode(drafts.get(name)!));
  return { nodes, allocations: vrids.byVirtualService, problems };
}

function groupRealServers(realServers: readonly RealServer[]): Map<string, RealServer[]> {
  const out = new Map<string, RealServer[]>();
  for (const rs of realServers) {
    const key = `${rs.metadata.namespace ?? 'default'}/${rs.spec.virtualServiceName}`;
    out.set(key, [...(out.get(key) ?? []), rs]);
  }
  return out;
}

/** The VRRP settings every director of the group shares (all but priority, state and addresses). */
function vrrpInstanceBase(
  group: VrrpGroup,
  vrid: number,
  secrets: readonly Secret[],
  problems: PlanProblem[],
): Omit<VrrpInstancePlan, 'priority' | 'initialState'> | undefined {
  const leader = group.members[0]!;
  const vrrp = leader.spec.vrrp ?? {};
  const base: Omit<VrrpInstancePlan, 'priority' | 'initialState'> = {
    name: `VI_${vrid}`,
    owners: group.members.map(objectRef),
    virtualRouterID: vrid,
    version: vrrp.version ?? 3,
    virtualAddresses: [group.vip],
    advertInterval: vrrp.advertInterval ?? 0.1,
    preempt: vrrp.preempt ?? true,
    preemptDelay: vrrp.preemptDelay ?? 0,
  };
  if (vrrp.trackInterfaces?.length) {
    base.trackInterfaces = vrrp.trackInterfaces
      .map((t) => ({ name: t.name, weight: t.weight ?? 0 }))
      .sort((a, b) => compareNames(a.name, b.name));
  }
  if (vrrp.vip && Object.keys(vrrp.vip).length > 0) base.virtualAddressOptions = { ...vrrp.vip };
  if (vrrp.authSecretRef) {
    const password = findSecretValue(
      secrets,
      leader.metadata.namespace ?? 'default',
      vrrp.authSecretRef.name,
      vrrp.authSecretRef.key ?? 'password',
    );
    if (password === undefined) {
      problems.push({
        object: `VirtualService ${objectRef(leader)}`,
        field: 'spec.vrrp.authSecretRef',
        value: vrrp.authSecretRef,
        message: 'names a Secret or key that does not exist',
      });
      return undefined;
    }
    const usable = usableVrrpPassword(password);
    if (usable === undefined) {
      problems.push({
        object: `VirtualService ${objectRef(leader)}`,
        field: `spec.vrrp.authSecretRef (Secret ${vrrp.authSecretRef.name}, key ${vrrp.authSecretRef.key ?? 'password'})`,
        value: '(hidden)',
        message: VRRP_PASSWORD_RULE,
      });
      return undefined;
    }
    base.authPassword = usable;
  }
  return base;
}

function findSecretValue(secrets: readonly Secret[], namespace: string, name: string, key: string): string | undefined {
  const secret = secrets.find((s) => s.metadata.name === name && (s.metadata.namespace ?? 'default') === namespace);
  return secret && secretValue(secret, key);
}

function unicastPeers(directors: readonly KubeNode[], self: KubeNode, vip: string): string[] {
  return directors
    .filter((d) => d !== self)
    .map((d) => nodeAddress(d, vip))
    .filter((a): a is string => a !== undefined)
    .map(normalizeIp)
    .sort(compareNames);
}

function buildService(
  vs: VirtualService,
  realServers: readonly RealServer[],
  nodesByName: ReadonlyMap<string, KubeNode>,
  problems: PlanProblem[],
): ServicePlan {
  const spec = vs.spec;
  const service: ServicePlan = {
    owner: objectRef(vs),
    protocol: spec.protocol ?? 'TCP',
    address: normalizeIp(spec.address),
    port: spec.port,
    scheduler: spec.scheduler ?? 'wlc',
    destinations: [],
  };
  if (spec.schedulerFlags?.length) service.schedulerFlags = [...spec.schedulerFlags].sort(compareNames);
  if (spec.persistence) {
    service.persistence = { timeout: spec.persistence.timeout };
    if (spec.persistence.netmask !== undefined) service.persistence.netmask = spec.persistence.netmask;
  }
  if (spec.sorryServer)
    service.sorryServer = {
      address: normalizeIp(spec.sorryServer.address),
      port: spec.sorryServer.port ?? spec.port,
      forwarding: spec.forwarding ?? 'DR',
    };
  if (spec.quorum) service.quorum = { minimum: spec.quorum.minimum ?? 1, hysteresis: spec.quorum.hysteresis ?? 0 };
  for (const rs of realServers) {
    const { address, problem } = resolveRealServerAddress(rs, service.address, nodesByName);
    if (problem) problems.push(problem);
    if (address) service.destinations.push(buildDestination(vs, rs, address));
  }
  service.destinations.sort((a, b) => compareNames(a.address, b.address) || a.port - b.port);
  return service;
}

/** DR and TUN real servers that are Nodes of the cluster get the VIP and sysctls from their agent. */
function prepareRealServerNodes(
  vs: VirtualService,
  realServers: readonly RealServer[],
  group: VrrpGroup,
  nodes: readonly KubeNode[],
  draftFor: (node: string) => NodeDraft,
  problems: PlanProblem[],
): void {
  const forwarding = vs.spec.forwarding ?? 'DR';
  if (forwarding === 'NAT') return; // a NAT real server needs only a route back through the director
  const directorNames = new Set(group.directors.map((d) => d.metadata.name));
  for (const rs of realServers) {
    const node = rs.spec.nodeName
      ? nodes.find((n) => n.metadata.name === rs.spec.nodeName)
      : nodes.find((n) => hasInternalIp(n, rs.spec.address ?? ''));
    if (!node || rs.spec.prepareNode === false) continue;
    const name = node.metadata.name ?? '';
    if (directorNames.has(name)) {
      // The VIP on lo would make this director answer for the VIP itself and break VRRP.
      problems.push({
        object: `RealServer ${objectRef(rs)}`,
        field: 'spec.prepareNode',
        value: name,
        message: 'the real server is also a director of this VIP; it is not prepared',
      });
      continue;
    }
    if (forwarding === 'TUN' && !isIPv4(group.vip)) {
      problems.push({
        object: `RealServer ${objectRef(rs)}`,
        field: 'spec.prepareNode',
        value: true,
        message: 'preparing a TUN real server for an IPv6 VIP (ip6tnl) is not supported yet',
      });
      continue;
    }
    const draft = draftFor(name);
    const iface = forwarding === 'TUN' ? TUNNEL_DEVICE : 'lo';
    draft.addresses.push({ interface: iface, address: hostPrefix(group.vip) });
    if (forwarding === 'TUN') draft.tunnel = true;
    const sysctls = isIPv4(group.vip)
      ? forwarding === 'TUN'
        ? tunnelRealServerSysctls()
        : directRoutingRealServerSysctls()
      : new Map<string, string>();
    for (const [key, value] of sysctls) draft.sysctls.set(key, value);
  }
}

function finishNode(draft: NodeDraft): LVSNodeSpec {
  const spec: LVSNodeSpec = {};
  if (draft.services.length) {
    spec.ipvs = {
      services: draft.services.sort(
        (a, b) => compareNames(a.protocol, b.protocol) || compareNames(a.address, b.address) || a.port - b.port,
      ),
    };
  }
  if (draft.instances.length) {
    const instances = draft.instances.sort((a, b) => a.virtualRouterID - b.virtualRouterID);
    spec.vrrp = { instances };
    const syncGroups = syncGroupsOf(draft.syncGroups);
    if (syncGroups.length) spec.vrrp.syncGroups = syncGroups;
    // The kernel runs one sync daemon pair per network namespace, so one sync id per node: the
    // lowest VRID that wants sync, on that instance's interface.
    const syncVrid = Math.min(...draft.syncVrids);
    const syncInstance = instances.find((i) => i.virtualRouterID === syncVrid);
    if (syncInstance) {
      spec.connectionSync = { syncID: syncVrid };
      if (syncInstance.interface) spec.connectionSync.interface = syncInstance.interface;
    }
  }
  if (draft.sysctls.size) {
    spec.sysctls = [...draft.sysctls.entries()]
      .sort(([a], [b]) => compareNames(a, b))
      .map(([name, value]) => ({ name, value }));
  }
  if (draft.addresses.length) {
    const unique = new Map(draft.addresses.map((a) => [`${a.interface} ${a.address}`, a]));
    spec.addresses = [...unique.entries()].sort(([a], [b]) => compareNames(a, b)).map(([, a]) => a);
  }
  if (draft.tunnel) spec.tunnels = [{ name: TUNNEL_DEVICE, mode: 'ipip' }];
  return spec;
}

/**
 * A sync group of one instance is left out: keepalived reports it as a configuration error
 * ("has only 1 virtual router(s)") and fails its config test, and it would change nothing.
 */
function syncGroupsOf(groups: ReadonlyMap<string, string[]>): { name: string; instances: string[] }[] {
  return [...groups.entries()]
    .filter(([, instances]) => instances.length > 1)
    .sort(([a], [b]) => compareNames(a, b))
    .map(([name, instances]) => ({ name, instances: [...instances].sort(compareNames) }));
}
