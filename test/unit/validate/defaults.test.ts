// Objects come out of validation with the CRD's defaults applied as the API server applies them:
// a default fills an absent field, an object default ({}) then gets its own fields' defaults, and
// an absent object without a default stays absent (its fields' defaults do not apply).
import { describe, expect, it } from 'vitest';
import { valueAt } from '../../../src/core/api/validate/errors.js';
import { packageCrds, type SchemaNode } from '../../../src/core/api/validate/crds.js';
import { check, directors, rs, secret, vs } from './builders.js';

/**
 * The defaults the API server applies to an object in which only the `present` paths exist:
 * [path, default] for every defaulted field whose parent exists (present, or itself defaulted).
 */
function expectedDefaults(
  node: SchemaNode,
  present: (path: string[]) => boolean,
  path: string[] = [],
): [string[], unknown][] {
  const out: [string[], unknown][] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const childPath = [...path, key];
    if (child.default !== undefined && !present(childPath)) out.push([childPath, child.default]);
    if (child.default !== undefined || present(childPath)) out.push(...expectedDefaults(child, present, childPath));
  }
  return out;
}

const schemaOf = (kind: string) => packageCrds().get(kind)?.schema as SchemaNode;

type Manifest = Parameters<typeof check>[0][number];

/** The object after validation among directors (and `context`), which must raise no error. */
function applied(object: Manifest, kind: string, context: Manifest[] = []) {
  const result = check([...directors(), ...context, object]);
  expect(result.hard).toEqual([]);
  const out = kind === 'VirtualService' ? result.valid.virtualServices[0] : result.valid.realServers[0];
  expect(out).toBeDefined();
  return out as unknown;
}

describe('defaults', () => {
  it('gives a minimal VirtualService every default the CRD declares', () => {
    const out = applied(vs('web'), 'VirtualService');
    const given = (path: string[]) =>
      ['spec', 'spec.address', 'spec.port', 'metadata', 'apiVersion', 'kind'].includes(path.join('.'));
    const expected = expectedDefaults(schemaOf('VirtualService'), given);
    expect(expected.length).toBeGreaterThan(15);
    for (const [path, value] of expected) {
      const actual = valueAt(out, path);
      if (value !== null && typeof value === 'object')
        expect(actual, path.join('.')).toEqual(expect.objectContaining(value));
      else expect(actual, path.join('.')).toEqual(value);
    }
  });

  it('matches what the seed relies on (written out, so that a changed default is noticed)', () => {
    const { spec } = applied(vs('web'), 'VirtualService') as { spec: Record<string, Record<string, unknown>> };
    expect(spec).toMatchObject({
      protocol: 'TCP',
      scheduler: 'wlc',
      forwarding: 'DR',
      directors: { nodeSelector: { 'lvs-operator.io/director': 'true' } },
      vrrp: { version: 3, advertInterval: 0.1, preempt: true, preemptDelay: 0, unicast: false },
      healthCheck: {
        type: 'TCP',
        interval: 2,
        timeout: 1,
        retries: 1,
        retryDelay: 1,
        onFailure: 'Inhibit',
      },
      connectionSync: { enabled: true },
    });
    // objects without a default stay absent even though their fields have defaults
    expect(spec.quorum).toBeUndefined();
    expect(spec.persistence).toBeUndefined();
    expect(spec.sorryServer).toBeUndefined();
    expect(spec.vrrp?.virtualRouterID).toBeUndefined();
  });

  it('defaults the fields of an object that is present', () => {
    const { spec } = applied(
      vs('web', { quorum: {}, vrrp: { version: 2, advertInterval: 1, authSecretRef: { name: 's' } } }),
      'VirtualService',
      [secret('s', { password: '1111' })],
    ) as {
      spec: Record<string, Record<string, unknown>>;
    };
    expect(spec.quorum).toEqual({ minimum: 1, hysteresis: 0 });
    expect(spec.vrrp?.authSecretRef).toEqual({ name: 's', key: 'password' });
  });

  it('does not override a given value, and treats null as absent', () => {
    const { spec } = applied(
      vs('web', { scheduler: 'rr', vrrp: null, healthCheck: { interval: 6, timeout: null } }),
      'VirtualService',
    ) as {
      spec: Record<string, Record<string, unknown>>;
    };
    expect(spec.scheduler).toBe('rr');
    expect(spec.vrrp).toMatchObject({ version: 3 });
    expect(spec.healthCheck).toMatchObject({ interval: 6, timeout: 1 });
  });

  it('gives a minimal RealServer its defaults and no health-check overrides', () => {
    const out = applied(rs('a'), 'RealServer', [vs('web')]) as { spec: Record<string, unknown> };
    const given = (path: string[]) =>
      ['spec', 'spec.address', 'spec.virtualServiceName', 'metadata', 'apiVersion', 'kind'].includes(path.join('.'));
    for (const [path, value] of expectedDefaults(schemaOf('RealServer'), given))
      expect(valueAt(out, path)).toEqual(value);
    expect(out.spec).toEqual({ virtualServiceName: 'web', address: '198.51.100.1', weight: 1 });
  });

  it('leaves the input objects untouched', () => {
    const input = vs('web');
    const before = structuredClone(input);
    check([input]);
    expect(input).toEqual(before);
  });
});
