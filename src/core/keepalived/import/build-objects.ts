// Directors' configs -> VirtualServices, RealServers, Secrets and Nodes. A virtual_server is one
// VirtualService however many directors carry it, so every director's copy must say the same;
// what legitimately differs per director (VRRP priority, interface, address) goes to the
// priorities list and to the Node objects.
import {
  API_VERSION,
  DIRECTOR_LABEL,
  INTERFACE_ANNOTATION,
  type KubeNode,
  type ManifestObject,
  type RealServer,
  type Secret,
  type VirtualService,
  type VirtualServiceSpec,
} from '../../api/objects.js';
import type { Problems } from './errors.js';
import { splitHealthChecks } from './health-check.js';
import { mergeVrrp, type VrrpView } from './merge-vrrp.js';
import { dnsLabel, realServerName, virtualServiceName } from './names.js';
import type { DirectorConf } from './read-director.js';
import type { VirtualServerConf } from './read-virtual-server.js';
import type { VrrpInstanceConf } from './read-vrrp.js';

/** The kubelet's hostname label, used to pin a virtual service that only one director carried. */
const HOSTNAME_LABEL = 'kubernetes.io/hostname';

interface ServiceView {
  director: DirectorConf;
  vs: VirtualServerConf;
  instance: VrrpInstanceConf | undefined;
  spec: VirtualServiceSpec;
  realServers: RealServer[];
}

export function buildObjects(
  directors: readonly DirectorConf[],
  namespace: string,
  problems: Problems,
): ManifestObject[] {
  checkDistinctNodes(directors, problems);
  const groups = new Map<string, ServiceView[]>();
  for (const director of directors) {
    checkInstanceVips(director, problems);
    for (const vs of director.virtualServers) {
      const name = virtualServiceName(vs.address, vs.port, vs.protocol);
      const instance = director.instances.find((i) => i.vips.some((v) => v.address === vs.address));
      if (!instance)
        problems.warn(
          vs.at,
          `no vrrp_instance holds VIP ${vs.address}: the VirtualService gets lvs-operator's VRRP defaults (version 3, 0.1 s adverts, an allocated router id)`,
        );
      const { spec, realServers } = serviceObjects(vs, name, namespace);
      const group = groups.get(name) ?? [];
      group.push({ director, vs, instance, spec, realServers });
      groups.set(name, group);
    }
  }
  if (directors.length === 1 && directors[0]!.instances.length > 0) {
    problems.warn(
      { file: directors[0]!.file, line: 1 },
      `only ${directors[0]!.node}'s VRRP priority is known: other director Nodes get lvs-operator's defaults (100, 90, ... by name); import every director's config together to keep theirs`,
    );
  }

  const knownAddresses = new Set(
    directors.flatMap((d) => d.instances.map((i) => i.sourceAddress)).filter((a): a is string => a !== undefined),
  );
  const secrets = new Map<string, Secret>();
  const pinned = new Set<string>();
  const out: ManifestObject[] = [];
  for (const [name, views] of groups) {
    const first = views[0]!;
    for (const other of views.slice(1)) compareViews(first, other, problems);
    const spec: VirtualServiceSpec = { ...first.spec };
    const nodeSelector = selectorFor(views, directors, problems);
    if (nodeSelector?.[HOSTNAME_LABEL]) pinned.add(nodeSelector[HOSTNAME_LABEL]);
    const withVrrp = views.filter((v): v is ServiceView & VrrpView => v.instance !== undefined);
    let vrrpInterface: string | undefined;
    if (withVrrp.length > 0 && withVrrp.length < views.length) {
      const missing = views.find((v) => !v.instance)!;
      problems.error(
        missing.vs.at,
        `no vrrp_instance holds VIP ${first.vs.address} in ${missing.director.file}, but one does in ${withVrrp[0]!.director.file}`,
      );
    } else if (withVrrp.length > 0) {
      const merged = mergeVrrp(withVrrp, first.vs.address, knownAddresses, problems);
      vrrpInterface = merged.interface;
      if (vrrpInterface === undefined) checkNodeInterfaces(withVrrp, problems);
      if (merged.password !== undefined) {
        const secret = registerSecret(secrets, withVrrp[0]!.instance, merged.password, namespace, problems);
        merged.spec.authSecretRef = { name: secret, key: 'password' };
      }
      spec.vrrp = merged.spec;
    }
    out.push(virtualService(name, namespace, spec, nodeSelector, vrrpInterface), ...first.realServers);
  }
  return [...directors.map((d) => nodeObject(d, pinned.has(d.node))), ...secrets.values(), ...out];
}

