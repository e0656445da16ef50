import { describe, expect, it } from 'vitest';
import type {
  DestinationHealth,
  LVSNode,
  LVSNodeStatus,
  ManifestObject,
  VirtualService,
} from '../../../src/core/api/objects.js';
import { desiredState, type Desired } from '../../../src/cluster/desired.js';
import { nodeViews, realServerStatus, virtualServiceStatus } from '../../../src/cluster/status.js';
import type { World } from '../../../src/cluster/world.js';
import { lvsNode, reversedKeys, seedWorld, SERVICE, VS_REF } from './world.js';

const T1 = '2025-03-01T12:00:00Z';
const T2 = '2025-03-01T12:05:00Z';
const T3 = '2025-03-01T12:10:00Z';
const ADDRESS = { 'default/nginx01': '172.16.40.151', 'default/nginx02': '172.16.40.152' } as const;
type Owner = keyof typeof ADDRESS;

type VrrpState = NonNullable<LVSNodeStatus['vrrp']>[number]['state'];
const health = (owner: Owner, healthy: boolean, message?: string): DestinationHealth => ({
  service: SERVICE,
  owner,
  address: ADDRESS[owner],
  port: 80,
  healthy,
  weight: healthy ? 1 : 0,
  ...(message ? { message } : {}),
});
const allHealthy = [health('default/nginx01', true), health('default/nginx02', true)];

/** The instance of default/web in a director's plan, by the name keepalived reports it under. */
function instanceName(desired: Desired, node: string): string {
  return desired.specs.get(node)!.vrrp!.instances!.find((i) => i.owners.includes(VS_REF))!.name;
}

interface Scene {
  world: World;
  desired: Desired;
  vs: VirtualService;
  /** LVSNodes holding the desired specs, applied, with the directors' VRRP states and health. */
  lvsNodes: (
    directors: Record<string, { state?: VrrpState; since?: string; destinations?: DestinationHealth[] }>,
  ) => LVSNode[];
}

function scene(world: World = seedWorld(), lastGood = new Map<string, ManifestObject>()): Scene {
  const desired = desiredState(world, lastGood);
  return {
    world,
    desired,
    vs: world.virtualServices[0]!,
    lvsNodes: (directors) =>
      [...desired.specs].map(([name, spec]) => {
        const d = directors[name];
        const status: LVSNodeStatus = { appliedGeneration: 2 };
        if (d?.state) status.vrrp = [{ name: instanceName(desired, name), state: d.state, since: d.since }];
        if (d?.destinations) status.destinations = d.destinations;
        return lvsNode(name, spec, 2, status);
      }),
  };
}

function vsStatus(s: Scene, lvsNodes: LVSNode[], now = T1, vs = s.vs) {
  return virtualServiceStatus(vs, s.desired, nodeViews(s.desired, lvsNodes), now);
}
const conditionsOf = (status: { conditions?: { type: string; status: string; reason: string }[] }) =>
  Object.fromEntries((status.conditions ?? []).map((c) => [c.type, `${c.status} ${c.reason}`]));
const conditionOf = (status: { conditions?: { type: string; message: string }[] }, type: string) =>
  status.conditions?.find((c) => c.type === type);

const healthyPair = {
  lvs01: { state: 'MASTER' as const, destinations: allHealthy },
  lvs02: { state: 'BACKUP' as const, destinations: allHealthy },
};

