// What the importer emits, the rest of the product takes: validation finds no error, the planner
// no problem, and keepalived.conf renders for every director. An import that succeeds and then
// fails at apply or render is the silently wrong case this guards against.
import { describe, expect, it } from 'vitest';
import { validateObjects } from '../../../src/core/api/validate/index.js';
import type { ManifestObject } from '../../../src/core/api/objects.js';
import { renderKeepalivedConf } from '../../../src/core/keepalived/render.js';
import { plan } from '../../../src/core/plan/plan.js';
import { importFixtures, importTexts, template } from './helpers.js';

function expectTakenWhole(objects: ManifestObject[]): void {
  const { valid, errors } = validateObjects(objects);
  expect(errors.filter((e) => e.severity === 'error')).toEqual([]);
  const planned = plan(valid);
  expect(planned.problems).toEqual([]);
  for (const [name, spec] of planned.nodes) {
    if (spec.vrrp?.instances?.length) expect(() => renderKeepalivedConf(spec, { nodeName: name })).not.toThrow();
  }
}

describe('import -> validate -> plan -> render', () => {
  it.each([
    [['seed-lvs01.conf', 'seed-lvs02.conf']],
    [['nat-sorry-quorum.conf']],
    [['tun-http-ssl.conf']],
    [['multi-instance.conf']],
    [['persistence.conf']],
    [['all-schedulers.conf']],
    [['include/keepalived.conf']],
    [['unicast-lvs01.conf', 'unicast-lvs02.conf']],
  ])('%j', (files) => {
    expectTakenWhole(importFixtures(files).objects);
  });

  it.each([
    ['a quoted password with a blank', template({ vrrp: 'authentication {\n auth_type PASS\n auth_pass "a b!"\n }' })],
    ['an escaped ! in a password', template({ vrrp: 'authentication {\n auth_type PASS\n auth_pass ab\\!cd\n }' })],
    [
      'lower-case values keepalived does not know',
      template({ vrrp: 'state master' }).replace('lb_kind DR', 'lb_kind dr'),
    ],
    ['persistence_granularity alone', template({ vs: 'persistence_granularity 255.255.255.0' })],
  ])('%s', (_what, text) => {
    expectTakenWhole(importTexts({ 'a.conf': text }).objects);
  });
});
