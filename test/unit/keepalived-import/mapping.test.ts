import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RealServer, VirtualService } from '../../../src/core/api/objects.js';
import { LB_ALGOS } from '../../../src/core/keepalived/import/keywords.js';
import { configError, importFixtures, importTexts, lineOf, template } from './helpers.js';

type Objects = ReturnType<typeof importTexts>['objects'];
const services = (objects: Objects) => objects.filter((o): o is VirtualService => o.kind === 'VirtualService');
const realServers = (objects: Objects) => objects.filter((o): o is RealServer => o.kind === 'RealServer');
const byName = <T extends { metadata: { name?: string } }>(list: T[], name: string): T =>
  list.find((o) => o.metadata.name === name)!;

describe('virtual_server mapping', () => {
  it('maps every lb_algo; lb_kind / lvs_method only in upper case, the rest is NAT as in keepalived, with a warning', () => {
    const { objects, warnings } = importFixtures(['all-schedulers.conf']);
    const vss = services(objects).sort((a, b) => a.spec.port - b.spec.port);
    expect(vss.map((v) => v.spec.scheduler)).toEqual([...LB_ALGOS]);
    expect(vss.map((v) => v.spec.forwarding)).toEqual([
      'DR',
      'NAT',
      'TUN',
      'NAT',
      'NAT',
      'NAT',
      'NAT',
      'NAT',
      'NAT',
      'DR',
      'NAT',
      'TUN',
      'NAT',
      'NAT',
    ]);
    const file = readFileSync('test/fixtures/keepalived/all-schedulers.conf', 'utf8');
    for (const [keyword, value] of [
      ['lvs_method', 'dr'],
      ['lb_kind', 'Tun'],
      ['lvs_method', 'nAT'],
    ]) {
      expect(warnings).toContain(
        `test/fixtures/keepalived/all-schedulers.conf:${lineOf(file, `${keyword} ${value}`)}: ${keyword} "${value}" is not NAT, DR or TUN (keepalived compares case-sensitively): keepalived logs an unknown routing method and keeps the previous one (NAT by default), and so does the import`,
      );
    }
    expect(warnings.filter((w) => w.includes('unknown routing method'))).toHaveLength(8);
  });

  it("writes keepalived's defaults explicitly: wlc, NAT, delay_loop 60, connect_timeout 5, retry 1, Remove", () => {
    const text = 'virtual_server 10.0.0.1 80 {\n protocol TCP\n real_server 10.0.0.2 80 {\n  TCP_CHECK {\n  }\n }\n}\n';
    const [vs] = services(importTexts({ 'a.conf': text }).objects);
    expect(vs!.spec).toMatchObject({ scheduler: 'wlc', forwarding: 'NAT' });
    expect(vs!.spec.healthCheck).toEqual({
      type: 'TCP',
      interval: 60,
      timeout: 5,
      retries: 1,
      retryDelay: 1,
      onFailure: 'Remove',
    });
  });

  it("HTTP_GET and SSL_GET default delay_before_retry to 3 s; without status_code keepalived's any 2xx is imported as it is", () => {
    const { objects, warnings } = importTexts({ 'a.conf': template({ url: '' }).replace('status_code 200', '') });
    expect(services(objects)[0]!.spec.healthCheck).toMatchObject({
      type: 'HTTP',
      urls: [{ path: '/', expectedStatus: ['200-299'] }],
      retryDelay: 3,
      retries: 1,
    });
    expect(warnings.filter((w) => !w.includes('VRRP priority'))).toEqual([]);
  });

  it('NAT with sorry_server, quorum and hysteresis, thresholds and inhibit_on_failure at both levels', () => {
    const { objects } = importFixtures(['nat-sorry-quorum.conf']);
    const vs = services(objects)[0]!;
    expect(vs.spec).toMatchObject({
      forwarding: 'NAT',
      sorryServer: { address: '192.168.20.9', port: 80 },
      quorum: { minimum: 3, hysteresis: 1 },
    });
    const rss = realServers(objects);
    expect(rss.map((r) => [r.spec.port, r.spec.healthCheck?.onFailure])).toEqual([
      [80, 'Inhibit'],
      [8080, 'Inhibit'],
      [80, 'Remove'],
    ]);
    expect(rss[0]!.spec).toMatchObject({ weight: 2, upperThreshold: 1000, lowerThreshold: 800 });
    expect(rss[2]!.spec.healthCheck).toMatchObject({ port: 8081 });
  });

  it('TUN with HTTP_GET and SSL_GET: path, host from virtualhost, status, retries = keepalived retry', () => {
    const vss = services(importFixtures(['tun-http-ssl.conf']).objects);
    expect(byName(vss, 'vs-203-0-113-10-80-tcp').spec.healthCheck).toEqual({
      type: 'HTTP',
      path: '/healthz',
      host: 'www.example.com',
      expectedStatus: 200,
      interval: 5,
      timeout: 2,
      retries: 1,
      retryDelay: 3,
      onFailure: 'Remove',
    });
    expect(byName(vss, 'vs-203-0-113-10-443-tcp').spec).toMatchObject({
      forwarding: 'TUN',
      healthCheck: { type: 'HTTPS', path: '/status?full=1', host: 'secure.example.com', expectedStatus: 204 },
    });
  });

  it('bare persistence_timeout means 360 s; persistence_granularity becomes the netmask (IPv4 mask, IPv6 prefix)', () => {
    const vss = services(importFixtures(['persistence.conf']).objects);
    expect(byName(vss, 'vs-10-4-0-1-443-tcp').spec.persistence).toEqual({ timeout: 600, netmask: '255.255.255.0' });
    expect(byName(vss, 'vs-2001-db8--10-443-tcp').spec.persistence).toEqual({ timeout: 300, netmask: '64' });
    const multi = services(importFixtures(['multi-instance.conf']).objects);
    expect(byName(multi, 'vs-10-1-0-160-443-tcp').spec).toMatchObject({
      persistence: { timeout: 360 },
      schedulerFlags: ['sh-fallback', 'sh-port'],
    });
  });

  it('puts health-check fields the real servers share on the VirtualService and the rest on each RealServer', () => {
    const { objects } = importFixtures(['multi-instance.conf']);
    const dns = byName(services(objects), 'vs-10-2-0-170-53-udp');
    expect(dns.spec.healthCheck).toEqual({ type: 'TCP', port: 53, retries: 0, retryDelay: 1, onFailure: 'Remove' });
    const rss = realServers(objects).filter((r) => r.spec.virtualServiceName === dns.metadata.name);
    expect(rss.map((r) => r.spec.healthCheck)).toEqual([
      { interval: 4, timeout: 4 },
      { interval: 5, timeout: 5 },
    ]);
    const web = realServers(objects).filter((r) => r.spec.virtualServiceName === 'vs-10-1-0-160-80-tcp');
    expect(web.map((r) => r.spec.healthCheck?.type)).toEqual(['TCP', 'None']);
  });

  it('resets a DR real server port to the virtual port as keepalived does, checking the configured one', () => {
    const text = template().replace('real_server 10.0.0.2 80', 'real_server 10.0.0.2 8080');
    const { objects, warnings } = importTexts({ 'a.conf': text });
    const rs = realServers(objects)[0]!;
    expect(rs.metadata.name).toBe('vs-10-0-0-1-80-tcp-10-0-0-2-80');
    expect(rs.spec.port).toBe(80);
    expect(services(objects)[0]!.spec.healthCheck!.port).toBe(8080);
    expect(
      warnings.some((w) => w.startsWith(`a.conf:${lineOf(text, 'real_server')}: real_server port 8080 differs`)),
    ).toBe(true);
  });

  it('names IPv6 services with dashes and keeps names within 63 characters', () => {
    const text = template()
      .replaceAll('10.0.0.1', 'fd00:1234:5678:9abc:def0:1234:5678:9abc')
      .replace('10.0.0.2', 'fd00:1234:5678:9abc:def0:1234:5678:9abd');
    const { objects } = importTexts({ 'a.conf': text });
    expect(services(objects)[0]!.metadata.name).toBe('vs-fd00-1234-5678-9abc-def0-1234-5678-9abc-80-tcp');
    const rsName = realServers(objects)[0]!.metadata.name!;
    expect(rsName.length).toBeLessThanOrEqual(63);
    expect(rsName).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('skips a virtual_server without real servers and warns, as keepalived ignores it', () => {
    const text = 'virtual_server 10.0.0.1 80 {\n protocol TCP\n}\n';
    const { objects, warnings } = importTexts({ 'a.conf': text });
    expect(services(objects)).toEqual([]);
    expect(warnings).toContain(
      'a.conf:1: virtual_server 10.0.0.1 80 has no real server; keepalived ignores it, and so does the import',
    );
  });

  it.each([
    [template({ vs: 'protocol ICMP' }), 'protocol is given twice'],
    [template().replace('protocol TCP', ''), 'virtual_server has no protocol'],
    [template({ vs: 'lb_algo foo' }), 'lb_algo is given twice'],
    [template().replace('lb_algo rr', 'lb_algo foo'), 'lb_algo foo is not an IPVS scheduler'],
    [template().replace('lb_kind DR', 'lb_kind TUN type gue port 6080'), 'tunnels with ipip only'],
    [template({ url: 'regex ok' }), 'not a regex over the body'],
    [template({ rs: 'TCP_CHECK {\n}' }), 'a second checker on one real_server'],
    [template({ check: 'connect_ip 10.0.0.9' }), 'connect_ip 10.0.0.9 is not supported'],
    [template({ rs: 'lvs_method NAT' }), 'per-real-server forwarding is not supported'],
    [template({ rs: 'weight 70000' }), 'weight must be a whole number from 0 to 65535'],
    [
      template().replace('virtual_server 10.0.0.1 80', 'virtual_server fwmark 1'),
      'virtual_server fwmark is not supported',
    ],
    [
      template().replace('virtual_server 10.0.0.1 80', 'virtual_server group G'),
      'no virtual_server_group G is defined',
    ],
  ])('refuses invalid input with file and line: %#', (text, message) => {
    const error = configError(() => importTexts({ 'a.conf': text }));
    expect(error.message).toContain(message);
    expect(error.problems[0]!.file).toBe('a.conf');
    expect(error.problems[0]!.line).toBeGreaterThan(0);
  });

  it('lists every problem of every file in one error', () => {
    const a = template({ vs: 'ops', rs: 'MISC_CHECK {\n}' });
    const b = template({ top: 'vrrp_script x {\n}' });
    const error = configError(() => importTexts({ 'a.conf': a, 'b.conf': b }));
    const at = [
      `a.conf:${lineOf(a, 'ops')}`,
      `a.conf:${lineOf(a, 'MISC_CHECK')}`,
      `b.conf:${lineOf(b, 'vrrp_script')}`,
    ];
    expect(error.problems.map((p) => `${p.file}:${p.line}`)).toEqual(at);
    expect(
      error.message.startsWith(`3 problems in the keepalived configuration:\n  ${at[0]}: ops is not supported`),
    ).toBe(true);
  });
});

describe('vrrp_instance mapping', () => {
  it('maps advert_int, priority, nopreempt, preempt_delay, version; keepalived clears them for MASTER', () => {
    const { objects, warnings } = importFixtures(['multi-instance.conf']);
    const vss = services(objects);
    expect(byName(vss, 'vs-10-1-0-160-80-tcp').spec.vrrp).toEqual({
      virtualRouterID: 21,
      version: 3,
      advertInterval: 0.5,
      priorities: [{ node: 'lvs-multi', priority: 200 }],
      preempt: true,
      preemptDelay: 0,
      unicast: false,
    });
    expect(byName(vss, 'vs-10-2-0-170-53-udp').spec).toMatchObject({
      directors: { interface: 'ens224' },
      vrrp: { preempt: false, preemptDelay: 10 },
    });
    expect(warnings).toContain(
      'test/fixtures/keepalived/multi-instance.conf:9: vrrp_instance VI_1: keepalived ignores preempt_delay with state MASTER',
    );
  });

  it('unicast_peer sets unicast; unicast_src_ip becomes the Node InternalIP', () => {
    const { objects, warnings } = importFixtures(['unicast-lvs01.conf', 'unicast-lvs02.conf']);
    const nodes = objects.filter((o) => o.kind === 'Node');
    expect(nodes.map((n) => [n.metadata.name, (n as { status?: { addresses?: unknown } }).status?.addresses])).toEqual([
      ['lvs-u1', [{ type: 'InternalIP', address: '10.9.0.11' }]],
      ['lvs-u2', [{ type: 'InternalIP', address: '10.9.0.12' }]],
    ]);
    // lvs-u1's nopreempt is cleared by keepalived (state MASTER); lvs-u2's never acts (lowest priority).
    expect(services(objects)[0]!.spec.vrrp).toMatchObject({ unicast: true, preempt: true });
    expect(warnings).toEqual([
      'test/fixtures/keepalived/unicast-lvs01.conf:4: vrrp_instance VI_U: keepalived ignores nopreempt with state MASTER, so this director preempts',
    ]);
  });

  it('warns when a unicast peer is not an imported director', () => {
    const { warnings } = importFixtures(['unicast-lvs01.conf']);
    expect(
      warnings.some((w) => w.includes('unicast_peer 10.9.0.12 is not the unicast_src_ip of an imported director')),
    ).toBe(true);
  });

  it('emits one Secret per instance for PASS authentication and refuses AH', () => {
    const { objects } = importFixtures(['tun-http-ssl.conf']);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'web-vrrp-auth', namespace: 'default' },
        stringData: { password: 's3cr3t' },
      },
    ]);
    const ah = template({ vrrp: 'authentication {\n auth_type AH\n auth_pass x\n }' });
    expect(configError(() => importTexts({ 'a.conf': ah })).message).toBe(
      `a.conf:${lineOf(ah, 'auth_type AH')}: auth_type AH is not supported: lvs-operator supports PASS only`,
    );
  });

  it('drops authentication for VRRPv3 as keepalived does, with a warning', () => {
    const text = template({ global: 'vrrp_version 3', vrrp: 'authentication {\n auth_type PASS\n auth_pass x\n }' });
    const { objects, warnings } = importTexts({ 'a.conf': text });
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    expect(services(objects)[0]!.spec.vrrp?.version).toBe(3);
    expect(warnings.some((w) => w.includes('VRRPv3 has no authentication'))).toBe(true);
  });

  it.each([
    ['advert_int 0.5', 'advert_int 0.5 needs VRRP version 3'],
    ['priority 255', 'priority 255 (address owner) is not supported'],
    ['use_vmac', 'use_vmac is not supported'],
  ])('refuses %s', (statement, message) => {
    expect(configError(() => importTexts({ 'a.conf': template({ vrrp: statement }) })).message).toContain(message);
  });

  it('warns about a virtual_server whose VIP no vrrp_instance holds, and a VIP without a virtual_server', () => {
    const text = template().replace('virtual_server 10.0.0.1 80', 'virtual_server 10.0.0.5 80');
    const { objects, warnings } = importTexts({ 'a.conf': text });
    expect(services(objects)[0]!.spec.vrrp).toBeUndefined();
    expect(warnings).toContain(
      "a.conf:13: no vrrp_instance holds VIP 10.0.0.5: the VirtualService gets lvs-operator's VRRP defaults (version 3, 0.1 s adverts, an allocated router id)",
    );
    expect(warnings).toContain(
      'a.conf:9: VIP 10.0.0.1 has no virtual_server: lvs-operator moves a VIP only for a VirtualService, so it is not imported',
    );
  });
});
