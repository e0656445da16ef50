import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ObjectSet } from '../../../src/core/api/objects.js';
import { loadExample } from './example.js';
import { plan } from '../../../src/core/plan/plan.js';
import { director, node, objects, realServer, secret, virtualService } from './builders.js';

const root = new URL('../../../', import.meta.url).pathname;

function planJson(set: ObjectSet, previous = new Map<string, number>()): string {
  const result = plan(set, previous);
  return (
    JSON.stringify(
      {
        nodes: Object.fromEntries(result.nodes),
        allocations: Object.fromEntries(result.allocations),
        problems: result.problems,
      },
      null,
      2,
    ) + '\n'
  );
}

describe('planning the seed topology (examples/seed-dr)', () => {
  const seed = loadExample('examples/seed-dr');

  it('matches the reviewed golden plan for every node', async () => {
    await expect(planJson(seed)).toMatchFileSnapshot(join(root, 'test/golden/plan/seed-dr.json'));
  });

  it('gives both directors the same IPVS service and lvs01 priority 100 as MASTER, lvs02 90 as BACKUP', () => {
    const { nodes, problems } = plan(seed);
    expect(problems).toEqual([]);
    const lvs01 = nodes.get('lvs01')!;
    const lvs02 = nodes.get('lvs02')!;
    expect(lvs01.ipvs).toEqual(lvs02.ipvs);
    expect(lvs01.vrrp!.instances![0]).toMatchObject({
      virtualRouterID: 10,
      priority: 100,
      initialState: 'MASTER',
      interface: 'ens192',
      authPassword: '1111',
      advertInterval: 1,
      version: 2,
    });
    expect(lvs02.vrrp!.instances![0]).toMatchObject({ virtualRouterID: 10, priority: 90, initialState: 'BACKUP' });
  });

  it('puts the VIP on lo /32 with the ARP sysctls on the real servers, and nothing of the directors', () => {
    const nginx01 = plan(seed).nodes.get('nginx01')!;
    expect(nginx01.addresses).toEqual([{ interface: 'lo', address: '172.16.40.160/32' }]);
    expect(Object.fromEntries(nginx01.sysctls!.map((s) => [s.name, s.value]))).toEqual({
      'net.ipv4.conf.all.arp_announce': '2',
      'net.ipv4.conf.all.arp_ignore': '1',
      'net.ipv4.conf.default.arp_announce': '2',
      'net.ipv4.conf.default.arp_ignore': '1',
      'net.ipv4.conf.lo.arp_announce': '2',
      'net.ipv4.conf.lo.arp_ignore': '1',
    });
    expect(nginx01.ipvs).toBeUndefined();
    expect(nginx01.vrrp).toBeUndefined();
  });

  it('is deterministic: shuffled inputs give byte-identical output', () => {
    const reversed: ObjectSet = {
      virtualServices: [...seed.virtualServices].reverse(),
      realServers: [...seed.realServers].reverse(),
      nodes: [...seed.nodes].reverse(),
      secrets: [...seed.secrets].reverse(),
    };
    expect(planJson(reversed)).toBe(planJson(seed));
  });
});

