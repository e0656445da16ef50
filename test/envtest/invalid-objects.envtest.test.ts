// The foundation's table of invalid objects (test/unit/validate/invalid-cases.ts) against a real
// kube-apiserver: every object the CRDs' own schema or CEL rules can judge is refused by the
// server too. What passes the server is named below with the reason: objects invalid only beside
// others (the server sees one object at a time) and two rules kept in code. The controller, run
// against the same server, reports each of those: in the object's Degraded condition, or for a
// Node (which has no status of ours) in a Warning Event, naming the field and the value.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cases as fieldCases } from '../unit/validate/invalid-cases.js';
import { urlCases } from '../unit/validate/invalid-url-cases.js';
import { vrrpCases } from '../unit/validate/invalid-vrrp-cases.js';
import { directors, rs, vs } from '../unit/validate/builders.js';
import { startControlPlane, type ControlPlane } from './apiserver.js';
import { eventually, runCli, type Running } from './support/processes.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const enabled = process.env.LVS_ENVTEST === '1';
const cases = [...fieldCases, ...urlCases, ...vrrpCases];

describe.skipIf(!enabled)('the invalid-object table in a real kube-apiserver', () => {
  let cp: ControlPlane;
  const kubectl = (args: string[], input?: string) =>
    spawnSync(join(cp.assets, 'kubectl'), ['--kubeconfig', cp.adminKubeconfig, ...args], {
      encoding: 'utf8',
      input,
      timeout: 60_000,
    });

  beforeAll(async () => {
    cp = await startControlPlane();
    for (const args of [
      ['apply', '--server-side', '-f', join(repo, 'crds')],
      ['wait', '--for=condition=Established', '--timeout=60s', '-f', join(repo, 'crds')],
    ]) {
      const r = kubectl(args);
      if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    }
  }, 60 * 60_000);

  let controller: Running | undefined;
  afterAll(async () => {
    await controller?.stop('SIGKILL');
    await cp?.stop();
  });

  // What only local validation (the controller) can refuse, and why the server cannot.
  const notForTheServer: Record<string, string> = {
    'real server is the VIP': 'the VIP is on another object (the VirtualService)',
    'NAT real server is the VIP': 'the VIP is on another object (the VirtualService)',
    'Node InternalIP not an IP': "a Node is Kubernetes' own kind, not ours",
    'non-contiguous netmask': 'checked in code: a CEL rule cannot parse the netmask',
    'sorry server of the other family': 'checked in code: CEL has no IP family test on this server',
  };

  it('accepts valid health-check urls: codes, ranges, a digest, a url of its own Host', () => {
    const urls = [
      { path: '/healthz', expectedStatus: ['200-299', '301', '599', '100-100'] },
      { path: '/index.html?x=1', host: 'www.example.com', digest: '9e107d9d372bb6826bd81d3542a419d6' },
    ];
    for (const object of [
      vs('urls', { address: '192.0.2.31', healthCheck: { type: 'HTTP', urls } }),
      rs('urls-1', { address: '198.51.100.31', healthCheck: { type: 'HTTPS', urls } as never }),
    ]) {
      const r = kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(object));
      expect(r.status, r.stderr).toBe(0);
    }
  });

  it('accepts valid tracked interfaces, VIP options and sync groups', () => {
    for (const object of [
      vs('track', {
        address: '192.0.2.32',
        directors: { interface: 'ens192' },
        vrrp: { trackInterfaces: [{ name: 'eth1' }, { name: 'bond0.100', weight: -253 }], syncGroup: 'pair' },
      }),
      vs('dev', {
        address: '192.0.2.33',
        vrrp: {
          vip: { interface: 'eth1', label: 'eth1:vip', scope: 'global', prefixLength: 24, broadcast: '+' },
          syncGroup: 'pair',
        },
      }),
      vs('label', {
        address: '192.0.2.34',
        directors: { interface: 'ens192' },
        vrrp: { vip: { label: 'ens192:34', scope: '200', prefixLength: 30, broadcast: '192.0.2.35' } },
      }),
      vs('v6', { address: '2001:db8::35', vrrp: { vip: { interface: 'eth1', prefixLength: 64 } } }),
    ]) {
      const r = kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(object));
      expect(r.status, r.stderr).toBe(0);
    }
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (name, { object }) => {
    const r = kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(object));
    if (name in notForTheServer) expect(r.status, `accepted: ${notForTheServer[name]}`).toBe(0);
    else expect(r.status, `the server accepted what local validation refuses: ${r.stdout}`).not.toBe(0);
  });

  describe('what passes the server, the controller reports', () => {
    const apply = (object: unknown) => {
      const r = kubectl(['apply', '-f', '-'], JSON.stringify(object));
      if (r.status !== 0) throw new Error(`kubectl apply: ${r.stderr}`);
    };
    const get = (args: string[]) => {
      const r = kubectl([...args, '-o', 'json']);
      return r.status === 0 ? JSON.parse(r.stdout) : undefined;
    };
    const degraded = (kind: string, name: string) =>
      get(['get', kind, name, '-n', 'default'])?.status?.conditions?.find(
        (c: { type: string }) => c.type === 'Degraded',
      );

    beforeAll(() => {
      // The valid neighbours of the unit table, as the server holds them.
      const neighbours = [
        vs('web'),
        vs('nat', { address: '192.0.2.20', forwarding: 'NAT' }),
        ...directors(),
        rs('web-1', { address: '198.51.100.1' }),
        rs('nat-1', { virtualServiceName: 'nat', address: '198.51.100.2' }),
      ];
      apply({ apiVersion: 'v1', kind: 'List', items: neighbours });
      controller = runCli([
        'controller',
        '--kubeconfig',
        cp.adminKubeconfig,
        '--no-leader-elect',
        '--resync-seconds',
        '5',
      ]);
    }, 60_000);

    it.each(cases.filter((c) => c.name in notForTheServer).map((c) => [c.name, c] as const))(
      '%s',
      async (_name, { object, field, value }) => {
        const kind = object.kind;
        const name = object.metadata.name!;
        apply(object);
        try {
          let message: string;
          if (kind === 'Node') {
            message = await eventually(
              () => {
                const events = get([
                  'get',
                  'events',
                  '-n',
                  'default',
                  '--field-selector',
                  `involvedObject.kind=Node,involvedObject.name=${name},reason=InvalidSpec`,
                ]);
                return events?.items?.[0]?.message as string | undefined;
              },
              30_000,
              `an InvalidSpec Event on Node ${name}`,
            );
          } else {
            const c = await eventually(
              () => {
                const d = degraded(`${kind.toLowerCase()}s`, name);
                return d?.reason === 'InvalidSpec' && d.message.includes(field) && d;
              },
              30_000,
              `${kind} ${name} Degraded InvalidSpec`,
            );
            expect(c.status).toBe('True');
            message = c.message;
          }
          expect(message).toContain(field);
          expect(message).toContain(JSON.stringify(value));
          // The valid neighbours are not blamed.
          for (const [k, n] of [
            ['virtualservices', 'web'],
            ['virtualservices', 'nat'],
            ['realservers', 'web-1'],
            ['realservers', 'nat-1'],
          ]) {
            expect(degraded(k!, n!)?.reason, `${k}/${n}`).not.toBe('InvalidSpec');
          }
        } finally {
          kubectl(['delete', `${kind.toLowerCase()}s`, name, '-n', 'default', '--wait=true', '--timeout=30s']);
        }
      },
      60_000,
    );
  });
});
