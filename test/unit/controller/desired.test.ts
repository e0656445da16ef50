import { describe, expect, it } from 'vitest';
import type { LVSNodeSpec, ManifestObject, RealServer, VirtualService } from '../../../src/core/api/objects.js';
import { desiredState, previousAllocations } from '../../../src/cluster/desired.js';
import type { World } from '../../../src/cluster/world.js';
import { plan } from '../../../src/core/plan/plan.js';
import { loadExample } from '../plan/example.js';
import { lvsNode, seedWorld, VS_REF } from './world.js';

const noLastGood = new Map<string, ManifestObject>();
const owners = (spec: LVSNodeSpec | undefined) => spec?.ipvs?.services?.map((s) => s.owner) ?? [];
const destinationOwners = (spec: LVSNodeSpec | undefined) =>
  spec?.ipvs?.services?.flatMap((s) => s.destinations.map((d) => d.owner)) ?? [];

function withRealServer(world: World, name: string, change: (rs: RealServer) => void): World {
  const realServers = world.realServers.map((rs) => {
    if (rs.metadata.name !== name) return rs;
    const copy = structuredClone(rs);
    change(copy);
    return copy;
  });
  return { ...world, realServers };
}

function withVirtualService(world: World, change: (vs: VirtualService) => void): World {
  const vs = structuredClone(world.virtualServices[0]!);
  change(vs);
  return { ...world, virtualServices: [vs] };
}