describe('VRRP virtual router ids', () => {
  const directors = [director('d1', '192.0.2.1'), director('d2', '192.0.2.2')];

  it('allocates the lowest free id when none is given', () => {
    const set = objects({
      nodes: directors,
      virtualServices: [
        virtualService('a', { address: '192.0.2.100', port: 80, vrrp: { virtualRouterID: 1 } }),
        virtualService('b', { address: '192.0.2.101', port: 80 }),
      ],
    });
    expect(plan(set).allocations.get('default/b')).toBe(2);
  });

  it('never moves an allocation when a new VirtualService sorts before it', () => {
    const b = virtualService('b', { address: '192.0.2.101', port: 80 });
    const first = plan(objects({ nodes: directors, virtualServices: [b] }));
    expect(first.allocations.get('default/b')).toBe(1);
    const a = virtualService('a', { address: '192.0.2.100', port: 80 });
    const second = plan(objects({ nodes: directors, virtualServices: [a, b] }), first.allocations);
    expect(second.allocations.get('default/b')).toBe(1);
    expect(second.allocations.get('default/a')).toBe(2);
  });

  it('shares one instance and one id between VirtualServices on the same VIP', () => {
    const set = objects({
      nodes: directors,
      virtualServices: [
        virtualService('http', { address: '192.0.2.100', port: 80 }),
        virtualService('https', { address: '192.0.2.100', port: 443 }),
      ],
    });
    const d1 = plan(set).nodes.get('d1')!;
    expect(d1.vrrp!.instances).toHaveLength(1);
    expect(d1.vrrp!.instances![0]!.owners).toEqual(['default/http', 'default/https']);
    expect(d1.ipvs!.services!.map((s) => s.port)).toEqual([80, 443]);
  });

  it('reuses an id on another L2 segment but not on the same one', () => {
    const segA = [director('a1', '192.0.2.1', { 'lvs-operator.io/l2-segment': 'a', pool: 'a' })];
    const segB = [director('b1', '198.51.100.1', { 'lvs-operator.io/l2-segment': 'b', pool: 'b' })];
    const onA = (name: string, vip: string) =>
      virtualService(name, { address: vip, port: 80, directors: { nodeSelector: { pool: 'a' } } });
    const onB = virtualService('onb', {
      address: '198.51.100.100',
      port: 80,
      directors: { nodeSelector: { pool: 'b' } },
    });
    const result = plan(
      objects({
        nodes: [...segA, ...segB],
        virtualServices: [onA('ona1', '192.0.2.100'), onA('ona2', '192.0.2.101'), onB],
      }),
    );
    expect(result.allocations.get('default/ona1')).toBe(1);
    expect(result.allocations.get('default/ona2')).toBe(2);
    expect(result.allocations.get('default/onb')).toBe(1);
  });

  it('reports a given id that collides with one in use, names the field and value, and plans the others', () => {
    const set = objects({
      nodes: directors,
      virtualServices: [
        virtualService('a', { address: '192.0.2.100', port: 80, vrrp: { virtualRouterID: 7 } }),
        virtualService('b', { address: '192.0.2.101', port: 80, vrrp: { virtualRouterID: 7 } }),
      ],
    });
    const result = plan(set);
    expect(result.problems).toEqual([
      expect.objectContaining({ object: 'VirtualService default/b', field: 'spec.vrrp.virtualRouterID', value: 7 }),
    ]);
    expect(result.nodes.get('d1')!.ipvs!.services!.map((s) => s.owner)).toEqual(['default/a']);
  });
});