describe('VirtualService status', () => {
  it('is Programmed and Ready when every node applied its spec, a director is MASTER and real servers are healthy', () => {
    const s = scene();
    const status = vsStatus(s, s.lvsNodes(healthyPair));
    expect(status).toMatchObject({
      observedGeneration: 1,
      virtualRouterID: 10,
      master: 'lvs01',
      readyRealServers: '2/2',
      directors: [
        { node: 'lvs01', programmed: true, vrrpState: 'MASTER' },
        { node: 'lvs02', programmed: true, vrrpState: 'BACKUP' },
      ],
    });
    expect(conditionsOf(status)).toEqual({
      Ready: 'True Ready',
      Programmed: 'True Programmed',
      Degraded: 'False AsExpected',
    });
    expect(conditionOf(status, 'Ready')?.message).toBe('lvs01 holds 172.16.40.160; 2/2 real servers healthy');
    expect(conditionOf(status, 'Programmed')?.message).toBe('programmed on lvs01, lvs02, nginx01, nginx02');
    for (const c of status.conditions ?? []) expect(c).toMatchObject({ observedGeneration: 1, lastTransitionTime: T1 });
  });

  it('compares specs by content, not by the order of their keys', () => {
    const s = scene();
    const nodes = s.lvsNodes(healthyPair).map((n) => ({ ...n, spec: reversedKeys(n.spec) }));
    expect(JSON.stringify(nodes[0]!.spec)).not.toBe(JSON.stringify(s.desired.specs.get(nodes[0]!.metadata.name!)));
    expect(conditionsOf(vsStatus(s, nodes)).Programmed).toBe('True Programmed');
  });

  describe('is not Programmed', () => {
    it('while a real server node has not applied its generation, naming it', () => {
      const s = scene();
      const nodes = s
        .lvsNodes(healthyPair)
        .map((n) => (n.metadata.name === 'nginx02' ? { ...n, status: { appliedGeneration: 1 } } : n));
      const status = vsStatus(s, nodes);
      expect(conditionsOf(status)).toMatchObject({ Programmed: 'False Pending', Ready: 'False NotProgrammed' });
      expect(conditionOf(status, 'Programmed')?.message).toBe('nginx02: not yet applied');
      // every director is programmed; the VS status says which are
      expect(status.directors?.map((d) => d.programmed)).toEqual([true, true]);
    });

    it('while a node holds an older spec than the desired one', () => {
      const s = scene();
      const nodes = s.lvsNodes(healthyPair).map((n) => (n.metadata.name === 'lvs02' ? { ...n, spec: {} } : n));
      const status = vsStatus(s, nodes);
      expect(conditionsOf(status).Programmed).toBe('False Pending');
      expect(status.directors).toEqual([
        { node: 'lvs01', programmed: true, vrrpState: 'MASTER' },
        { node: 'lvs02', programmed: false, vrrpState: 'BACKUP' },
      ]);
      expect(conditionOf(status, 'Degraded')?.message).toContain('not programmed: lvs02: not yet applied');
    });

    it("while an agent reports an apply error, with the agent's message", () => {
      const s = scene();
      const nodes = s
        .lvsNodes(healthyPair)
        .map((n) =>
          n.metadata.name === 'lvs01'
            ? { ...n, status: { ...n.status, lastError: 'ipvsadm-restore: Memory allocation problem' } }
            : n,
        );
      const status = vsStatus(s, nodes);
      expect(conditionsOf(status)).toMatchObject({ Programmed: 'False Pending', Degraded: 'True Degraded' });
      expect(conditionOf(status, 'Programmed')?.message).toBe('lvs01: ipvsadm-restore: Memory allocation problem');
    });

    it('while a node has no LVSNode yet', () => {
      const s = scene();
      const nodes = s.lvsNodes(healthyPair).filter((n) => n.metadata.name !== 'nginx01');
      expect(conditionOf(vsStatus(s, nodes), 'Programmed')?.message).toBe('nginx01: no LVSNode yet');
    });

    it('when no Node matches spec.directors', () => {
      const world = seedWorld();
      world.nodes = world.nodes.map((n) => ({ ...n, metadata: { ...n.metadata, labels: {} } }));
      const s = scene(world);
      const status = vsStatus(s, s.lvsNodes({}));
      expect(conditionsOf(status)).toMatchObject({ Programmed: 'False NoDirectors', Ready: 'False NoDirectors' });
      expect(status.readyRealServers).toBeUndefined();
    });
  });

  describe('Ready and the master', () => {
    it('is not Ready without a MASTER', () => {
      const s = scene();
      const status = vsStatus(
        s,
        s.lvsNodes({ lvs01: { state: 'BACKUP', destinations: allHealthy }, lvs02: { state: 'BACKUP' } }),
      );
      expect(status.master).toBeUndefined();
      expect(conditionsOf(status).Ready).toBe('False NoMaster');
    });

    it("counts only the VirtualService's own instance: MASTER of another instance is not master of this one", () => {
      const s = scene();
      const nodes = s
        .lvsNodes(healthyPair)
        .map((n) =>
          n.metadata.name === 'lvs01'
            ? { ...n, status: { ...n.status, vrrp: [{ name: 'VI_99', state: 'MASTER' as const }] } }
            : n,
        );
      const status = vsStatus(s, nodes);
      expect(status.master).toBeUndefined();
      expect(status.directors?.[0]?.vrrpState).toBe('UNKNOWN');
    });

    it('is the director whose instance is MASTER, and readyRealServers counts the healthy ones it sees', () => {
      const s = scene();
      const status = vsStatus(
        s,
        s.lvsNodes({
          lvs01: { state: 'BACKUP', destinations: allHealthy },
          lvs02: {
            state: 'MASTER',
            destinations: [health('default/nginx01', true), health('default/nginx02', false, 'connection refused')],
          },
        }),
      );
      expect(status.master).toBe('lvs02');
      expect(status.readyRealServers).toBe('1/2');
      expect(conditionsOf(status)).toMatchObject({ Ready: 'True Ready', Degraded: 'True Degraded' });
      expect(conditionOf(status, 'Degraded')?.message).toBe('1/2 real servers unhealthy');
    });

    it('is not Ready when no real server is healthy on the master', () => {
      const s = scene();
      const status = vsStatus(
        s,
        s.lvsNodes({
          lvs01: {
            state: 'MASTER',
            destinations: [health('default/nginx01', false), health('default/nginx02', false)],
          },
          lvs02: { state: 'BACKUP', destinations: allHealthy },
        }),
      );
      expect(status.readyRealServers).toBe('0/2');
      expect(conditionsOf(status).Ready).toBe('False NoHealthyRealServers');
      expect(conditionOf(status, 'Ready')?.message).toBe('no healthy real server on lvs01');
    });

    it('counts a real server not checked yet as not healthy', () => {
      const s = scene();
      const status = vsStatus(s, s.lvsNodes({ lvs01: { state: 'MASTER' }, lvs02: { state: 'BACKUP' } }));
      expect(status.readyRealServers).toBe('0/2');
      expect(conditionsOf(status).Ready).toBe('False NoHealthyRealServers');
    });
  });

  describe('Degraded', () => {
    it('when two directors report MASTER, naming the latest transition as master (the other report is mostly stale)', () => {
      const s = scene();
      const status = vsStatus(
        s,
        s.lvsNodes({
          // lvs01 crashed as MASTER (its agent cannot report any more); lvs02 took over later
          lvs01: { state: 'MASTER', since: '2026-11-25T10:00:00.000Z', destinations: allHealthy },
          lvs02: { state: 'MASTER', since: '2026-11-25T10:05:00.000Z', destinations: allHealthy },
        }),
      );
      expect(status.master).toBe('lvs02');
      expect(conditionsOf(status).Degraded).toBe('True Degraded');
      expect(conditionOf(status, 'Degraded')?.message).toBe(
        'more than one director reports MASTER (the latest is taken): lvs02, lvs01',
      );
    });

    it('on a VRRP FAULT', () => {
      const s = scene();
      const status = vsStatus(
        s,
        s.lvsNodes({ lvs01: { state: 'MASTER', destinations: allHealthy }, lvs02: { state: 'FAULT' } }),
      );
      expect(conditionsOf(status)).toMatchObject({ Ready: 'True Ready', Degraded: 'True Degraded' });
      expect(conditionOf(status, 'Degraded')?.message).toBe('VRRP FAULT on lvs02');
    });
  });

  describe('lastTransitionTime', () => {
    it('is kept while a condition keeps its status, and moves when it changes', () => {
      const s = scene();
      const first = vsStatus(s, s.lvsNodes(healthyPair), T1);
      const vs = { ...s.vs, status: first };
      // same state later: nothing moves
      const same = vsStatus(s, s.lvsNodes(healthyPair), T2, vs);
      expect(same).toEqual(first);
      // the VIP moves: still Ready, only the message changes
      const moved = vsStatus(
        s,
        s.lvsNodes({ lvs01: { state: 'BACKUP' }, lvs02: { state: 'MASTER', destinations: allHealthy } }),
        T2,
        vs,
      );
      expect(conditionOf(moved, 'Ready')).toMatchObject({ status: 'True', lastTransitionTime: T1 });
      expect(conditionOf(moved, 'Ready')?.message).toContain('lvs02 holds');
      // nobody holds it: Ready turns False now, Programmed stays as it was
      const lost = vsStatus(s, s.lvsNodes({}), T3, { ...s.vs, status: moved });
      expect(conditionOf(lost, 'Ready')).toMatchObject({ status: 'False', lastTransitionTime: T3 });
      expect(conditionOf(lost, 'Programmed')).toMatchObject({ status: 'True', lastTransitionTime: T1 });
    });
  });

  describe('an invalid VirtualService', () => {
    const invalidWorld = () => {
      const world = seedWorld();
      const vs = structuredClone(world.virtualServices[0]!);
      vs.metadata.generation = 2;
      vs.spec.persistence = { timeout: 5, netmask: '255.0.255.0' };
      return { ...world, virtualServices: [vs] };
    };

    it('without a last valid version is neither Ready nor Programmed, with the field and value', () => {
      const s = scene(invalidWorld());
      const status = vsStatus(s, []);
      expect(conditionsOf(status)).toEqual({
        Ready: 'False InvalidSpec',
        Programmed: 'False InvalidSpec',
        Degraded: 'True InvalidSpec',
      });
      expect(conditionOf(status, 'Ready')?.message).toMatch(/^spec\.persistence\.netmask: .*\(got "255\.0\.255\.0"\)$/);
      expect(status.observedGeneration).toBe(2);
    });

    it('with a last valid version stays Ready on it and says so in Degraded', () => {
      const good = desiredState(seedWorld(), new Map());
      const s = scene(invalidWorld(), good.lastGood);
      const status = vsStatus(s, s.lvsNodes(healthyPair));
      expect(conditionsOf(status)).toEqual({
        Ready: 'True Ready',
        Programmed: 'True Programmed',
        Degraded: 'True InvalidSpec',
      });
      expect(conditionOf(status, 'Degraded')?.message).toMatch(
        /^invalid, keeping its last valid version: spec\.persistence\.netmask: .*\(got "255\.0\.255\.0"\)$/,
      );
    });
  });
});

