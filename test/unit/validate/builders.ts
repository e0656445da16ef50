// Small builders for test objects, and helpers to look at validation results.
import { expect } from 'vitest';
import type { KubeNode, ManifestObject, RealServer, Secret, VirtualService } from '../../../src/core/api/objects.js';
import { formatError, validateObjects, type ValidationError } from '../../../src/core/api/validate/index.js';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Drops keys whose value is undefined, as objects read from YAML never have them. */
const plain = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;

export function vs(name: string, spec: Record<string, unknown> = {}, namespace = 'default'): VirtualService {
  return plain({
    apiVersion: 'lvs-operator.io/v1alpha1',
    kind: 'VirtualService',
    metadata: { name, namespace },
    spec: { address: '192.0.2.10', port: 80, ...spec } as VirtualService['spec'],
  });
}

export function rs(
  name: string,
  spec: DeepPartial<RealServer['spec']> & Record<string, unknown> = {},
  namespace = 'default',
): RealServer {
  const base = spec.nodeName === undefined && !('address' in spec) ? { address: '198.51.100.1' } : {};
  return plain({
    apiVersion: 'lvs-operator.io/v1alpha1',
    kind: 'RealServer',
    metadata: { name, namespace },
    spec: { virtualServiceName: 'web', ...base, ...spec } as RealServer['spec'],
  });
}

export function node(name: string, addresses: string[] = [], labels: Record<string, string> = {}): KubeNode {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels },
    status: { addresses: addresses.map((address) => ({ type: 'InternalIP', address })) },
  };
}

export function director(name: string, address: string, segment?: string): KubeNode {
  const labels: Record<string, string> = { 'lvs-operator.io/director': 'true' };
  if (segment) labels['lvs-operator.io/l2-segment'] = segment;
  return node(name, [address], labels);
}

export function secret(name: string, stringData: Record<string, string>, namespace = 'default'): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, stringData };
}

/** Two directors on one segment: the usual world a VirtualService lives in. */
export const directors = (): KubeNode[] => [director('lvs01', '192.0.2.1'), director('lvs02', '192.0.2.2')];

export function names(list: readonly { metadata: { name?: string } }[]): (string | undefined)[] {
  return list.map((o) => o.metadata.name);
}

/** Validates and returns the result with the errors (not warnings) and warnings apart. */
export function check(objects: ManifestObject[]) {
  const result = validateObjects(objects);
  return {
    ...result,
    hard: result.errors.filter((e) => e.severity === 'error'),
    warnings: result.errors.filter((e) => e.severity === 'warning'),
  };
}

/**
 * The one error about `object` at `field`, after checking that its printed line names the
 * object, the field and (when there is one) the value.
 */
export function expectOneError(
  errors: readonly ValidationError[],
  object: string,
  field: string,
  severity: 'error' | 'warning' = 'error',
): ValidationError {
  const matching = errors.filter((e) => e.object === object && e.field === field && e.severity === severity);
  expect(
    matching,
    `expected one ${severity} on ${object} ${field}; got:\n${errors.map(formatError).join('\n')}`,
  ).toHaveLength(1);
  const e = matching[0] as ValidationError;
  const line = formatError(e);
  expect(line).toContain(object);
  expect(line).toContain(field);
  if (e.value !== undefined) expect(line).toContain(`(got ${JSON.stringify(e.value).slice(0, 40)}`);
  return e;
}
