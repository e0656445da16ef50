// Checks on RealServers against their VirtualService, the Nodes and each other. RealServers are
// taken in namespace/name order; of two with the same address:port the first stays.
import { hasInternalIp } from '../directors.js';
import { objectRef, type KubeNode, type RealServer, type VirtualService } from '../objects.js';
import { nodeAddress, selectDirectors } from '../directors.js';
import type { ValidationError } from './errors.js';
import { canonicalIp, ipFamily, sameIp } from './ip.js';
import { checkHealthCheckUrls } from './health-urls.js';
import { issue, nsName } from './issue.js';
import { endpoint } from './semantic-vs.js';

export interface RealServerContext {
  /** Accepted VirtualServices. */
  virtualServices: readonly VirtualService[];
  /** namespace/name of VirtualServices rejected earlier. */
  rejectedVirtualServices: ReadonlySet<string>;
  /** Accepted Nodes. */
  nodes: readonly KubeNode[];
  /** Names of Nodes rejected earlier. */
  rejectedNodes: ReadonlySet<string>;
}

export function checkRealServers(
  sorted: readonly RealServer[],
  ctx: RealServerContext,
): { accepted: RealServer[]; errors: ValidationError[] } {
  const vsByRef = new Map(ctx.virtualServices.map((vs) => [nsName(vs), vs]));
  const directorsOf = memo((vs: VirtualService) => selectDirectors(vs, ctx.nodes));
  // "vsRef address:port" of the RealServers accepted so far
  const taken = new Map<string, RealServer>();
  const accepted: RealServer[] = [];
  const errors: ValidationError[] = [];
  for (const rs of sorted) {
    const found = checkOne(rs, ctx, vsByRef, directorsOf, taken);
    errors.push(...found);
    if (!found.some((e) => e.severity === 'error')) accepted.push(rs);
  }
  return { accepted, errors };
}

function checkOne(
  rs: RealServer,
  ctx: RealServerContext,
  vsByRef: ReadonlyMap<string, VirtualService>,
  directorsOf: (vs: VirtualService) => KubeNode[],
  taken: Map<string, RealServer>,
): ValidationError[] {
  const { spec } = rs;
  const vsRef = `${rs.metadata.namespace}/${spec.virtualServiceName}`;
  const vs = vsByRef.get(vsRef);
  if (!vs) {
    const why = ctx.rejectedVirtualServices.has(vsRef)
      ? `VirtualService ${vsRef} is invalid (see its errors), so its RealServers are dropped with it`
      : `no VirtualService ${spec.virtualServiceName} in namespace ${rs.metadata.namespace}`;
    return [issue('error', rs, 'spec.virtualServiceName', spec.virtualServiceName, why)];
  }
  const urlProblems = checkHealthCheckUrls(rs, spec.healthCheck);
  if (urlProblems.length) return urlProblems;
  const target = resolveTarget(rs, vs, ctx);
  if (Array.isArray(target)) return target;
  const port = spec.port ?? vs.spec.port;
  const out = [...checkForwarding(rs, vs, target, port, directorsOf), ...checkEffectiveHealthCheck(rs, vs)];
  const { address, field } = target;
  const key = `${vsRef} ${endpoint(canonicalIp(address), port)}`;
  const first = taken.get(key);
  if (first) {
    out.push(
      issue(
        'error',
        rs,
        field,
        endpoint(address, port),
        `RealServer ${objectRef(first)} already serves ${endpoint(address, port)} for VirtualService ${objectRef(vs)}`,
      ),
    );
  }
  if (!out.some((e) => e.severity === 'error')) taken.set(key, rs);
  return out;
}

