import { describe, expect, it } from 'vitest';
import type { KubeNode, VirtualService } from '../../../src/core/api/objects.js';
import { configError, importFixtures, importTexts, lineOf, template } from './helpers.js';

type Objects = ReturnType<typeof importTexts>['objects'];
const services = (objects: Objects) => objects.filter((o): o is VirtualService => o.kind === 'VirtualService');
const byName = <T extends { metadata: { name?: string } }>(list: T[], name: string): T =>
  list.find((o) => o.metadata.name === name)!;

describe('several directors', () => {
  const lvs = (id: string, state: string, priority: number, extra = '') =>
    template({ vrrp: `state ${state}\n priority ${priority}`, vs: extra }).replace('router_id T', `router_id ${id}`);

  it('collects priorities per node and warns when the MASTER is not the highest priority', () => {
    const a = lvs('A', 'MASTER', 90);
    const { objects, warnings } = importTexts({ 'a.conf': a, 'b.conf': lvs('B', 'BACKUP', 100) });
    expect(services(objects)[0]!.spec.vrrp!.priorities).toEqual([
      { node: 'b', priority: 100 },
      { node: 'a', priority: 90 },
    ]);
    expect(warnings).toEqual([
      `a.conf:${lineOf(a, 'vrrp_instance')}: a is state MASTER but b has a higher priority (100 > 90): lvs-operator starts b as master`,
    ]);
  });

  it('fails when directors disagree on a virtual_server, naming both files and the field', () => {
    const a = lvs('A', 'MASTER', 100);
    const error = configError(() =>
      importTexts({ 'a.conf': a, 'b.conf': lvs('B', 'BACKUP', 90).replace('lb_algo rr', 'lb_algo wrr') }),
    );
    const n = lineOf(a, 'virtual_server');
    expect(error.message).toBe(
      `b.conf:${n}: virtual_server 10.0.0.1 80 TCP differs between a.conf:${n} and b.conf:${n}: spec.scheduler is "rr" in a.conf and "wrr" in b.conf`,
    );
  });

  it('fails when directors disagree on a real server or on VRRP settings', () => {
    const rs = configError(() =>
      importTexts({
        'a.conf': lvs('A', 'MASTER', 100),
        'b.conf': lvs('B', 'BACKUP', 90).replace('real_server 10.0.0.2', 'real_server 10.0.0.3'),
      }),
    );
    expect(rs.message).toContain('real_server 10.0.0.2 80 is in a.conf but not in b.conf');
    const vrid = configError(() =>
      importTexts({
        'a.conf': lvs('A', 'MASTER', 100),
        'b.conf': lvs('B', 'BACKUP', 90).replace('virtual_router_id 1', 'virtual_router_id 2'),
      }),
    );
    const n = lineOf(template(), 'vrrp_instance');
    expect(vrid.message).toBe(
      `b.conf:${n}: vrrp_instance for VIP 10.0.0.1 disagrees between a.conf:${n} and b.conf:${n}: virtual_router_id is 1 in a.conf and 2 in b.conf`,
    );
  });

  it('pins a virtual_server only one director has to that director', () => {
    const extra = '\nvirtual_server 10.0.0.1 81 {\n protocol TCP\n lb_kind DR\n real_server 10.0.0.2 81 {\n }\n}\n';
    const { objects } = importTexts({ 'a.conf': lvs('A', 'MASTER', 100) + extra, 'b.conf': lvs('B', 'BACKUP', 90) });
    expect(byName(services(objects), 'vs-10-0-0-1-81-tcp').spec.directors).toEqual({
      nodeSelector: { 'lvs-operator.io/director': 'true', 'kubernetes.io/hostname': 'a' },
      interface: 'eth0',
    });
    expect(objects.find((o) => o.metadata.name === 'a')!.metadata.labels).toEqual({
      'lvs-operator.io/director': 'true',
      'kubernetes.io/hostname': 'a',
    });
  });

  it('names directors by --node, router_id or file name, and refuses two files of one name', () => {
    expect(importTexts({ 'x.conf': template() }, { node: 'edge-1' }).objects[0]!.metadata.name).toBe('edge-1');
    expect(importTexts({ 'dir/lvs-9.conf': template().replace('router_id T', '') }).objects[0]!.metadata.name).toBe(
      'lvs-9',
    );
    expect(configError(() => importTexts({ 'a.conf': template(), 'b.conf': template() })).message).toContain(
      'both name the director t',
    );
    expect(
      configError(() => importTexts({ 'a.conf': template(), 'b.conf': template() }, { node: 'x' })).message,
    ).toContain('--node names the director of a single file');
  });

  it('puts VirtualServices, RealServers and Secrets in the given namespace', () => {
    const { objects } = importFixtures(['tun-http-ssl.conf'], { namespace: 'edge' });
    expect(objects.filter((o) => o.kind !== 'Node').every((o) => o.metadata.namespace === 'edge')).toBe(true);
    expect(objects.find((o) => o.kind === 'Node')!.metadata.namespace).toBeUndefined();
  });
});

describe('interfaces of several directors', () => {
  const lvs = (id: string, priority: number, iface: string) =>
    template({ vrrp: `priority ${priority}` })
      .replace('router_id T', `router_id ${id}`)
      .replace('interface eth0', `interface ${iface}`);

  it('leaves the interface to the Node annotations when directors use different ones', () => {
    const { objects } = importTexts({ 'a.conf': lvs('A', 100, 'eth0'), 'b.conf': lvs('B', 90, 'ens1') });
    expect(services(objects)[0]!.spec.directors).toBeUndefined();
    const nodes = objects.filter((o): o is KubeNode => o.kind === 'Node');
    expect(nodes.map((n) => n.metadata.annotations)).toEqual([
      { 'lvs-operator.io/interface': 'eth0' },
      { 'lvs-operator.io/interface': 'ens1' },
    ]);
  });

  it("fails when neither the VirtualService nor the Node annotation can carry a director's interface", () => {
    const other =
      '\nvrrp_instance VI_0 {\n interface bond9\n virtual_router_id 9\n virtual_ipaddress {\n 10.0.0.9\n }\n}\n';
    const b = lvs('B', 90, 'ens1');
    const bFirst = other + b;
    const error = configError(() => importTexts({ 'a.conf': lvs('A', 100, 'eth0'), 'b.conf': bFirst }));
    expect(error.message).toContain(
      `b.conf:${lineOf(bFirst, 'vrrp_instance VI_1')}: vrrp_instance VI_1 holds its VIP on ens1 on b`,
    );
  });
});