describe('priorities and initial state', () => {
  const three = [director('c', '192.0.2.3'), director('a', '192.0.2.1'), director('b', '192.0.2.2')];

  it('gives priorities by name order 100, 90, 80 and starts the first as MASTER', () => {
    const nodes = plan(
      objects({ nodes: three, virtualServices: [virtualService('v', { address: '192.0.2.100', port: 80 })] }),
    ).nodes;
    expect(
      ['a', 'b', 'c'].map((n) => [
        nodes.get(n)!.vrrp!.instances![0]!.priority,
        nodes.get(n)!.vrrp!.instances![0]!.initialState,
      ]),
    ).toEqual([
      [100, 'MASTER'],
      [90, 'BACKUP'],
      [80, 'BACKUP'],
    ]);
  });

  it('lets an explicit priority make another node MASTER', () => {
    const vs = virtualService('v', {
      address: '192.0.2.100',
      port: 80,
      vrrp: { priorities: [{ node: 'c', priority: 200 }] },
    });
    const nodes = plan(objects({ nodes: three, virtualServices: [vs] })).nodes;
    expect(nodes.get('c')!.vrrp!.instances![0]).toMatchObject({ priority: 200, initialState: 'MASTER' });
    expect(nodes.get('a')!.vrrp!.instances![0]).toMatchObject({ priority: 100, initialState: 'BACKUP' });
  });

  it('starts every director as BACKUP without preemption, as keepalived nopreempt needs', () => {
    const vs = virtualService('v', { address: '192.0.2.100', port: 80, vrrp: { preempt: false } });
    const nodes = plan(objects({ nodes: three, virtualServices: [vs] })).nodes;
    expect([...nodes.values()].map((n) => n.vrrp!.instances![0]!.initialState)).toEqual(['BACKUP', 'BACKUP', 'BACKUP']);
  });

  it('starts every director as BACKUP with a preempt delay, which keepalived ignores for a MASTER', () => {
    const vs = virtualService('v', { address: '192.0.2.100', port: 80, vrrp: { preemptDelay: 30 } });
    const nodes = plan(objects({ nodes: three, virtualServices: [vs] })).nodes;
    expect([...nodes.values()].map((n) => n.vrrp!.instances![0]!.initialState)).toEqual(['BACKUP', 'BACKUP', 'BACKUP']);
  });

  it('sends unicast adverts to the other directors only', () => {
    const vs = virtualService('v', { address: '192.0.2.100', port: 80, vrrp: { unicast: true } });
    const a = plan(objects({ nodes: three, virtualServices: [vs] })).nodes.get('a')!.vrrp!.instances![0]!;
    expect(a.sourceAddress).toBe('192.0.2.1');
    expect(a.unicastPeers).toEqual(['192.0.2.2', '192.0.2.3']);
  });
});

describe('forwarding methods', () => {
  const nodes = [director('d1', '192.0.2.1'), node('rs1', '192.0.2.11')];

  it('NAT: directors forward (ip_forward 1) and the real server node gets nothing', () => {
    const vs = virtualService('v', { address: '203.0.113.10', port: 80, forwarding: 'NAT' });
    const result = plan(
      objects({ nodes, virtualServices: [vs], realServers: [realServer('r', 'v', { nodeName: 'rs1', port: 8080 })] }),
    );
    const d1 = result.nodes.get('d1')!;
    expect(d1.sysctls).toContainEqual({ name: 'net.ipv4.ip_forward', value: '1' });
    expect(d1.sysctls!.some((s) => s.name.endsWith('send_redirects'))).toBe(false);
    expect(d1.ipvs!.services![0]!.destinations[0]).toMatchObject({
      address: '192.0.2.11',
      port: 8080,
      forwarding: 'NAT',
    });
    expect(result.nodes.has('rs1')).toBe(false);
  });

  it('TUN: the real server node brings up tunl0 with the VIP and turns rp_filter off', () => {
    const vs = virtualService('v', { address: '203.0.113.10', port: 80, forwarding: 'TUN' });
    const rs1 = plan(
      objects({ nodes, virtualServices: [vs], realServers: [realServer('r', 'v', { nodeName: 'rs1' })] }),
    ).nodes.get('rs1')!;
    expect(rs1.tunnels).toEqual([{ name: 'tunl0', mode: 'ipip' }]);
    expect(rs1.addresses).toEqual([{ interface: 'tunl0', address: '203.0.113.10/32' }]);
    expect(rs1.sysctls).toContainEqual({ name: 'net.ipv4.conf.tunl0.rp_filter', value: '0' });
    expect(rs1.sysctls).toContainEqual({ name: 'net.ipv4.conf.all.rp_filter', value: '0' });
  });

  it('DR with an IPv6 VIP: the VIP goes on lo as /128 and no IPv4 ARP sysctls are set', () => {
    const v6 = [director('d1', '2001:db8::1'), node('rs1', '2001:db8::11')];
    const vs = virtualService('v', { address: '2001:DB8::100', port: 80 });
    const result = plan(
      objects({ nodes: v6, virtualServices: [vs], realServers: [realServer('r', 'v', { nodeName: 'rs1' })] }),
    );
    expect(result.nodes.get('rs1')!.addresses).toEqual([{ interface: 'lo', address: '2001:db8::100/128' }]);
    expect(result.nodes.get('rs1')!.sysctls).toBeUndefined();
    expect(result.nodes.get('d1')!.vrrp!.instances![0]!.virtualAddresses).toEqual(['2001:db8::100']);
  });

  it('does not prepare a real server whose prepareNode is false, nor an address that is no Node', () => {
    const vs = virtualService('v', { address: '203.0.113.10', port: 80 });
    const rss = [
      realServer('r1', 'v', { nodeName: 'rs1', prepareNode: false }),
      realServer('r2', 'v', { address: '192.0.2.99' }),
    ];
    const result = plan(objects({ nodes, virtualServices: [vs], realServers: rss }));
    expect(result.nodes.has('rs1')).toBe(false);
    expect(result.nodes.get('d1')!.ipvs!.services![0]!.destinations.map((d) => d.address)).toEqual([
      '192.0.2.11',
      '192.0.2.99',
    ]);
  });

  it('prepares a real server found by its address among the Nodes', () => {
    const vs = virtualService('v', { address: '203.0.113.10', port: 80 });
    const result = plan(
      objects({ nodes, virtualServices: [vs], realServers: [realServer('r', 'v', { address: '192.0.2.11' })] }),
    );
    expect(result.nodes.get('rs1')!.addresses).toEqual([{ interface: 'lo', address: '203.0.113.10/32' }]);
  });
});