/** The VirtualService spec without the per-director parts (vrrp, directors), and its RealServers. */
function serviceObjects(
  vs: VirtualServerConf,
  name: string,
  namespace: string,
): { spec: VirtualServiceSpec; realServers: RealServer[] } {
  const { common, overrides } = splitHealthChecks(vs.realServers.map((rs) => rs.check));
  const spec: VirtualServiceSpec = {
    address: vs.address,
    port: vs.port,
    protocol: vs.protocol,
    scheduler: vs.scheduler,
  };
  if (vs.schedulerFlags.length > 0) spec.schedulerFlags = vs.schedulerFlags;
  spec.forwarding = vs.forwarding;
  if (vs.persistence) spec.persistence = vs.persistence;
  if (common) spec.healthCheck = common;
  if (vs.sorryServer) spec.sorryServer = vs.sorryServer;
  if (vs.quorum) spec.quorum = vs.quorum;
  const realServers = vs.realServers.map((rs, index): RealServer => {
    const rsSpec: RealServer['spec'] = {
      virtualServiceName: name,
      address: rs.address,
      port: rs.port,
      weight: rs.weight,
    };
    if (rs.upperThreshold !== undefined) rsSpec.upperThreshold = rs.upperThreshold;
    if (rs.lowerThreshold !== undefined) rsSpec.lowerThreshold = rs.lowerThreshold;
    const override = overrides[index];
    if (override) rsSpec.healthCheck = override;
    return {
      apiVersion: API_VERSION,
      kind: 'RealServer',
      metadata: { name: realServerName(name, rs.address, rs.port), namespace },
      spec: rsSpec,
    };
  });
  return { spec, realServers };
}

/** Field order as a reader expects it: what, how, who directs, VRRP, checks, fallbacks. */
function virtualService(
  name: string,
  namespace: string,
  core: VirtualServiceSpec,
  nodeSelector: Record<string, string> | undefined,
  vrrpInterface: string | undefined,
): VirtualService {
  const { healthCheck, sorryServer, quorum, vrrp, ...head } = core;
  const spec: VirtualServiceSpec = { ...head };
  if (nodeSelector || vrrpInterface) {
    spec.directors = {};
    if (nodeSelector) spec.directors.nodeSelector = nodeSelector;
    if (vrrpInterface) spec.directors.interface = vrrpInterface;
  }
  if (vrrp) spec.vrrp = vrrp;
  if (healthCheck) spec.healthCheck = healthCheck;
  if (sorryServer) spec.sorryServer = sorryServer;
  if (quorum) spec.quorum = quorum;
  return { apiVersion: API_VERSION, kind: 'VirtualService', metadata: { name, namespace }, spec };
}

function compareViews(a: ServiceView, b: ServiceView, problems: Problems): void {
  const key = `virtual_server ${a.vs.address} ${a.vs.port} ${a.vs.protocol}`;
  const between = `${a.director.file}:${a.vs.at.line} and ${b.director.file}:${b.vs.at.line}`;
  const diff = firstDifference(a.spec, b.spec, 'spec');
  if (diff) {
    problems.error(
      b.vs.at,
      `${key} differs between ${between}: ${diff.path} is ${diff.a} in ${a.director.file} and ${diff.b} in ${b.director.file}`,
    );
  }
  const bByName = new Map(b.realServers.map((rs) => [rs.metadata.name!, rs]));
  for (const rs of a.realServers) {
    const other = bByName.get(rs.metadata.name!);
    const label = `real_server ${rs.spec.address} ${rs.spec.port}`;
    if (!other) {
      problems.error(
        b.vs.at,
        `${key} differs between ${between}: ${label} is in ${a.director.file} but not in ${b.director.file}`,
      );
      continue;
    }
    bByName.delete(rs.metadata.name!);
    const rsDiff = firstDifference(rs.spec, other.spec, 'spec');
    if (rsDiff) {
      problems.error(
        b.vs.at,
        `${key} differs between ${between}: ${label} ${rsDiff.path} is ${rsDiff.a} in ${a.director.file} and ${rsDiff.b} in ${b.director.file}`,
      );
    }
  }
  for (const rs of bByName.values()) {
    problems.error(
      b.vs.at,
      `${key} differs between ${between}: real_server ${rs.spec.address} ${rs.spec.port} is in ${b.director.file} but not in ${a.director.file}`,
    );
  }
}

/** The path of the first field where two plain JSON values differ, with both values shown. */
export function firstDifference(
  a: unknown,
  b: unknown,
  path: string,
): { path: string; a: string; b: string } | undefined {
  if (a === b) return undefined;
  const bothObjects = typeof a === 'object' && typeof b === 'object' && a !== null && b !== null;
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) return { path, a: show(a), b: show(b) };
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const key of keys) {
    const sub = firstDifference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      Array.isArray(a) ? `${path}[${key}]` : `${path}.${key}`,
    );
    if (sub) return sub;
  }
  return undefined;
}

function show(value: unknown): string {
  return value === undefined ? '(unset)' : JSON.stringify(value);
}

