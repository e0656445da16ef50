// Checks on VirtualServices that need other objects (Nodes, Secrets, the other VirtualServices).
// VirtualServices are taken in namespace/name order and each is checked against those already
// accepted, so that of two that clash the first stays and only the later one is rejected.
import { objectRef, type KubeNode, type Secret, type VirtualService } from '../objects.js';
import { nodeSegment, selectDirectors } from '../directors.js';
import { secretValue } from './core-objects.js';
import type { ValidationError } from './errors.js';
import { canonicalIp, ipFamily, isContiguousNetmask, sameIp } from './ip.js';
import { checkHealthCheckUrls } from './health-urls.js';
import { issue, nsName } from './issue.js';
import { stableJson } from '../stable-json.js';
import { usableVrrpPassword, VRRP_PASSWORD_MAX_LENGTH, VRRP_PASSWORD_RULE } from '../vrrp.js';

export function checkVirtualServices(
  sorted: readonly VirtualService[],
  nodes: readonly KubeNode[],
  secrets: readonly Secret[],
): { accepted: VirtualService[]; rejected: Set<string>; errors: ValidationError[] } {
  const accepted: VirtualService[] = [];
  const index = new AcceptedIndex();
  const rejected = new Set<string>();
  const errors: ValidationError[] = [];
  for (const vs of sorted) {
    const found = [
      ...checkOne(vs, nodes, secrets),
      ...checkAgainstAccepted(vs, index, accepted, nodes),
      ...syncGroupDirectors(vs, accepted, nodes),
    ];
    errors.push(...found);
    if (found.some((e) => e.severity === 'error')) rejected.add(nsName(vs));
    else {
      accepted.push(vs);
      index.add(vs);
    }
  }
  return { accepted, rejected, errors };
}

/**
 * The first accepted VirtualService per VIP and per VIP, port and protocol, by the VIP's canonical
 * spelling: each VirtualService is checked against those before it, and a scan of all of them per
 * VirtualService made that quadratic (a third of the controller's pass after one edit at 1,000
 * VirtualServices).
 */
class AcceptedIndex {
  private readonly byVip = new Map<string, VirtualService>();
  private readonly byEndpoint = new Map<string, VirtualService>();

  private static endpointKey(vs: VirtualService): string {
    return `${canonicalIp(vs.spec.address)} ${vs.spec.port} ${vs.spec.protocol}`;
  }

  add(vs: VirtualService): void {
    const vip = canonicalIp(vs.spec.address);
    if (!this.byVip.has(vip)) this.byVip.set(vip, vs);
    const key = AcceptedIndex.endpointKey(vs);
    if (!this.byEndpoint.has(key)) this.byEndpoint.set(key, vs);
  }

  sameEndpoint(vs: VirtualService): VirtualService | undefined {
    return this.byEndpoint.get(AcceptedIndex.endpointKey(vs));
  }

  sameVip(vs: VirtualService): VirtualService | undefined {
    return this.byVip.get(canonicalIp(vs.spec.address));
  }
}

/** Endpoint text for messages: 192.0.2.1:80/TCP, [2001:db8::1]:80/TCP. */
export function endpoint(address: string, port: number, protocol?: string): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return protocol ? `${host}:${port}/${protocol}` : `${host}:${port}`;
}

function checkOne(vs: VirtualService, nodes: readonly KubeNode[], secrets: readonly Secret[]): ValidationError[] {
  const out: ValidationError[] = [];
  const { spec } = vs;
  const family = ipFamily(spec.address);
  const directors = selectDirectors(vs, nodes);
  if (directors.length === 0) {
    out.push(
      issue(
        'warning',
        vs,
        'spec.directors.nodeSelector',
        spec.directors?.nodeSelector,
        'matches no Node: nothing directs this VirtualService until a Node carries these labels',
      ),
    );
  }
  const directorNames = new Set(directors.map((d) => d.metadata.name));
  spec.vrrp?.priorities?.forEach((p, i) => {
    if (!directorNames.has(p.node)) {
      out.push(
        issue(
          'warning',
          vs,
          `spec.vrrp.priorities[${i}].node`,
          p.node,
          'is not a director of this VirtualService (no Node of that name matches spec.directors.nodeSelector); the priority is unused',
        ),
      );
    }
  });
  // VRRPv3's 40.95 s bound and VRRPv2 being IPv4-only are CEL rules in the CRD.
  out.push(...checkAuthSecret(vs, secrets), ...checkHealthCheckUrls(vs, spec.healthCheck));
  const sorry = spec.sorryServer?.address;
  if (sorry !== undefined && ipFamily(sorry) !== family) {
    out.push(
      issue(
        'error',
        vs,
        'spec.sorryServer.address',
        sorry,
        `must be an ${family} address like the virtual address ${spec.address}`,
      ),
    );
  } else if (sorry !== undefined && sameIp(sorry, spec.address)) {
    out.push(issue('error', vs, 'spec.sorryServer.address', sorry, 'must not be the virtual address itself'));
  }
  const netmask = spec.persistence?.netmask;
  if (netmask !== undefined && netmask.includes('.') !== (family === 'IPv4')) {
    out.push(
      issue(
        'error',
        vs,
        'spec.persistence.netmask',
        netmask,
        family === 'IPv4'
          ? 'must be a dotted netmask for an IPv4 address'
          : 'must be a prefix length (1-128) for an IPv6 address',
      ),
    );
  } else if (netmask?.includes('.') && !isContiguousNetmask(netmask)) {
    out.push(
      issue(
        'error',
        vs,
        'spec.persistence.netmask',
        netmask,
        'must be a contiguous netmask (ones, then zeros: 255.255.255.0)',
      ),
    );
  }
  return out;
}

