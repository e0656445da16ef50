// The benchmarks' inputs must be what they claim: a fleet that validates and plans cleanly, and
// a keepalived.conf that describes the same table. (Their timings are never tested.)
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifestDir } from '../src/io/manifest-dir.js';
import { validateObjects } from '../src/core/api/validate/index.js';
import { plan } from '../src/core/plan/plan.js';
import { fleet, fleetVip } from './fleet.js';
import { keepalivedEquivalent } from './keepalived-conf.js';

const root = new URL('../', import.meta.url).pathname;

function planned(objects: Parameters<typeof validateObjects>[0]) {
  const checked = validateObjects(objects);
  return { errors: checked.errors.filter((e) => e.severity === 'error'), result: plan(checked.valid) };
}

describe('fleet', () => {
  it('validates and plans without problems, every service on both directors', () => {
    const { errors, result } = planned(fleet({ virtualServices: 9, realServersPerService: 3 }));
    expect(errors).toEqual([]);
    expect(result.problems).toEqual([]);
    for (const director of ['lvs01', 'lvs02']) {
      const services = result.nodes.get(director)?.ipvs?.services ?? [];
      expect(services).toHaveLength(9);
      expect(services.every((s) => s.destinations.length === 3)).toBe(true);
    }
    // 9 services on 4 ports share 3 VIPs, so 3 VRRP instances; the workers are prepared as DR real servers
    expect(result.nodes.get('lvs01')?.vrrp?.instances).toHaveLength(3);
    expect(result.nodes.get('worker-00')?.addresses).toHaveLength(3);
  });

  it('uses given real-server addresses instead of worker Nodes', () => {
    const objects = fleet({
      virtualServices: 2,
      realServersPerService: 2,
      realServerAddresses: ['192.0.2.7', '192.0.2.8'],
    });
    expect(objects.filter((o) => o.kind === 'Node')).toHaveLength(2);
    const { result } = planned(objects);
    const addresses = result.nodes.get('lvs01')?.ipvs?.services?.[0]?.destinations.map((d) => d.address);
    expect(addresses).toEqual(['192.0.2.7', '192.0.2.8']);
  });

  it('refuses more VIPs than VRRP has router ids', () => {
    expect(() => fleet({ virtualServices: 256, realServersPerService: 1, portsPerVip: 1 })).toThrow(/router ids/);
    expect(fleetVip(253)).toBe('10.96.0.254');
    expect(fleetVip(254)).toBe('10.96.1.1');
  });
});

describe('keepalivedEquivalent', () => {
  it("renders the seed's director as the seed's keepalived.conf has it", () => {
    const loaded = loadManifestDir(join(root, 'examples/seed-dr'));
    const spec = planned(loaded.objects).result.nodes.get('lvs01')!;
    const conf = keepalivedEquivalent(spec, 'lvs01', 'eth0');
    expect(conf).toContain('interface eth0');
    expect(conf).toContain('virtual_router_id 10');
    expect(conf).toContain('advert_int 1');
    expect(conf).toContain('auth_pass 1111');
    const server = conf.slice(conf.indexOf('virtual_server'));
    expect(server.split('\n').map((l) => l.trim())).toEqual([
      'virtual_server 172.16.40.160 80 {',
      'delay_loop 6',
      'lb_algo rr',
      'lb_kind DR',
      'protocol TCP',
      'persistence_timeout 5',
      'real_server 172.16.40.151 80 {',
      'weight 1',
      'TCP_CHECK {',
      'connect_port 80',
      'connect_timeout 3',
      'retry 3',
      'delay_before_retry 3',
      '}',
      '}',
      'real_server 172.16.40.152 80 {',
      'weight 1',
      'TCP_CHECK {',
      'connect_port 80',
      'connect_timeout 3',
      'retry 3',
      'delay_before_retry 3',
      '}',
      '}',
      '}',
      '',
    ]);
  });
});
