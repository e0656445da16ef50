// A table of invalid objects: each must be rejected with an error naming the object, the field
// and the bad value, while the valid objects beside it stay valid.
import { describe, expect, it } from 'vitest';
import type { ManifestObject } from '../../../src/core/api/objects.js';
import { cases as fieldCases } from './invalid-cases.js';
import { urlCases } from './invalid-url-cases.js';
import { vrrpCases } from './invalid-vrrp-cases.js';

const cases = [...fieldCases, ...urlCases, ...vrrpCases];
import { packageCrds, type CelRule, type SchemaNode } from '../../../src/core/api/validate/crds.js';
import { objectLabel } from '../../../src/core/api/validate/errors.js';
import { check, directors, expectOneError, names, rs, vs } from './builders.js';

/** Valid neighbours: two VirtualServices (DR and NAT), directors, and a real server of each. */
function neighbours(): ManifestObject[] {
  return [
    vs('web'),
    vs('nat', { address: '192.0.2.20', forwarding: 'NAT' }),
    ...directors(),
    rs('web-1', { address: '198.51.100.1' }),
    rs('nat-1', { virtualServiceName: 'nat', address: '198.51.100.2' }),
  ];
}

describe('invalid objects are rejected with the field and the value', () => {
  it('has at least 30 cases', () => expect(cases.length).toBeGreaterThanOrEqual(30));

  it.each(cases)('$name', ({ object, field, value, says }) => {
    const result = check([...neighbours(), object]);
    const label = objectLabel(object);
    const error = expectOneError(result.hard, label, field);
    expect(error.value).toEqual(value);
    if (says) expect(error.message).toContain(says);
    expect(result.hard.filter((e) => e.object !== label)).toEqual([]);
    const kept = [
      ...result.valid.virtualServices,
      ...result.valid.realServers,
      ...result.valid.nodes,
      ...result.valid.secrets,
    ];
    expect(names(kept).sort()).toEqual(['lvs01', 'lvs02', 'nat', 'nat-1', 'web', 'web-1']);
  });

  it('has a case for every CEL rule in crds/, so that a new rule gets one too', () => {
    const messages = new Set(
      cases.flatMap(({ object }) => check([...neighbours(), object]).hard.map((e) => e.message)),
    );
    const rules = [...packageCrds().values()].flatMap((crd) => celRules(crd.schema));
    expect(rules.length).toBeGreaterThan(0);
    expect(rules.filter((r) => r.message === undefined || !messages.has(r.message)).map((r) => r.rule)).toEqual([]);
  });
});

function celRules(node: SchemaNode): CelRule[] {
  const children = [...Object.values(node.properties ?? {}), ...(node.items ? [node.items] : [])];
  return [...(node['x-kubernetes-validations'] ?? []), ...children.flatMap(celRules)];
}
