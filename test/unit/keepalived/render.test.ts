import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LVSNodeSpec, VrrpInstancePlan } from '../../../src/core/api/objects.js';
import { parseKeepalivedConfig } from '../../../src/core/keepalived/import/index.js';
import { KeepalivedRenderError, renderKeepalivedConf } from '../../../src/core/keepalived/render.js';
import { plan } from '../../../src/core/plan/plan.js';
import { loadExample } from '../plan/example.js';
import { instance } from './plans.js';

const root = new URL('../../../', import.meta.url).pathname;

const spec = (...instances: VrrpInstancePlan[]): LVSNodeSpec => ({ vrrp: { instances } });

describe('keepalived.conf for the seed (examples/seed-dr)', () => {
  const nodes = plan(loadExample('examples/seed-dr')).nodes;

  it('matches the reviewed golden file for lvs01 and lvs02', async () => {
    for (const name of ['lvs01', 'lvs02']) {
      await expect(renderKeepalivedConf(nodes.get(name)!, { nodeName: name })).toMatchFileSnapshot(
        join(root, `test/golden/keepalived/seed-${name}.conf`),
      );
    }
  });

  it("carries what the seed's vrrp_instance carries, and no virtual_server", () => {
    const conf = renderKeepalivedConf(nodes.get('lvs01')!, { nodeName: 'lvs01' });
    for (const line of [
      'state MASTER',
      'interface ens192',
      'virtual_router_id 10',
      'priority 100',
      'advert_int 1',
      'auth_type PASS',
      'auth_pass 1111',
      '172.16.40.160',
    ]) {
      expect(conf).toMatch(new RegExp(`^\\s+${line}$`, 'm'));
    }
    expect(conf).not.toContain('virtual_server');
    expect(renderKeepalivedConf(nodes.get('lvs02')!, { nodeName: 'lvs02' })).toMatch(
      /^\s+state BACKUP\n(.*\n){2}\s+priority 90$/m,
    );
  });
});

describe('keepalived.conf rendering', () => {
  it('writes a sub-second advert with vrrp_version 3 in global_defs, before the instance parses it', () => {
    const conf = renderKeepalivedConf(spec(instance()), { nodeName: 'd1' });
    expect(conf).toMatch(
      /global_defs \{\n\s+router_id d1\n\s+vrrp_version 3\n\s+vrrp_higher_prio_send_advert true\n\}/,
    );
    expect(conf).toMatch(/advert_int 0.1\n/);
  });

  it('gives an instance its own version when it differs from the first one', () => {
    const conf = renderKeepalivedConf(
      spec(instance(), instance({ name: 'VI_8', virtualRouterID: 8, version: 2, advertInterval: 1 })),
      { nodeName: 'd1' },
    );
    expect(conf.match(/^\s+version 2$/gm)).toHaveLength(1);
  });

  it('writes nopreempt, or preempt_delay, and unicast peers with the source address', () => {
    expect(
      renderKeepalivedConf(spec(instance({ preempt: false, initialState: 'BACKUP' })), { nodeName: 'd1' }),
    ).toMatch(/^\s+nopreempt$/m);
    expect(renderKeepalivedConf(spec(instance({ preemptDelay: 30 })), { nodeName: 'd1' })).toMatch(
      /^\s+preempt_delay 30$/m,
    );
    const conf = renderKeepalivedConf(
      spec(instance({ sourceAddress: '192.0.2.1', unicastPeers: ['192.0.2.2', '192.0.2.3'] })),
      { nodeName: 'd1' },
    );
    expect(conf).toMatch(/unicast_src_ip 192.0.2.1\n\s+unicast_peer \{\n\s+192.0.2.2\n\s+192.0.2.3\n\s+\}/);
  });

  it('points keepalived at the notify FIFO the agent reads', () => {
    expect(
      renderKeepalivedConf(spec(instance()), { nodeName: 'd1', notifyFifo: '/run/lvs-operator/vrrp.fifo' }),
    ).toContain('notify_fifo /run/lvs-operator/vrrp.fifo\n');
  });

  it('uses the interface the agent resolved when the plan leaves it to auto-detection, and says so when none is known', () => {
    const auto = instance({ interface: undefined, sourceAddress: '192.0.2.1' });
    expect(
      renderKeepalivedConf(spec(auto), { nodeName: 'd1', resolvedInterfaces: new Map([['VI_7', 'ens3']]) }),
    ).toContain('interface ens3\n');
    expect(() => renderKeepalivedConf(spec(auto), { nodeName: 'd1' })).toThrow(/VI_7: no interface .*192\.0\.2\.1/);
  });

  it.each([
    ['an interface with a newline', instance({ interface: 'eth0\n}\nvrrp_script x {' }), /interface/],
    ['a password with a double quote', instance({ version: 2, advertInterval: 1, authPassword: 'a"}b' }), /auth_pass/],
    ['a password with a newline', instance({ version: 2, advertInterval: 1, authPassword: 'a\n}b' }), /auth_pass/],
    ['a VIP that is not an address', instance({ virtualAddresses: ['1.2.3.4 dev x'] }), /virtual address/],
    ['a peer that is not an address', instance({ unicastPeers: ['x;y'] }), /unicast peer/],
  ])('refuses %s rather than write configuration of its own', (_what, bad, message) => {
    expect(() => renderKeepalivedConf(spec(bad), { nodeName: 'd1' })).toThrow(KeepalivedRenderError);
    expect(() => renderKeepalivedConf(spec(bad), { nodeName: 'd1' })).toThrow(message);
  });

  it('writes a password with blanks, # ! braces or quotes in double quotes, and keepalived reads it back unchanged', () => {
    for (const password of ["a b!#{}'", 'x', 'ab\\c d']) {
      const conf = renderKeepalivedConf(spec(instance({ version: 2, advertInterval: 1, authPassword: password })), {
        nodeName: 'd1',
      });
      const read = parseKeepalivedConfig('k.conf', conf, { readFile: () => '', glob: () => [] }).nodes;
      const auth = read
        .find((n) => n.keyword === 'vrrp_instance')!
        .children!.find((n) => n.keyword === 'authentication')!;
      expect(auth.children!.find((n) => n.keyword === 'auth_pass')!.args).toEqual([password]);
    }
  });

  it('renders an empty VRRP section for a node that only serves (global_defs alone)', () => {
    expect(renderKeepalivedConf({}, { nodeName: 'rs1' })).not.toContain('vrrp_instance');
  });
});
