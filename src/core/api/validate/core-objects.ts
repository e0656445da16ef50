// Hand-written checks for what no CRD describes here: the metadata every object shares, and the
// few fields of Node and Secret that the planner reads.
import { isIPv4, isIPv6 } from 'node:net';
import type { FieldProblem } from './errors.js';

// RFC 1123 subdomain (object names) and label (namespaces), as the API server checks them.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const DEFAULT_NAMESPACE = 'default';

/**
 * Checks metadata and fills in what the API server would: a namespaced object without a
 * namespace lands in "default" (as `kubectl apply` without -n does). Mutates `object`, a copy.
 */
export function checkMetadata(object: Record<string, unknown>, namespaced: boolean): FieldProblem[] {
  const metadata = object.metadata;
  if (metadata === undefined) return [{ path: ['metadata', 'name'], value: undefined, message: 'is required' }];
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    return [{ path: ['metadata'], value: metadata, message: 'must be an object' }];
  }
  const meta = metadata as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const name = meta.name;
  if (name === undefined || name === '')
    problems.push({ path: ['metadata', 'name'], value: undefined, message: 'is required' });
  else if (typeof name !== 'string' || name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    problems.push({
      path: ['metadata', 'name'],
      value: name,
      message: 'must be a lower-case RFC 1123 subdomain (a-z, 0-9, "-", ".", at most 253 characters)',
    });
  }
  if (namespaced) {
    meta.namespace ??= DEFAULT_NAMESPACE;
    const ns = meta.namespace;
    if (typeof ns !== 'string' || ns.length > 63 || !DNS_LABEL.test(ns)) {
      problems.push({
        path: ['metadata', 'namespace'],
        value: ns,
        message: 'must be a lower-case RFC 1123 label (a-z, 0-9, "-", at most 63 characters)',
      });
    }
  } else if (meta.namespace !== undefined) {
    // the API server ignores the namespace of a cluster-scoped object; so do we, but say so
    delete meta.namespace;
  }
  for (const key of ['labels', 'annotations'] as const) problems.push(...checkStringMap(meta[key], ['metadata', key]));
  return problems;
}

/** Labels and annotations are string maps; a YAML `true` would silently never match a selector. */
function checkStringMap(value: unknown, path: string[]): FieldProblem[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [{ path, value, message: 'must be a map of strings' }];
  return Object.entries(value)
    .filter(([, v]) => typeof v !== 'string')
    .map(([k, v]) => ({ path: [...path, k], value: v, message: 'must be a string (quote it in YAML)' }));
}

/** Node: status.addresses is a list of {type, address}; InternalIP and ExternalIP are IPs. */
export function checkNode(node: Record<string, unknown>): FieldProblem[] {
  const status = node.status;
  if (status === undefined) return [];
  if (typeof status !== 'object' || status === null)
    return [{ path: ['status'], value: status, message: 'must be an object' }];
  const addresses = (status as Record<string, unknown>).addresses;
  if (addresses === undefined) return [];
  if (!Array.isArray(addresses))
    return [{ path: ['status', 'addresses'], value: addresses, message: 'must be a list' }];
  const problems: FieldProblem[] = [];
  addresses.forEach((entry: unknown, i) => {
    const path = ['status', 'addresses', i];
    const a = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    if (typeof a.type !== 'string')
      problems.push({ path: [...path, 'type'], value: a.type, message: 'must be a string' });
    if (typeof a.address !== 'string')
      problems.push({ path: [...path, 'address'], value: a.address, message: 'must be a string' });
    else if (
      (a.type === 'InternalIP' || a.type === 'ExternalIP') &&
      !isIPv4(a.address) &&
      !(isIPv6(a.address) && !a.address.includes('%'))
    ) {
      problems.push({
        path: [...path, 'address'],
        value: a.address,
        message: `must be an IP address (type ${a.type})`,
      });
    }
  });
  return problems;
}

/** Secret: data holds base64 strings, stringData plain strings. */
export function checkSecret(secret: Record<string, unknown>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const key of ['data', 'stringData'] as const) {
    const map = secret[key];
    if (map === undefined) continue;
    if (typeof map !== 'object' || map === null || Array.isArray(map)) {
      problems.push({ path: [key], value: map, message: 'must be a map of strings' });
      continue;
    }
    for (const [k, v] of Object.entries(map)) {
      if (typeof v !== 'string') problems.push({ path: [key, k], value: v, message: 'must be a string' });
      else if (key === 'data' && !BASE64.test(v.replace(/\s/g, ''))) {
        problems.push({ path: [key, k], value: v, message: 'must be base64 (use stringData for plain text)' });
      }
    }
  }
  return problems;
}

/** The value of a Secret's key: stringData wins over data, as the API server merges them. */
export function secretValue(
  secret: { data?: Record<string, string>; stringData?: Record<string, string> },
  key: string,
): string | undefined {
  const plain = secret.stringData?.[key];
  if (plain !== undefined) return plain;
  const encoded = secret.data?.[key];
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
}
