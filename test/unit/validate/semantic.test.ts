// The checks across objects: each names the object, the field and the value, and drops only the
// object at fault (the first of two clashing objects, by namespace/name, stays).
import { describe, expect, it } from 'vitest';
import type { Secret, VirtualService } from '../../../src/core/api/objects.js';
import { plan } from '../../../src/core/plan/plan.js';
import { VRRP_PASSWORD_RULE } from '../../../src/core/api/vrrp.js';
import { check, director, directors, expectOneError, names, node, rs, secret, vs } from './builders.js';

const WEB = 'VirtualService default/web';

describe('VirtualService against VirtualService', () => {
  it('rejects the later of two with the same VIP:port:protocol', () => {
    const r = check([
      ...directors(),
      vs('web'),
      vs('alpha', { address: '192.0.2.10' }),
      vs('udp', { protocol: 'UDP' }),
    ]);
    const e = expectOneError(r.hard, WEB, 'spec.address');
    expect(e.value).toBe('192.0.2.10:80/TCP');
    expect(e.message).toContain('default/alpha');
    expect(names(r.valid.virtualServices)).toEqual(['alpha', 'udp']);
  });

  it('compares IPv6 VIPs by address, not spelling', () => {
    const r = check([...directors(), vs('a', { address: '2001:db8::10' }), vs('b', { address: '2001:DB8:0:0::10' })]);
    expectOneError(r.hard, 'VirtualService default/b', 'spec.address');
    expect(names(r.valid.virtualServices)).toEqual(['a']);
  });

  it('lets VirtualServices of one VIP share a VRID when they agree on the VRRP instance', () => {
    const r = check([
      ...directors(),
      vs('http', { vrrp: { virtualRouterID: 10 } }),
      vs('https', { port: 443, vrrp: { virtualRouterID: 10 } }),
    ]);
    expect(r.errors).toEqual([]);
    expect(names(r.valid.virtualServices)).toEqual(['http', 'https']);
  });

  const disagreements: [string, Record<string, unknown>, unknown][] = [
    ['spec.vrrp.virtualRouterID', { vrrp: { virtualRouterID: 11 } }, 11],
    ['spec.vrrp.version', { vrrp: { virtualRouterID: 10, version: 2, advertInterval: 1 } }, 2],
    ['spec.vrrp.advertInterval', { vrrp: { virtualRouterID: 10, advertInterval: 1 } }, 1],
    ['spec.directors.interface', { directors: { interface: 'eth1' }, vrrp: { virtualRouterID: 10 } }, 'eth1'],
    [
      'spec.directors.nodeSelector',
      { directors: { nodeSelector: { role: 'lb' } }, vrrp: { virtualRouterID: 10 } },
      { role: 'lb' },
    ],
    [
      'spec.vrrp.priorities',
      { vrrp: { virtualRouterID: 10, priorities: [{ node: 'lvs01', priority: 50 }] } },
      [{ node: 'lvs01', priority: 50 }],
    ],
    ['spec.vrrp.preempt', { vrrp: { virtualRouterID: 10, preempt: false } }, false],
    ['spec.vrrp.preemptDelay', { vrrp: { virtualRouterID: 10, preemptDelay: 5 } }, 5],
    ['spec.vrrp.unicast', { vrrp: { virtualRouterID: 10, unicast: true } }, true],
  ];
  it.each(disagreements)('rejects the later VirtualService of one VIP that disagrees on %s', (field, spec, value) => {
    const r = check([
      ...directors(),
      node('lb1', ['192.0.2.3'], { role: 'lb' }),
      vs('a', { vrrp: { virtualRouterID: 10 } }),
      vs('b', { port: 443, ...spec }),
    ]);
    const e = expectOneError(r.hard, 'VirtualService default/b', field);
    expect(e.value).toEqual(value);
    expect(e.message).toContain('default/a');
    expect(names(r.valid.virtualServices)).toEqual(['a']);
  });

  it('rejects a VRID already used on the same L2 segment', () => {
    const r = check([
      director('lvs01', '192.0.2.1'),
      node('lb9', ['192.0.2.9'], { role: 'other' }),
      vs('a', { vrrp: { virtualRouterID: 10 } }),
      vs('b', { address: '192.0.2.11', directors: { nodeSelector: { role: 'other' } }, vrrp: { virtualRouterID: 10 } }),
    ]);
    const e = expectOneError(r.hard, 'VirtualService default/b', 'spec.vrrp.virtualRouterID');
    expect(e.value).toBe(10);
    expect(e.message).toContain('L2 segment default');
    expect(names(r.valid.virtualServices)).toEqual(['a']);
  });

  it('rejects a VRID already used on a shared director, whatever the segments', () => {
    const lvs = director('lvs01', '192.0.2.1', 'rack1');
    const r = check([
      lvs,
      vs('a', { vrrp: { virtualRouterID: 10 } }),
      vs('b', { address: '192.0.2.11', vrrp: { virtualRouterID: 10 } }),
    ]);
    expect(expectOneError(r.hard, 'VirtualService default/b', 'spec.vrrp.virtualRouterID').message).toContain(
      'director lvs01',
    );
  });

  it('allows one VRID on separate segments, and across address families', () => {
    const r = check([
      director('lvs01', '192.0.2.1', 'rack1'),
      node('lvs02', ['192.0.2.2', '2001:db8::2'], { role: 'rack2', 'lvs-operator.io/l2-segment': 'rack2' }),
      vs('a', { vrrp: { virtualRouterID: 10 } }),
      vs('b', { address: '192.0.2.11', directors: { nodeSelector: { role: 'rack2' } }, vrrp: { virtualRouterID: 10 } }),
      vs('c', { address: '2001:db8::10', vrrp: { virtualRouterID: 10 } }),
    ]);
    expect(r.hard).toEqual([]);
    expect(names(r.valid.virtualServices)).toEqual(['a', 'b', 'c']);
  });
});

