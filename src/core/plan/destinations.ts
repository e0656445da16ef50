// RealServers -> IPVS destinations with their effective health checks. Pure.
import {
  objectRef,
  type DestinationPlan,
  type HealthCheckPlan,
  type KubeNode,
  type RealServer,
  type VirtualService,
} from '../api/objects.js';
import { nodeAddress } from '../api/directors.js';
import { DEFAULT_PATH, DEFAULT_STATUS } from '../api/http-urls.js';
import { normalizeIp } from '../net/ip.js';
import type { PlanProblem } from './problems.js';

/** The real server's address: its own, or its Node's InternalIP of the VIP's family. */
export function resolveRealServerAddress(
  rs: RealServer,
  vip: string,
  nodesByName: ReadonlyMap<string, KubeNode>,
): { address?: string; problem?: PlanProblem } {
  if (rs.spec.address) return { address: normalizeIp(rs.spec.address) };
  const nodeName = rs.spec.nodeName ?? '';
  const node = nodesByName.get(nodeName);
  const object = `RealServer ${objectRef(rs)}`;
  if (!node) return { problem: { object, field: 'spec.nodeName', value: nodeName, message: 'names no Node' } };
  const address = nodeAddress(node, vip);
  if (!address) {
    return {
      problem: {
        object,
        field: 'spec.nodeName',
        value: nodeName,
        message: `Node has no InternalIP of the VIP's family (${vip})`,
      },
    };
  }
  return { address: normalizeIp(address) };
}

/** VirtualService defaults with the RealServer's overrides on top; only the fields the check type uses. */
export function effectiveHealthCheck(vs: VirtualService, rs: RealServer, destinationPort: number): HealthCheckPlan {
  const merged = { ...vs.spec.healthCheck, ...stripUndefined(rs.spec.healthCheck ?? {}) };
  const type = merged.type ?? 'TCP';
  const check: HealthCheckPlan = {
    type,
    port: merged.port ?? destinationPort,
    interval: merged.interval ?? 2,
    timeout: merged.timeout ?? 1,
    retries: merged.retries ?? 1,
    retryDelay: merged.retryDelay ?? 1,
    onFailure: merged.onFailure ?? 'Inhibit',
  };
  if (type === 'HTTP' || type === 'HTTPS') Object.assign(check, effectiveUrls(vs, rs));
  return check;
}

type UrlFields = Pick<HealthCheckPlan, 'path' | 'host' | 'expectedStatus' | 'urls'>;

/**
 * What to GET. `urls` and the single path/host/expectedStatus are two forms of one setting (never
 * both on one object): a RealServer that sets either form replaces the VirtualService's urls; the
 * single fields alone merge field by field, as before urls existed. The form is kept as written, so
 * that plans (and agents older than urls) see no change for checks that do not use urls.
 */
function effectiveUrls(vs: VirtualService, rs: RealServer): UrlFields {
  const defaults = vs.spec.healthCheck ?? {};
  const own = rs.spec.healthCheck ?? {};
  const ownSingle = own.path !== undefined || own.host !== undefined || own.expectedStatus !== undefined;
  const urls = own.urls ?? (ownSingle ? undefined : defaults.urls);
  if (urls) return { urls: urls.map((u) => ({ ...u, expectedStatus: u.expectedStatus ?? [String(DEFAULT_STATUS)] })) };
  const single = defaults.urls ? own : { ...stripUndefined(defaults), ...stripUndefined(own) };
  const fields: UrlFields = { path: single.path ?? DEFAULT_PATH };
  if (single.host !== undefined) fields.host = single.host;
  fields.expectedStatus = single.expectedStatus ?? DEFAULT_STATUS;
  return fields;
}

export function buildDestination(vs: VirtualService, rs: RealServer, address: string): DestinationPlan {
  const port = rs.spec.port ?? vs.spec.port;
  const destination: DestinationPlan = {
    owner: objectRef(rs),
    address,
    port,
    forwarding: vs.spec.forwarding ?? 'DR',
    weight: rs.spec.weight ?? 1,
    healthCheck: effectiveHealthCheck(vs, rs, port),
  };
  if (rs.spec.upperThreshold !== undefined) destination.upperThreshold = rs.spec.upperThreshold;
  if (rs.spec.lowerThreshold !== undefined) destination.lowerThreshold = rs.spec.lowerThreshold;
  return destination;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
