// The rendered keepalived.conf checked by the real keepalived (`keepalived -t`, its config test,
// exit 0 when it accepts the file). Needs Debian's keepalived; .ci/run installs it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LVSNodeSpec, VrrpInstancePlan } from '../../src/core/api/objects.js';
import { renderKeepalivedConf } from '../../src/core/keepalived/render.js';
import { plan } from '../../src/core/plan/plan.js';
import { loadExample } from '../unit/plan/example.js';
import { importTexts } from '../unit/keepalived-import/helpers.js';
import { keepalivedEquivalent } from '../../bench/keepalived-conf.js';
import { featuresSpec, instance } from '../unit/keepalived/plans.js';

// keepalived -t fails on an interface that does not exist, so the check runs in a network
// namespace of its own that has the interfaces the configs name (a veth pair: ens192 and eth0).
const netns = `lvs-kcheck-${process.pid}`;

function run(argv: string[]) {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${argv.join(' ')}: ${result.stderr}`);
}

beforeAll(() => {
  run(['ip', 'netns', 'add', netns]);
  run(['ip', '-n', netns, 'link', 'add', 'ens192', 'type', 'veth', 'peer', 'name', 'eth0']);
});
afterAll(() => run(['ip', 'netns', 'del', netns]));

function keepalivedCheck(conf: string): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lvs-keepalived-'));
  const file = join(dir, 'keepalived.conf');
  writeFileSync(file, conf);
  const run = spawnSync('ip', ['netns', 'exec', netns, 'keepalived', '--config-test', '--use-file', file], {
    encoding: 'utf8',
  });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('keepalived accepts what lvs-operator renders', () => {
  const seed = plan(loadExample('examples/seed-dr')).nodes;

  it.each(['lvs01', 'lvs02'])('the seed director %s', (name) => {
    expect(keepalivedCheck(renderKeepalivedConf(seed.get(name)!, { nodeName: name }))).toEqual({
      status: 0,
      output: '',
    });
  });

  it('sub-second VRRPv3, a VRRPv2 instance beside it, nopreempt, unicast and the notify FIFO', () => {
    const spec: LVSNodeSpec = {
      vrrp: {
        instances: [
          {
            name: 'VI_1',
            owners: ['a/b'],
            virtualRouterID: 1,
            version: 3,
            interface: 'eth0',
            virtualAddresses: ['192.0.2.100', '2001:db8::100'].slice(0, 1),
            priority: 100,
            initialState: 'BACKUP',
            advertInterval: 0.05,
            preempt: true,
            preemptDelay: 5,
          },
          {
            name: 'VI_2',
            owners: ['a/c'],
            virtualRouterID: 2,
            version: 2,
            interface: 'eth0',
            sourceAddress: '192.0.2.1',
            unicastPeers: ['192.0.2.2'],
            virtualAddresses: ['192.0.2.101'],
            priority: 90,
            initialState: 'BACKUP',
            advertInterval: 1,
            preempt: false,
            preemptDelay: 0,
            authPassword: 'secret',
          },
        ],
      },
    };
    expect(
      keepalivedCheck(renderKeepalivedConf(spec, { nodeName: 'd1', notifyFifo: '/run/lvs-operator/vrrp.fifo' })),
    ).toEqual({ status: 0, output: '' });
  });

  it("a password with a blank, # ! braces and ' (written in double quotes)", () => {
    const seedSpec = seed.get('lvs01')!;
    const instances = seedSpec.vrrp!.instances!.map((i) => ({
      ...i,
      version: 2 as const,
      advertInterval: 1,
      authPassword: "a b!#{}'",
    }));
    const conf = renderKeepalivedConf({ ...seedSpec, vrrp: { instances } }, { nodeName: 'lvs01' });
    expect(conf).toContain(`auth_pass "a b!#{}'"`);
    expect(keepalivedCheck(conf)).toEqual({ status: 0, output: '' });
  });

  it('HTTP_GET and SSL_GET with several urls, status_code lists and ranges and digests (the keepalived equivalent of a plan), read back by the importer', () => {
    const spec = structuredClone(seed.get('lvs01')!);
    const urls = [
      { path: '/ready', expectedStatus: ['200-299', '301', '302'], digest: '9e107d9d372bb6826bd81d3542a419d6' },
      { path: '/index.html?full=1', host: 'www.example.com', expectedStatus: ['200'] },
    ];
    const [first, second] = spec.ipvs!.services![0]!.destinations;
    first!.healthCheck = { ...first!.healthCheck, type: 'HTTP', urls };
    second!.healthCheck = { ...second!.healthCheck, type: 'HTTPS', path: '/healthz', expectedStatus: 204 };
    const conf = keepalivedEquivalent(spec, 'lvs01', 'ens192');
    expect(conf).toContain('status_code 200-299 301 302');
    expect(conf).toContain('digest 9e107d9d372bb6826bd81d3542a419d6');
    expect(keepalivedCheck(conf)).toEqual({ status: 0, output: '' });
    const realServers = importTexts({ 'keepalived.conf': conf }).objects.filter((o) => o.kind === 'RealServer');
    const checks = realServers.map((r) => (r.spec as { healthCheck?: Record<string, unknown> }).healthCheck);
    expect(checks[0]).toMatchObject({ type: 'HTTP', urls });
    expect(checks[1]).toMatchObject({ type: 'HTTPS', path: '/healthz', expectedStatus: 204 });
  });

  it('tracked interfaces with and without a weight, a VIP on another device with its label, scope, prefix and broadcast, and a sync group with tracking weights', () => {
    expect(keepalivedCheck(renderKeepalivedConf(featuresSpec, { nodeName: 'd1' }))).toEqual({ status: 0, output: '' });
  });

  it.each([
    [
      'every scope name and number',
      ['global', 'site', 'link', 'host', 'nowhere', '0', '255'].map((scope) => ({ scope })),
    ],
    ['brd -, + and an address', ['-', '+', '192.0.2.255'].map((broadcast) => ({ prefixLength: 24, broadcast }))],
    ['a /30 with brd +, a /1', [{ prefixLength: 30, broadcast: '+' }, { prefixLength: 1 }]],
  ] as [string, VrrpInstancePlan['virtualAddressOptions'][]][])('VIP options: %s', (_what, options) => {
    const instances = options.map((virtualAddressOptions, i) =>
      instance({
        name: `VI_${i + 1}`,
        virtualRouterID: i + 1,
        virtualAddresses: [`192.0.2.${100 + i}`],
        virtualAddressOptions,
      }),
    );
    expect(keepalivedCheck(renderKeepalivedConf({ vrrp: { instances } }, { nodeName: 'd1' }))).toEqual({
      status: 0,
      output: '',
    });
  });

  it('a sync group of instances without weights, and a plan of VirtualServices in one sync group', () => {
    const spec: LVSNodeSpec = {
      vrrp: {
        syncGroups: [{ name: 'prod_pair', instances: ['VI_1', 'VI_2'] }],
        instances: [
          instance({ name: 'VI_1', virtualRouterID: 1, trackInterfaces: [{ name: 'ens192', weight: 0 }] }),
          instance({ name: 'VI_2', virtualRouterID: 2, virtualAddresses: ['192.0.2.101'] }),
        ],
      },
    };
    const conf = renderKeepalivedConf(spec, { nodeName: 'd1' });
    expect(conf).not.toContain('sync_group_tracking_weight');
    expect(keepalivedCheck(conf)).toEqual({ status: 0, output: '' });
  });

  it('what keepalived reports and the validation refuses: a weight of 254, a sync group of one instance', () => {
    const heavy = renderKeepalivedConf(
      { vrrp: { instances: [instance({ trackInterfaces: [{ name: 'ens192', weight: 253 }] })] } },
      { nodeName: 'd1' },
    ).replace('weight 253', 'weight 254');
    expect(keepalivedCheck(heavy).output).toMatch(/cannot be \+\/-254/);
    const lonely = renderKeepalivedConf({ vrrp: { instances: [instance()] } }, { nodeName: 'd1' }).replace(
      '\nvrrp_instance',
      '\nvrrp_sync_group g {\n    group {\n        VI_7\n    }\n}\nvrrp_instance',
    );
    expect(keepalivedCheck(lonely).output).toMatch(/only 1 virtual router/);
  });

  it('the check itself fails on a broken file and on a missing interface (so the tests above can fail)', () => {
    expect(keepalivedCheck('vrrp_instance X {\n    advert_int 0.1x\n}\n').status).not.toBe(0);
    const seedConf = renderKeepalivedConf(seed.get('lvs01')!, { nodeName: 'lvs01' });
    expect(keepalivedCheck(seedConf.replace('interface ens192', 'interface ens999')).status).not.toBe(0);
  });
});
