import { describe, expect, it } from 'vitest';
import { desiredState } from '../../../src/cluster/desired.js';
import { nodesHolding } from '../../../src/cluster/finalizer.js';
import { lvsNode, seedWorld } from './world.js';

// The seed's plan: every node's LVSNode as the controller writes it while web exists.
const world = seedWorld();
const vs = world.virtualServices[0]!;
const withWeb = desiredState(world, new Map()).specs;

describe('nodesHolding: when a deleted VirtualService may let go', () => {
  it('holds while the LVSNodes still name it (services, VRRP instances, or the VIP on a real server)', () => {
    const nodes = [...withWeb].map(([name, spec]) => lvsNode(name, spec, 2));
    expect(nodesHolding(vs, nodes)).toEqual(['lvs01', 'lvs02', 'nginx01', 'nginx02']);
  });

  it('holds while an agent has not applied the spec without it', () => {
    const nodes = ['lvs01', 'nginx01'].map((name) => lvsNode(name, {}, 3, { appliedGeneration: 2 }));
    expect(nodesHolding(vs, nodes)).toEqual(['lvs01', 'nginx01']);
  });

  it('holds while an agent keeps items that left its plan, as the directors drain them', () => {
    const nodes = [
      lvsNode('lvs01', {}, 3, { appliedGeneration: 3, retiring: ['ipvs TCP/172.16.40.160:80 172.16.40.151:80'] }),
      lvsNode('nginx01', {}, 3, { appliedGeneration: 3, retiring: ['address lo 172.16.40.160/32'] }),
      lvsNode('nginx02', {}, 3, { appliedGeneration: 3, retiring: [] }),
    ];
    expect(nodesHolding(vs, nodes)).toEqual(['lvs01', 'nginx01']);
  });

  it('does not wait for a node whose agent never reported (nothing was programmed there)', () => {
    const nodes = [...withWeb].map(([name, spec]) => lvsNode(name, spec, 1, {}));
    expect(nodesHolding(vs, nodes)).toEqual([]);
  });

  it('lets go once every node applied a plan without it and keeps nothing', () => {
    const nodes = ['lvs01', 'lvs02', 'nginx01', 'nginx02'].map((name) => lvsNode(name, {}, 3));
    expect(nodesHolding(vs, nodes)).toEqual([]);
  });
});
