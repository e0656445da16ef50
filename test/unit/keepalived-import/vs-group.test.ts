// virtual_server_group: one VirtualService per address and port of the group, each with the
// block's real servers, as keepalived programs one IPVS service per entry.
import { describe, expect, it } from 'vitest';
import type { RealServer, VirtualService } from '../../../src/core/api/objects.js';
import { validateObjects } from '../../../src/core/api/validate/index.js';
import { configError, importTexts, lineOf, template } from './helpers.js';

type Objects = ReturnType<typeof importTexts>['objects'];
const services = (objects: Objects) => objects.filter((o): o is VirtualService => o.kind === 'VirtualService');
const realServers = (objects: Objects) => objects.filter((o): o is RealServer => o.kind === 'RealServer');

/** The template with `virtual_server group G` and the group holding `entries`; VIPs 10.0.0.5 and .6 get instances of their own. */
function grouped(entries: string): string {
  const instance = (n: number) =>
    `vrrp_instance VI_${n} {\n interface eth0\n virtual_router_id ${n}\n virtual_ipaddress {\n  10.0.0.${n}\n }\n}`;
  return template({ top: `virtual_server_group G {\n${entries}\n}\n${instance(5)}\n${instance(6)}` }).replace(
    'virtual_server 10.0.0.1 80',
    'virtual_server group G',
  );
}

describe('virtual_server_group', () => {
  it('becomes one VirtualService per address and port, each with the real servers and settings', () => {
    const { objects } = importTexts({ 'a.conf': grouped('  10.0.0.1 80\n  10.0.0.5-6 443') });
    const vss = services(objects);
    expect(vss.map((v) => `${v.spec.address}:${v.spec.port}`)).toEqual(['10.0.0.1:80', '10.0.0.5:443', '10.0.0.6:443']);
    for (const vs of vss) {
      expect(vs.spec).toMatchObject({ scheduler: 'rr', forwarding: 'DR', protocol: 'TCP' });
    }
    expect(vss.map((v) => v.spec.vrrp?.virtualRouterID)).toEqual([1, 5, 6]);
    expect(validateObjects(objects).errors).toEqual([]);
    expect(realServers(objects).map((r) => [r.spec.virtualServiceName, r.spec.address, r.spec.port])).toEqual([
      ['vs-10-0-0-1-80-tcp', '10.0.0.2', 80],
      ['vs-10-0-0-5-443-tcp', '10.0.0.2', 443],
      ['vs-10-0-0-6-443-tcp', '10.0.0.2', 443],
    ]);
  });

  it.each([
    ['  fwmark 1', 'fwmark in a virtual_server_group is not supported'],
    ['  10.0.0.7', 'a virtual_server_group entry without a port or on port 0'],
    ['  10.0.0.1 0', 'a virtual_server_group entry without a port or on port 0'],
    ['  10.0.0.0/30 80', 'the address range 10.0.0.0/30 is not supported'],
    ['  10.0.0.3-1 80', 'the range 10.0.0.3-1 must end at or after its start'],
  ])('refuses %j at its line', (entry, message) => {
    const text = grouped(entry);
    const error = configError(() => importTexts({ 'a.conf': text }));
    expect(error.problems[0]).toMatchObject({ file: 'a.conf', line: lineOf(text, entry) });
    expect(error.problems[0]!.message).toContain(message);
  });

  it('one VIP on several ports is one VRRP instance, as keepalived had it', () => {
    const { objects } = importTexts({ 'a.conf': grouped('  10.0.0.1 80\n  10.0.0.1 443') });
    expect(services(objects).map((v) => [v.spec.port, v.spec.vrrp?.virtualRouterID])).toEqual([
      [443, 1],
      [80, 1],
    ]);
  });

  it('refuses two VIPs with virtual servers in one vrrp_instance: they would share one virtual_router_id', () => {
    const text = grouped('  10.0.0.1 80\n  10.0.0.8 80').replace(
      '        10.0.0.1\n',
      '        10.0.0.1\n        10.0.0.8\n',
    );
    expect(configError(() => importTexts({ 'a.conf': text })).message).toBe(
      `a.conf:${lineOf(text, '        10.0.0.8')}: VIP 10.0.0.8 and VIP 10.0.0.1 (a.conf:${lineOf(text, '        10.0.0.1')}) both have a virtual_server and share vrrp_instance VI_1: lvs-operator runs one VRRP instance (one virtual_router_id) per VIP; give each VIP its own vrrp_instance`,
    );
  });

  it('refuses a group defined twice, naming the first', () => {
    const text = grouped('  10.0.0.1 80') + 'virtual_server_group G {\n  10.0.0.2 80\n}\n';
    expect(configError(() => importTexts({ 'a.conf': text })).message).toBe(
      `a.conf:${text.split('\n').length - 3}: virtual_server_group G is defined twice (first at a.conf:${lineOf(text, 'virtual_server_group')})`,
    );
  });
});