/**
 * lvs-operator makes every Node its selector matches a director. A virtual_server that not every
 * director carried can keep that only when one director carried it (pinned by hostname).
 */
function selectorFor(
  views: readonly ServiceView[],
  directors: readonly DirectorConf[],
  problems: Problems,
): Record<string, string> | undefined {
  if (views.length === directors.length) return undefined;
  if (views.length === 1) return { [DIRECTOR_LABEL]: 'true', [HOSTNAME_LABEL]: views[0]!.director.node };
  const has = new Set(views.map((v) => v.director));
  const lacking = directors.filter((d) => !has.has(d)).map((d) => d.file);
  problems.error(
    views[0]!.vs.at,
    `virtual_server ${views[0]!.vs.address} ${views[0]!.vs.port} is in ${views.map((v) => v.director.file).join(', ')} but not in ${lacking.join(', ')}: import each group of directors that share their virtual servers separately`,
  );
  return undefined;
}

function checkDistinctNodes(directors: readonly DirectorConf[], problems: Problems): void {
  const byNode = new Map<string, DirectorConf>();
  for (const d of directors) {
    const first = byNode.get(d.node);
    if (first)
      problems.error(
        { file: d.file, line: 1 },
        `${d.file} and ${first.file} both name the director ${d.node} (by router_id or file name)`,
      );
    else byNode.set(d.node, d);
  }
}

/**
 * A VIP without a virtual_server is not imported; two VIPs of one instance that both have one
 * would become two VirtualServices with one virtual_router_id, which validation refuses.
 */
function checkInstanceVips(director: DirectorConf, problems: Problems): void {
  const served = new Set(director.virtualServers.map((vs) => vs.address));
  for (const instance of director.instances) {
    let first: VrrpInstanceConf['vips'][number] | undefined;
    for (const vip of instance.vips) {
      if (!served.has(vip.address)) {
        problems.warn(
          vip.at,
          `VIP ${vip.address} has no virtual_server: lvs-operator moves a VIP only for a VirtualService, so it is not imported`,
        );
      } else if (first) {
        problems.error(
          vip.at,
          `VIP ${vip.address} and VIP ${first.address} (${first.at.file}:${first.at.line}) both have a virtual_server and share vrrp_instance ${instance.name}: lvs-operator runs one VRRP instance (one virtual_router_id) per VIP; give each VIP its own vrrp_instance`,
        );
      } else {
        first = vip;
      }
    }
  }
}

/** The interface a director's Node is annotated with: that of its first vrrp_instance. */
function nodeInterface(director: DirectorConf): string | undefined {
  return director.instances.find((i) => i.interface !== undefined)?.interface;
}

/** Directors disagree on the interface: each Node's annotation must then name the right one. */
function checkNodeInterfaces(views: readonly VrrpView[], problems: Problems): void {
  for (const { director, instance } of views) {
    const annotated = nodeInterface(director);
    if (annotated !== instance.interface) {
      problems.error(
        instance.at,
        `vrrp_instance ${instance.name} holds its VIP on ${instance.interface ?? '(no interface)'} on ${director.node}, other directors use another interface, and ${director.node}'s Node is annotated with ${annotated ?? 'none'} (its first instance's): lvs-operator takes one interface per VirtualService, or else the Node's`,
      );
    }
  }
}

function registerSecret(
  secrets: Map<string, Secret>,
  instance: VrrpInstanceConf,
  password: string,
  namespace: string,
  problems: Problems,
): string {
  const base = dnsLabel(instance.name) || `vrid-${instance.virtualRouterID}`;
  for (const name of [`${base}-vrrp-auth`, `${base}-${instance.virtualRouterID}-vrrp-auth`]) {
    const existing = secrets.get(name);
    if (existing?.stringData?.password === password) return name;
    if (existing) continue;
    secrets.set(name, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, stringData: { password } });
    return name;
  }
  problems.error(
    instance.at,
    `cannot name a Secret for vrrp_instance ${instance.name}: two instances of that name have different passwords`,
  );
  return `${base}-vrrp-auth`;
}

function nodeObject(director: DirectorConf, pinned: boolean): KubeNode {
  const labels: Record<string, string> = { [DIRECTOR_LABEL]: 'true' };
  if (pinned) labels[HOSTNAME_LABEL] = director.node;
  const node: KubeNode = { apiVersion: 'v1', kind: 'Node', metadata: { name: director.node, labels } };
  const iface = nodeInterface(director);
  if (iface) node.metadata.annotations = { [INTERFACE_ANNOTATION]: iface };
  const addresses = [
    ...new Set(director.instances.map((i) => i.sourceAddress).filter((a): a is string => a !== undefined)),
  ];
  if (addresses.length > 0) node.status = { addresses: addresses.map((address) => ({ type: 'InternalIP', address })) };
  return node;
}