describe('VirtualService against Nodes and Secrets', () => {
  it('warns when the selector matches no Node, and keeps the VirtualService', () => {
    const r = check([vs('web')]);
    const e = expectOneError(r.warnings, WEB, 'spec.directors.nodeSelector', 'warning');
    expect(e.value).toEqual({ 'lvs-operator.io/director': 'true' });
    expect(names(r.valid.virtualServices)).toEqual(['web']);
  });

  it('warns about a priority for a Node that is not a director', () => {
    const r = check([
      ...directors(),
      vs('web', {
        vrrp: {
          priorities: [
            { node: 'lvs01', priority: 100 },
            { node: 'nginx01', priority: 90 },
          ],
        },
      }),
    ]);
    expect(expectOneError(r.warnings, WEB, 'spec.vrrp.priorities[1].node', 'warning').value).toBe('nginx01');
    expect(r.hard).toEqual([]);
    expect(names(r.valid.virtualServices)).toEqual(['web']);
  });

  const v2 = (authSecretRef: Record<string, string>) => ({ vrrp: { version: 2, advertInterval: 1, authSecretRef } });

  it('rejects an authSecretRef to a missing Secret', () => {
    const r = check([
      ...directors(),
      secret('vrrp', { password: '1111' }, 'other'),
      vs('web', v2({ name: 'vrrp' })),
      vs('ok', { port: 81, ...v2({ name: 'vrrp' }) }, 'other'),
    ]);
    const e = expectOneError(r.hard, WEB, 'spec.vrrp.authSecretRef.name');
    expect(e.value).toBe('vrrp');
    expect(e.message).toContain('default/vrrp');
    expect(names(r.valid.virtualServices)).toEqual(['ok']);
  });

  it('rejects an authSecretRef to a missing key, and warns about passwords keepalived cuts', () => {
    const r = check([
      ...directors(),
      secret('vrrp', { pass: '1111', long: '123456789' }),
      vs('web', v2({ name: 'vrrp' })),
      vs('long', { address: '192.0.2.11', ...v2({ name: 'vrrp', key: 'long' }) }),
    ]);
    expect(expectOneError(r.hard, WEB, 'spec.vrrp.authSecretRef.key').value).toBe('password');
    expect(
      expectOneError(r.warnings, 'VirtualService default/long', 'spec.vrrp.authSecretRef.key', 'warning').message,
    ).toContain('first 8');
    expect(names(r.valid.virtualServices)).toEqual(['long']);
  });

  it.each(['a"b', 'a b\\', 'a\tb', 'ä b'])(
    'rejects the password %j that the planner would refuse, with the same rule, and agrees with plan()',
    (password) => {
      const objects = [...directors(), secret('vrrp', { password }), vs('web', v2({ name: 'vrrp' }))];
      const e = expectOneError(check(objects).hard, WEB, 'spec.vrrp.authSecretRef.key');
      expect(e.message).toBe(`Secret default/vrrp key password: ${VRRP_PASSWORD_RULE}`);
      const planned = plan({
        nodes: directors(),
        virtualServices: [objects[3] as VirtualService],
        realServers: [],
        secrets: [objects[2] as Secret],
      });
      expect(planned.problems.map((p) => p.message)).toEqual([VRRP_PASSWORD_RULE]);
    },
  );

  it.each(['a b', 'ab!cd', "a'b", 'a{b}#', 'ab\\cd'])('accepts the password %j, as plan() does', (password) => {
    const objects = [...directors(), secret('vrrp', { password }), vs('web', v2({ name: 'vrrp' }))];
    expect(check(objects).hard).toEqual([]);
    const planned = plan({
      nodes: directors(),
      virtualServices: [objects[3] as VirtualService],
      realServers: [],
      secrets: [objects[2] as Secret],
    });
    expect(planned.problems).toEqual([]);
  });

  it('reads the password from base64 data too', () => {
    const s = {
      apiVersion: 'v1' as const,
      kind: 'Secret' as const,
      metadata: { name: 'vrrp', namespace: 'default' },
      data: { password: Buffer.from('1111').toString('base64') },
    };
    expect(check([...directors(), s, vs('web', v2({ name: 'vrrp' }))]).errors).toEqual([]);
  });
});