/** The address the directors forward to, and the field it came from; the errors when there is none. */
function resolveTarget(
  rs: RealServer,
  vs: VirtualService,
  ctx: RealServerContext,
): { address: string; field: string } | ValidationError[] {
  const { spec } = rs;
  const vip = vs.spec.address;
  if (spec.nodeName === undefined) {
    const field = 'spec.address';
    const address = spec.address ?? '';
    if (ipFamily(address) !== ipFamily(vip)) {
      return [
        issue(
          'error',
          rs,
          field,
          address,
          `must be an ${ipFamily(vip)} address like VirtualService ${objectRef(vs)}'s address ${vip}`,
        ),
      ];
    }
    return { address, field };
  }
  const field = 'spec.nodeName';
  const node = ctx.nodes.find((n) => n.metadata.name === spec.nodeName);
  if (!node) {
    const why = ctx.rejectedNodes.has(spec.nodeName)
      ? `Node ${spec.nodeName} is invalid (see its errors)`
      : `no Node ${spec.nodeName}`;
    return [issue('error', rs, field, spec.nodeName, why)];
  }
  const address = nodeAddress(node, vip);
  if (address === undefined) {
    return [
      issue(
        'error',
        rs,
        field,
        spec.nodeName,
        `Node ${spec.nodeName} has no ${ipFamily(vip)} InternalIP, the family of VirtualService ${objectRef(vs)}'s address ${vip}`,
      ),
    ];
  }
  return { address, field };
}

/** What the forwarding method asks of the target: not the VIP itself, the VIP's port (DR, TUN), not a director (NAT). */
function checkForwarding(
  rs: RealServer,
  vs: VirtualService,
  { address, field }: { address: string; field: string },
  port: number,
  directorsOf: (vs: VirtualService) => KubeNode[],
): ValidationError[] {
  const { spec } = rs;
  const vip = vs.spec.address;
  const mode = vs.spec.forwarding;
  const out: ValidationError[] = [];
  if (sameIp(address, vip)) {
    out.push(
      issue(
        'error',
        rs,
        field,
        spec.nodeName ?? address,
        `resolves to ${address}, the virtual address of VirtualService ${objectRef(vs)} itself (${mode}): the directors would forward to themselves`,
      ),
    );
  }
  if ((mode === 'DR' || mode === 'TUN') && port !== vs.spec.port) {
    // DR rewrites only the MAC and TUN encapsulates the packet unchanged: the port stays the VIP's
    out.push(
      issue(
        'error',
        rs,
        'spec.port',
        port,
        `must equal the virtual port ${vs.spec.port}: ${mode} forwarding cannot change the port (only NAT can)`,
      ),
    );
  }
  if (mode === 'NAT') {
    const director = directorsOf(vs).find((d) => d.metadata.name === spec.nodeName || hasInternalIp(d, address));
    if (director) {
      out.push(
        issue(
          'error',
          rs,
          field,
          spec.nodeName ?? address,
          `is director ${director.metadata.name} of VirtualService ${objectRef(vs)}: in NAT mode replies must pass back through a director, so a director cannot also be a real server`,
        ),
      );
    }
  }
  return out;
}

/** The VirtualService's check with this RealServer's overrides must still time out within the interval. */
function checkEffectiveHealthCheck(rs: RealServer, vs: VirtualService): ValidationError[] {
  const own = rs.spec.healthCheck;
  if (own?.timeout === undefined && own?.interval === undefined) return [];
  const timeout = own.timeout ?? vs.spec.healthCheck?.timeout;
  const interval = own.interval ?? vs.spec.healthCheck?.interval;
  if (timeout === undefined || interval === undefined || timeout <= interval) return [];
  const [field, value] =
    own.timeout !== undefined ? ['spec.healthCheck.timeout', timeout] : ['spec.healthCheck.interval', interval];
  return [
    issue(
      'error',
      rs,
      field,
      value,
      `the health check's timeout ${timeout} s would exceed its interval ${interval} s (with VirtualService ${objectRef(vs)}'s healthCheck)`,
    ),
  ];
}

function memo<K extends object, V>(fn: (k: K) => V): (k: K) => V {
  const cache = new WeakMap<K, V>();
  return (k) => {
    if (!cache.has(k)) cache.set(k, fn(k));
    return cache.get(k) as V;
  };
}