describe('desiredState', () => {
  it("gives every node of the seed the planner's spec, with no problem", () => {
    const desired = desiredState(seedWorld(), noLastGood);
    const planned = plan(loadExample('examples/seed-dr'));
    expect(desired.specs).toEqual(planned.nodes);
    expect([...desired.specs.keys()].sort()).toEqual(['lvs01', 'lvs02', 'nginx01', 'nginx02']);
    expect(desired.allocations).toEqual(new Map([[VS_REF, 10]]));
    expect(desired.problems).toEqual(new Map());
    expect(desired.retire).toEqual(new Map());
  });

  it('plans a VirtualService being deleted away, so that its finalizer cleanup happens on every node', () => {
    const before = desiredState(seedWorld(), noLastGood);
    const world = withVirtualService(seedWorld(), (vs) => {
      vs.metadata.deletionTimestamp = '2025-03-01T12:00:00Z';
    });
    world.lvsNodes = [...before.specs].map(([name, spec]) => lvsNode(name, spec, 1));
    const desired = desiredState(world, before.lastGood);
    for (const spec of desired.specs.values()) expect(owners(spec)).not.toContain(VS_REF);
    expect(desired.planned.virtualServices).toEqual([]);
    // the nodes that served it empty their LVSNodes first
    expect(desired.retire).toEqual(
      new Map([
        ['lvs01', 'empty'],
        ['lvs02', 'empty'],
        ['nginx01', 'empty'],
        ['nginx02', 'empty'],
      ]),
    );
  });

  describe('an invalid object', () => {
    // a real server that is the VIP itself: the API server accepts it (it is invalid only beside
    // the VirtualService), so the controller must refuse it
    const isTheVip = (rs: RealServer) => {
      delete rs.spec.nodeName;
      rs.spec.address = '172.16.40.160';
    };

    it('keeps its last valid version in the plan and is reported with the field and the value', () => {
      const good = desiredState(seedWorld(), noLastGood);
      const world = withRealServer(seedWorld(), 'nginx01', isTheVip);
      const desired = desiredState(world, good.lastGood);
      expect(desired.specs).toEqual(good.specs);
      const problems = desired.problems.get('RealServer default/nginx01');
      expect(problems?.keptLastGood).toBe(true);
      expect(problems?.errors).toHaveLength(1);
      expect(problems?.errors[0]).toMatch(/^spec\.address: .*virtual address.*\(got "172\.16\.40\.160"\)$/);
      // and the good version is handed on to the next pass
      expect(desired.lastGood.get('RealServer/default/nginx01')).toEqual(
        good.lastGood.get('RealServer/default/nginx01'),
      );
      expect(desiredState(world, desired.lastGood).specs).toEqual(good.specs);
    });

    it('without a last valid version is left out of the plan', () => {
      const world = withRealServer(seedWorld(), 'nginx01', isTheVip);
      const desired = desiredState(world, noLastGood);
      expect(desired.problems.get('RealServer default/nginx01')?.keptLastGood).toBe(false);
      expect(destinationOwners(desired.specs.get('lvs01'))).toEqual(['default/nginx02']);
      expect(desired.specs.has('nginx01')).toBe(false);
    });

    it('a VirtualService keeps its last valid version, and its RealServers theirs', () => {
      const good = desiredState(seedWorld(), noLastGood);
      const world = withVirtualService(seedWorld(), (vs) => {
        vs.spec.persistence = { timeout: 5, netmask: '255.0.255.0' };
      });
      const desired = desiredState(world, good.lastGood);
      expect(desired.specs).toEqual(good.specs);
      const problems = desired.problems.get('VirtualService default/web');
      expect(problems).toMatchObject({ keptLastGood: true, warnings: [] });
      expect(problems?.errors).toEqual([
        expect.stringMatching(/^spec\.persistence\.netmask: .*\(got "255\.0\.255\.0"\)$/),
      ]);
    });

    it("whose last valid version no longer fits beside today's objects is not reported as kept", () => {
      // the VirtualService goes: its RealServers' last valid versions name it, so they cannot be kept
      const good = desiredState(seedWorld(), noLastGood);
      const world = withVirtualService(seedWorld(), (vs) => {
        vs.metadata.deletionTimestamp = '2025-03-01T12:00:00Z';
      });
      const desired = desiredState(world, good.lastGood);
      expect(desired.planned.realServers).toEqual([]);
      const problems = desired.problems.get('RealServer default/nginx01');
      expect(problems?.errors).toEqual([expect.stringMatching(/^spec\.virtualServiceName: no VirtualService web/)]);
      expect(problems?.keptLastGood).toBe(false);
    });

    it('that is fixed is planned as it is now and no longer reported', () => {
      const good = desiredState(seedWorld(), noLastGood);
      const invalid = desiredState(withRealServer(seedWorld(), 'nginx01', isTheVip), good.lastGood);
      const fixed = withRealServer(seedWorld(), 'nginx01', (rs) => (rs.spec.weight = 5));
      const desired = desiredState(fixed, invalid.lastGood);
      expect(desired.problems).toEqual(new Map());
      const weights = desired.specs.get('lvs01')?.ipvs?.services?.[0]?.destinations.map((d) => [d.owner, d.weight]);
      expect(weights).toEqual([
        ['default/nginx01', 5],
        ['default/nginx02', 1],
      ]);
    });
  });

  describe('an LVSNode whose node takes part no more', () => {
    // nginx02 leaves when its RealServer goes
    function withoutNginx02(lvsNodeOfNginx02: ReturnType<typeof lvsNode>): World {
      const world = seedWorld();
      return {
        ...world,
        realServers: world.realServers.filter((rs) => rs.metadata.name !== 'nginx02'),
        lvsNodes: [lvsNodeOfNginx02],
      };
    }
    const planned = desiredState(seedWorld(), noLastGood).specs.get('nginx02')!;

    it('is emptied first', () => {
      const desired = desiredState(withoutNginx02(lvsNode('nginx02', planned, 3)), noLastGood);
      expect(desired.specs.has('nginx02')).toBe(false);
      expect(desired.retire).toEqual(new Map([['nginx02', 'empty']]));
    });

    it('is emptied while its agent has not applied the empty spec', () => {
      const pending = lvsNode('nginx02', {}, 4, { appliedGeneration: 3 });
      expect(desiredState(withoutNginx02(pending), noLastGood).retire.get('nginx02')).toBe('empty');
    });

    it('is deleted at once when no agent ever reported on it (nothing was programmed)', () => {
      const unreported = lvsNode('nginx02', planned, 4, {});
      expect(desiredState(withoutNginx02(unreported), noLastGood).retire.get('nginx02')).toBe('delete');
    });

    it('is kept while its agent keeps items that left its plan (the VIP on lo while directors drain)', () => {
      const keeping = lvsNode('nginx02', {}, 4, { appliedGeneration: 4, retiring: ['address lo 172.16.40.160/32'] });
      expect(desiredState(withoutNginx02(keeping), noLastGood).retire.get('nginx02')).toBe('empty');
    });

    it('is deleted once its agent has applied the empty spec', () => {
      const applied = lvsNode('nginx02', {}, 4, { appliedGeneration: 4 });
      expect(desiredState(withoutNginx02(applied), noLastGood).retire.get('nginx02')).toBe('delete');
    });

    it('is not deleted when its applied generation is current but its spec is not empty', () => {
      const applied = lvsNode('nginx02', planned, 4, { appliedGeneration: 4 });
      expect(desiredState(withoutNginx02(applied), noLastGood).retire.get('nginx02')).toBe('empty');
    });

    it('is deleted at once when its Node is gone (no agent is left to empty it)', () => {
      const good = desiredState(seedWorld(), noLastGood);
      const world = seedWorld();
      const gone: World = {
        ...world,
        nodes: world.nodes.filter((n) => n.metadata.name !== 'nginx02'),
        lvsNodes: [lvsNode('nginx02', planned, 3), lvsNode('lvs01', good.specs.get('lvs01')!, 1)],
      };
      const desired = desiredState(gone, good.lastGood);
      expect(desired.retire).toEqual(new Map([['nginx02', 'delete']]));
      expect(destinationOwners(desired.specs.get('lvs01'))).toEqual(['default/nginx01']);
    });
  });

  describe('VRIDs', () => {
    const withoutVrid = (status?: VirtualService['status']) =>
      withVirtualService(seedWorld(), (vs) => {
        delete vs.spec.vrrp!.virtualRouterID;
        if (status) vs.status = status;
      });

    it('come back from the VirtualServices status: a VRID given once never moves', () => {
      const desired = desiredState(withoutVrid({ virtualRouterID: 42 }), noLastGood);
      expect(desired.allocations.get(VS_REF)).toBe(42);
      expect(desired.specs.get('lvs01')?.vrrp?.instances?.[0]?.virtualRouterID).toBe(42);
      expect(desired.specs.get('lvs02')?.vrrp?.instances?.[0]?.virtualRouterID).toBe(42);
    });

    it('are allocated when the status has none', () => {
      const first = desiredState(withoutVrid(), noLastGood).allocations.get(VS_REF);
      expect(first).toBeGreaterThanOrEqual(1);
      expect(first).toBeLessThanOrEqual(255);
    });

    it('previousAllocations reads every VirtualService that has one', () => {
      const world = seedWorld();
      const vs = world.virtualServices[0]!;
      const other = { ...vs, metadata: { ...vs.metadata, name: 'api' }, status: { virtualRouterID: 7 } };
      const none = { ...vs, metadata: { ...vs.metadata, name: 'new' } };
      expect(previousAllocations([other, none])).toEqual(new Map([['default/api', 7]]));
    });
  });
});