describe('RealServer against its VirtualService, the Nodes and the other RealServers', () => {
  it('rejects a RealServer naming a VirtualService missing in its namespace', () => {
    const r = check([...directors(), vs('web', {}, 'other'), rs('rs1'), rs('rs2', {}, 'other')]);
    const e = expectOneError(r.hard, 'RealServer default/rs1', 'spec.virtualServiceName');
    expect(e.value).toBe('web');
    expect(e.message).toContain('namespace default');
    expect(names(r.valid.realServers)).toEqual(['rs2']);
  });

  it('drops the RealServers of an invalid VirtualService, saying why', () => {
    const r = check([
      ...directors(),
      vs('web', { port: 0 }),
      vs('ok', { port: 81 }),
      rs('rs1'),
      rs('rs2', { virtualServiceName: 'ok', port: 81 }),
    ]);
    expectOneError(r.hard, WEB, 'spec.port');
    expect(expectOneError(r.hard, 'RealServer default/rs1', 'spec.virtualServiceName').message).toContain('is invalid');
    expect(names(r.valid.realServers)).toEqual(['rs2']);
  });

  it('drops only an invalid RealServer', () => {
    const r = check([...directors(), vs('web'), rs('rs1', { weight: -1 }), rs('rs2', { address: '198.51.100.2' })]);
    expect(r.hard.map((e) => e.object)).toEqual(['RealServer default/rs1']);
    expect(names(r.valid.virtualServices)).toEqual(['web']);
    expect(names(r.valid.realServers)).toEqual(['rs2']);
  });

  it('rejects a nodeName naming a missing Node, or one without an address of the VIP family', () => {
    const r = check([
      ...directors(),
      node('v6only', ['2001:db8::5']),
      node('nginx01', ['198.51.100.1']),
      vs('web'),
      rs('a', { nodeName: 'ghost' }),
      rs('b', { nodeName: 'v6only' }),
      rs('c', { nodeName: 'nginx01' }),
    ]);
    expect(expectOneError(r.hard, 'RealServer default/a', 'spec.nodeName').value).toBe('ghost');
    expect(expectOneError(r.hard, 'RealServer default/b', 'spec.nodeName').message).toContain('IPv4 InternalIP');
    expect(names(r.valid.realServers)).toEqual(['c']);
  });

  it('says so when the Node named is itself invalid', () => {
    const r = check([...directors(), node('nginx01', ['not-an-ip']), vs('web'), rs('a', { nodeName: 'nginx01' })]);
    expect(expectOneError(r.hard, 'RealServer default/a', 'spec.nodeName').message).toContain(
      'Node nginx01 is invalid',
    );
  });

  it('rejects an address of the other family than the VIP', () => {
    const r = check([...directors(), vs('web'), rs('a', { address: '2001:db8::1' }), rs('b')]);
    const e = expectOneError(r.hard, 'RealServer default/a', 'spec.address');
    expect(e.value).toBe('2001:db8::1');
    expect(e.message).toContain('IPv4');
    expect(names(r.valid.realServers)).toEqual(['b']);
  });

  it('rejects the later of two RealServers with one address:port (also via nodeName)', () => {
    const r = check([
      ...directors(),
      node('nginx01', ['198.51.100.1']),
      vs('web'),
      rs('a'),
      rs('b', { port: 80 }),
      rs('c', { nodeName: 'nginx01' }),
      rs('d', { address: '198.51.100.2' }),
    ]);
    expect(expectOneError(r.hard, 'RealServer default/b', 'spec.address').value).toBe('198.51.100.1:80');
    expect(expectOneError(r.hard, 'RealServer default/c', 'spec.nodeName').message).toContain('default/a');
    expect(names(r.valid.realServers)).toEqual(['a', 'd']);
  });

  it.each(['DR', 'TUN'])('rejects another port than the virtual port in %s mode', (forwarding) => {
    const r = check([
      ...directors(),
      vs('web', { forwarding }),
      rs('a', { port: 8080 }),
      rs('b', { address: '198.51.100.2', port: 80 }),
    ]);
    const e = expectOneError(r.hard, 'RealServer default/a', 'spec.port');
    expect(e.value).toBe(8080);
    expect(e.message).toContain(forwarding);
    expect(names(r.valid.realServers)).toEqual(['b']);
  });

  it('allows another port in NAT mode', () => {
    expect(check([...directors(), vs('web', { forwarding: 'NAT' }), rs('a', { port: 8080 })]).hard).toEqual([]);
  });

  it('rejects a NAT real server that is a director, by nodeName or by InternalIP', () => {
    const r = check([
      ...directors(),
      vs('web', { forwarding: 'NAT' }),
      rs('a', { nodeName: 'lvs01' }),
      rs('b', { address: '192.0.2.2' }),
      rs('c'),
    ]);
    expect(expectOneError(r.hard, 'RealServer default/a', 'spec.nodeName').message).toContain('director lvs01');
    expect(expectOneError(r.hard, 'RealServer default/b', 'spec.address').message).toContain('director lvs02');
    expect(names(r.valid.realServers)).toEqual(['c']);
  });

  it.each(['DR', 'NAT', 'TUN'])('rejects a real server at the VIP in %s mode', (forwarding) => {
    const r = check([
      ...directors(),
      node('self', ['192.0.2.10']),
      vs('web', { forwarding }),
      rs('a', { address: '192.0.2.10' }),
      rs('b', { nodeName: 'self' }),
      rs('c'),
    ]);
    expect(expectOneError(r.hard, 'RealServer default/a', 'spec.address').message).toContain('virtual address');
    expect(expectOneError(r.hard, 'RealServer default/b', 'spec.nodeName').message).toContain('192.0.2.10');
    expect(names(r.valid.realServers)).toEqual(['c']);
  });

  it('rejects health-check overrides whose timeout exceeds the inherited interval', () => {
    const r = check([
      ...directors(),
      vs('web', { healthCheck: { interval: 2, timeout: 1 } }),
      rs('a', { healthCheck: { timeout: 3 } }),
      rs('b', { address: '198.51.100.2', healthCheck: { timeout: 2 } }),
    ]);
    expect(expectOneError(r.hard, 'RealServer default/a', 'spec.healthCheck.timeout').value).toBe(3);
    expect(names(r.valid.realServers)).toEqual(['b']);
  });
});

describe('object identity', () => {
  it('keeps the first of two objects with one kind, namespace and name', () => {
    const r = check([...directors(), vs('web'), vs('web', { port: 81 })]);
    expect(expectOneError(r.hard, WEB, 'metadata.name').message).toContain('defined twice');
    expect(r.valid.virtualServices.map((v) => v.spec.port)).toEqual([80]);
  });

  it('puts objects without a namespace in "default"', () => {
    const plain = vs('web');
    delete plain.metadata.namespace;
    const r = check([...directors(), plain, rs('a')]);
    expect(r.errors).toEqual([]);
    expect(r.valid.virtualServices[0]?.metadata.namespace).toBe('default');
  });
});