function checkAuthSecret(vs: VirtualService, secrets: readonly Secret[]): ValidationError[] {
  const ref = vs.spec.vrrp?.authSecretRef;
  if (!ref) return [];
  const ns = vs.metadata.namespace;
  const secret = secrets.find((s) => s.metadata.namespace === ns && s.metadata.name === ref.name);
  if (!secret) return [issue('error', vs, 'spec.vrrp.authSecretRef.name', ref.name, `no Secret ${ns}/${ref.name}`)];
  const key = ref.key ?? 'password';
  const password = secretValue(secret, key);
  if (password === undefined)
    return [issue('error', vs, 'spec.vrrp.authSecretRef.key', key, `Secret ${ns}/${ref.name} has no key ${key}`)];
  if (password === '')
    return [issue('error', vs, 'spec.vrrp.authSecretRef.key', key, `Secret ${ns}/${ref.name} key ${key} is empty`)];
  // The planner refuses what keepalived.conf cannot carry; validation must say so first, not accept it.
  if (usableVrrpPassword(password) === undefined)
    return [
      issue(
        'error',
        vs,
        'spec.vrrp.authSecretRef.key',
        key,
        `Secret ${ns}/${ref.name} key ${key}: ${VRRP_PASSWORD_RULE}`,
      ),
    ];
  if (password.length > VRRP_PASSWORD_MAX_LENGTH) {
    return [
      issue(
        'warning',
        vs,
        'spec.vrrp.authSecretRef.key',
        key,
        `Secret ${ns}/${ref.name} key ${key} is longer than ${VRRP_PASSWORD_MAX_LENGTH} characters; keepalived uses only the first ${VRRP_PASSWORD_MAX_LENGTH}`,
      ),
    ];
  }
  return [];
}

function checkAgainstAccepted(
  vs: VirtualService,
  index: AcceptedIndex,
  accepted: readonly VirtualService[],
  nodes: readonly KubeNode[],
): ValidationError[] {
  const { spec } = vs;
  const twin = index.sameEndpoint(vs);
  if (twin) {
    const ep = endpoint(spec.address, spec.port, spec.protocol);
    return [issue('error', vs, 'spec.address', ep, `VirtualService ${objectRef(twin)} already serves ${ep}`)];
  }
  const sameVip = index.sameVip(vs);
  if (sameVip) return sharedInstanceDisagreements(vs, sameVip);
  return virtualRouterIdClashes(vs, accepted, nodes);
}