describe('RealServer status', () => {
  const rsStatus = (s: Scene, lvsNodes: LVSNode[], name = 'nginx01', now = T1) =>
    realServerStatus(
      s.world.realServers.find((r) => r.metadata.name === name)!,
      s.desired,
      nodeViews(s.desired, lvsNodes),
      now,
    );

  it('reports its health on every director, and is Ready when healthy on the master', () => {
    const s = scene();
    const status = rsStatus(
      s,
      s.lvsNodes({
        lvs01: { state: 'MASTER', destinations: allHealthy },
        lvs02: {
          state: 'BACKUP',
          destinations: [health('default/nginx01', false, 'connection refused'), health('default/nginx02', true)],
        },
      }),
    );
    expect(status).toMatchObject({
      observedGeneration: 1,
      address: '172.16.40.151',
      healthyDirectors: '1/2',
      directors: [
        { node: 'lvs01', healthy: true, weight: 1 },
        { node: 'lvs02', healthy: false, weight: 0, message: 'connection refused' },
      ],
    });
    expect(conditionsOf(status)).toEqual({ Ready: 'True Healthy', Degraded: 'True Unhealthy' });
    expect(conditionOf(status, 'Ready')?.message).toBe('healthy on lvs01, the master');
    expect(conditionOf(status, 'Degraded')?.message).toBe('unhealthy on lvs02');
  });

  it('is not Ready when unhealthy on the master, with the check message', () => {
    const s = scene();
    const status = rsStatus(
      s,
      s.lvsNodes({
        lvs01: { state: 'BACKUP', destinations: allHealthy },
        lvs02: { state: 'MASTER', destinations: [health('default/nginx01', false, 'connect timeout')] },
      }),
    );
    expect(conditionsOf(status).Ready).toBe('False Unhealthy');
    expect(conditionOf(status, 'Ready')?.message).toBe('unhealthy on lvs02, the master: connect timeout');
  });

  it('is not Ready before the master has checked it, nor without a master', () => {
    const s = scene();
    const unchecked = rsStatus(s, s.lvsNodes({ lvs01: { state: 'MASTER' }, lvs02: { state: 'BACKUP' } }));
    expect(conditionOf(unchecked, 'Ready')).toMatchObject({
      status: 'False',
      message: 'not checked yet on lvs01, the master',
    });
    expect(unchecked.directors).toEqual([{ node: 'lvs01' }, { node: 'lvs02' }]);
    expect(unchecked.healthyDirectors).toBe('0/2');
    const noMaster = rsStatus(s, s.lvsNodes({ lvs01: { state: 'BACKUP', destinations: allHealthy } }));
    expect(conditionsOf(noMaster).Ready).toBe('False NoMaster');
  });

  it('is InvalidSpec when refused and not planned', () => {
    const world = seedWorld();
    const rs = structuredClone(world.realServers[0]!);
    delete rs.spec.nodeName;
    rs.spec.address = '172.16.40.160';
    const s = scene({ ...world, realServers: [rs, world.realServers[1]!] });
    const status = rsStatus(s, s.lvsNodes(healthyPair));
    expect(conditionsOf(status)).toEqual({ Ready: 'False InvalidSpec', Degraded: 'True InvalidSpec' });
    expect(conditionOf(status, 'Ready')?.message).toMatch(/^spec\.address: .*\(got "172\.16\.40\.160"\)$/);
    expect(status.directors).toEqual([]);
  });
});