describe('destinations and health checks', () => {
  const nodes = [director('d1', '192.0.2.1')];

  it('keeps weight 0 (drain) and merges the RealServer health-check override over the defaults', () => {
    const vs = virtualService('v', {
      address: '192.0.2.100',
      port: 80,
      healthCheck: {
        type: 'HTTP',
        path: '/healthz',
        expectedStatus: 204,
        interval: 5,
        timeout: 2,
        retries: 3,
        retryDelay: 1,
        onFailure: 'Inhibit',
      },
    });
    const rs = realServer('r', 'v', { address: '192.0.2.11', weight: 0, healthCheck: { port: 8081, retries: 5 } });
    const dest = plan(objects({ nodes, virtualServices: [vs], realServers: [rs] })).nodes.get('d1')!.ipvs!.services![0]!
      .destinations[0]!;
    expect(dest.weight).toBe(0);
    expect(dest.healthCheck).toEqual({
      type: 'HTTP',
      port: 8081,
      path: '/healthz',
      expectedStatus: 204,
      interval: 5,
      timeout: 2,
      retries: 5,
      retryDelay: 1,
      onFailure: 'Inhibit',
    });
  });

  it('checks the destination port when the check names none', () => {
    const vs = virtualService('v', { address: '192.0.2.100', port: 80, forwarding: 'NAT' });
    const rs = realServer('r', 'v', { address: '192.0.2.11', port: 8080 });
    const dest = plan(objects({ nodes, virtualServices: [vs], realServers: [rs] })).nodes.get('d1')!.ipvs!.services![0]!
      .destinations[0]!;
    expect(dest.healthCheck).toEqual({
      type: 'TCP',
      port: 8080,
      interval: 2,
      timeout: 1,
      retries: 1,
      retryDelay: 1,
      onFailure: 'Inhibit',
    });
  });

  it('reports a RealServer whose Node does not exist and still plans the rest', () => {
    const vs = virtualService('v', { address: '192.0.2.100', port: 80 });
    const result = plan(
      objects({
        nodes,
        virtualServices: [vs],
        realServers: [realServer('gone', 'v', { nodeName: 'nope' }), realServer('ok', 'v', { address: '192.0.2.12' })],
      }),
    );
    expect(result.problems).toEqual([
      expect.objectContaining({ object: 'RealServer default/gone', field: 'spec.nodeName', value: 'nope' }),
    ]);
    expect(result.nodes.get('d1')!.ipvs!.services![0]!.destinations.map((d) => d.owner)).toEqual(['default/ok']);
  });
});

