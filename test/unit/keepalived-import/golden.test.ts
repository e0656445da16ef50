// The imported YAML, byte for byte. The goldens were reviewed by eye against the configs; after
// an intended change run `UPDATE_GOLDEN=1 npx vitest run test/unit/keepalived-import` and review
// the diff again.
import { describe, expect, it } from 'vitest';
import { toYaml } from '../../../src/core/keepalived/import/index.js';
import { expectGolden, importFixtures } from './helpers.js';

const GOLDEN = 'test/golden/import';

describe('golden imports', () => {
  it("the seed's lvs01 alone: one director, explicit keepalived defaults", () => {
    const { objects, warnings } = importFixtures(['seed-lvs01.conf']);
    expectGolden(`${GOLDEN}/seed-lvs01.yaml`, toYaml(objects));
    expect(warnings).toEqual([
      "test/fixtures/keepalived/seed-lvs01.conf:1: only lvs-01's VRRP priority is known: other director Nodes get lvs-operator's defaults (100, 90, ... by name); import every director's config together to keep theirs",
    ]);
  });

  it("the seed's lvs01 and lvs02 together: one VirtualService, both priorities", () => {
    const { objects, warnings } = importFixtures(['seed-lvs01.conf', 'seed-lvs02.conf']);
    expectGolden(`${GOLDEN}/seed-lvs01-lvs02.yaml`, toYaml(objects));
    expect(warnings).toEqual([]);
  });

  it.each([['nat-sorry-quorum'], ['tun-http-ssl'], ['multi-instance'], ['persistence'], ['all-schedulers']])(
    '%s.conf',
    (name) => {
      expectGolden(`${GOLDEN}/${name}.yaml`, toYaml(importFixtures([`${name}.conf`]).objects));
    },
  );

  it('include/keepalived.conf with a glob include', () => {
    expectGolden(`${GOLDEN}/include.yaml`, toYaml(importFixtures(['include/keepalived.conf']).objects));
  });

  it('unicast-lvs01.conf + unicast-lvs02.conf', () => {
    expectGolden(
      `${GOLDEN}/unicast.yaml`,
      toYaml(importFixtures(['unicast-lvs01.conf', 'unicast-lvs02.conf']).objects),
    );
  });
});