/** What VirtualServices with one VIP share: the one VRRP instance that holds that VIP. */
const SHARED_INSTANCE_FIELDS: readonly [string, (vs: VirtualService) => unknown][] = [
  ['spec.vrrp.virtualRouterID', (vs) => vs.spec.vrrp?.virtualRouterID],
  ['spec.vrrp.version', (vs) => vs.spec.vrrp?.version],
  ['spec.vrrp.advertInterval', (vs) => vs.spec.vrrp?.advertInterval],
  ['spec.directors.interface', (vs) => vs.spec.directors?.interface],
  ['spec.directors.nodeSelector', (vs) => vs.spec.directors?.nodeSelector],
  ['spec.vrrp.priorities', (vs) => [...(vs.spec.vrrp?.priorities ?? [])].sort((a, b) => (a.node < b.node ? -1 : 1))],
  ['spec.vrrp.preempt', (vs) => vs.spec.vrrp?.preempt],
  ['spec.vrrp.preemptDelay', (vs) => vs.spec.vrrp?.preemptDelay],
  ['spec.vrrp.unicast', (vs) => vs.spec.vrrp?.unicast],
  [
    'spec.vrrp.trackInterfaces',
    (vs) => [...(vs.spec.vrrp?.trackInterfaces ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1)),
  ],
  ['spec.vrrp.vip', (vs) => vs.spec.vrrp?.vip],
  ['spec.vrrp.syncGroup', (vs) => vs.spec.vrrp?.syncGroup],
  // a Secret name means the Secret of the VirtualService's own namespace
  [
    'spec.vrrp.authSecretRef',
    (vs) => vs.spec.vrrp?.authSecretRef && { namespace: vs.metadata.namespace, ...vs.spec.vrrp.authSecretRef },
  ],
];

function sharedInstanceDisagreements(vs: VirtualService, first: VirtualService): ValidationError[] {
  const out: ValidationError[] = [];
  for (const [field, get] of SHARED_INSTANCE_FIELDS) {
    const mine = get(vs);
    const theirs = get(first);
    if (stableJson(mine) !== stableJson(theirs)) {
      const shown = theirs === undefined ? 'none' : stableJson(theirs);
      out.push(
        issue(
          'error',
          vs,
          field,
          mine,
          `VirtualServices with the same VIP ${vs.spec.address} share one VRRP instance and must agree; VirtualService ${objectRef(first)} has ${shown}`,
        ),
      );
    }
  }
  return out;
}

/**
 * An explicit VRID must not be used by another VIP's instance on the same L2 segment (or on a
 * shared director). IPv4 and IPv6 have separate VRID spaces (VRRPv3: different multicast groups
 * and virtual MACs 00:00:5e:00:01:XX / 00:00:5e:00:02:XX), so only the same family clashes.
 */
function virtualRouterIdClashes(
  vs: VirtualService,
  accepted: readonly VirtualService[],
  nodes: readonly KubeNode[],
): ValidationError[] {
  const vrid = vs.spec.vrrp?.virtualRouterID;
  if (vrid === undefined) return [];
  const mine = selectDirectors(vs, nodes);
  const mySegments = new Set(mine.map(nodeSegment));
  const myNames = new Set(mine.map((n) => n.metadata.name));
  for (const other of accepted) {
    if (other.spec.vrrp?.virtualRouterID !== vrid || ipFamily(other.spec.address) !== ipFamily(vs.spec.address))
      continue;
    const theirs = selectDirectors(other, nodes);
    const shared = theirs.find((n) => myNames.has(n.metadata.name));
    const segment = theirs.map(nodeSegment).find((s) => mySegments.has(s));
    if (shared || segment !== undefined) {
      const where = shared ? `director ${shared.metadata.name}` : `L2 segment ${segment}`;
      return [
        issue(
          'error',
          vs,
          'spec.vrrp.virtualRouterID',
          vrid,
          `is already used by VirtualService ${objectRef(other)} (VIP ${other.spec.address}) on ${where}; a VRID must be unique per L2 segment`,
        ),
      ];
    }
  }
  return [];
}

/**
 * The instances of a sync group fail over together on each director, so every member must run on
 * the same directors: a director holding only some of them would sync a partial group.
 */
function syncGroupDirectors(
  vs: VirtualService,
  accepted: readonly VirtualService[],
  nodes: readonly KubeNode[],
): ValidationError[] {
  const group = vs.spec.vrrp?.syncGroup;
  if (group === undefined) return [];
  const other = accepted.find(
    (a) =>
      a.spec.vrrp?.syncGroup === group &&
      a.metadata.namespace === vs.metadata.namespace &&
      !sameIp(a.spec.address, vs.spec.address),
  );
  if (!other) return [];
  const names = (v: VirtualService) =>
    selectDirectors(v, nodes)
      .map((n) => n.metadata.name ?? '')
      .sort();
  const [mine, theirs] = [names(vs), names(other)];
  if (stableJson(mine) === stableJson(theirs)) return [];
  const list = (l: string[]) => (l.length ? l.join(', ') : 'none');
  return [
    issue(
      'error',
      vs,
      'spec.vrrp.syncGroup',
      group,
      `the members of a sync group must have the same directors: VirtualService ${objectRef(vs)} has ${list(mine)}, VirtualService ${objectRef(other)} of the same sync group has ${list(theirs)}`,
    ),
  ];
}