describe('VRRP authentication and connection sync', () => {
  const nodes = [director('d1', '192.0.2.1'), director('d2', '192.0.2.2')];

  it('reads the password from the Secret (base64 data too) and truncates it to 8 characters', () => {
    const vs = virtualService('v', {
      address: '192.0.2.100',
      port: 80,
      vrrp: { version: 2, advertInterval: 1, authSecretRef: { name: 's', key: 'pw' } },
    });
    const s = {
      ...secret('s', {}),
      stringData: undefined,
      data: { pw: Buffer.from('longpassword').toString('base64') },
    };
    const instance = plan(objects({ nodes, virtualServices: [vs], secrets: [s] })).nodes.get('d1')!.vrrp!
      .instances![0]!;
    expect(instance.authPassword).toBe('longpass');
  });

  it('refuses a password that would break keepalived.conf, naming the Secret, and plans other VIPs', () => {
    const bad = virtualService('bad', {
      address: '192.0.2.100',
      port: 80,
      vrrp: { version: 2, advertInterval: 1, authSecretRef: { name: 's', key: 'password' } },
    });
    const good = virtualService('good', { address: '192.0.2.101', port: 80 });
    const result = plan(objects({ nodes, virtualServices: [bad, good], secrets: [secret('s', { password: 'a}\n' })] }));
    expect(result.problems).toEqual([
      expect.objectContaining({ object: 'VirtualService default/bad', field: expect.stringContaining('Secret s') }),
    ]);
    expect(result.nodes.get('d1')!.vrrp!.instances!.map((i) => i.owners)).toEqual([['default/good']]);
  });

  it('reports a missing Secret', () => {
    const vs = virtualService('v', {
      address: '192.0.2.100',
      port: 80,
      vrrp: { version: 2, advertInterval: 1, authSecretRef: { name: 'missing' } },
    });
    expect(plan(objects({ nodes, virtualServices: [vs] })).problems).toEqual([
      expect.objectContaining({ field: 'spec.vrrp.authSecretRef', value: { name: 'missing' } }),
    ]);
  });

  it('runs the sync daemon with the lowest VRID that wants it, and not at all when every service opts out', () => {
    const a = virtualService('a', {
      address: '192.0.2.100',
      port: 80,
      vrrp: { virtualRouterID: 20 },
      directors: { interface: 'eth1' },
    });
    const b = virtualService('b', {
      address: '192.0.2.101',
      port: 80,
      vrrp: { virtualRouterID: 5 },
      connectionSync: { enabled: false },
    });
    expect(plan(objects({ nodes, virtualServices: [a, b] })).nodes.get('d1')!.connectionSync).toEqual({
      syncID: 20,
      interface: 'eth1',
    });
    expect(plan(objects({ nodes, virtualServices: [b] })).nodes.get('d1')!.connectionSync).toBeUndefined();
  });
});

describe("the planner's own fallbacks", () => {
  it('equal the CRD defaults, so objects that skipped the API server plan the same', async () => {
    const { validateObjects } = await import('../../../src/core/api/validate/index.js');
    const bare = virtualService('v', { address: '192.0.2.100', port: 80 });
    delete bare.spec.healthCheck;
    delete bare.spec.vrrp;
    delete bare.spec.connectionSync;
    const nodes = [director('d1', '192.0.2.1')];
    const rs = realServer('r', 'v', { address: '192.0.2.11' });
    const defaulted = validateObjects([structuredClone(bare), structuredClone(rs), ...nodes]).valid;
    expect(plan(objects({ nodes, virtualServices: [bare], realServers: [rs] })).nodes).toEqual(plan(defaulted).nodes);
  });
});
