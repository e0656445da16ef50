// The controller against a real kube-apiserver and etcd, with the credentials and RBAC of deploy/
// (the controller and the agents authenticate as their ServiceAccounts' users, whose client
// certificates this harness issues). The agents' side is played by the test with the agent's
// credentials: it writes LVSNode status as an agent does (the agent's own loop is tested on a
// real kernel by the e2e suite). Runs with LVS_ENVTEST=1, like the other envtest files.
// At each stage, the objects the controller wrote are also judged by deploy/argocd's health checks
// as Argo CD runs them (test/argocd-lua).
/* eslint-disable @typescript-eslint/no-explicit-any -- objects read back from kubectl are loose JSON */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stableJson } from '../../src/core/api/stable-json.js';
import { argoHealth, argoHealthBinary, healthScripts } from '../argocd-lua/health.js';
import { startControlPlane, type ControlPlane } from './apiserver.js';
import { eventually, runCli, type Running } from './support/processes.js';
import { startProxy, type CuttableProxy } from './support/proxy.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const enabled = process.env.LVS_ENVTEST === '1';
const NS = 'lvs-operator-system';

interface Obj {
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion: string;
    generation?: number;
    finalizers?: string[];
    deletionTimestamp?: string;
  };
  spec?: Record<string, any>;
  status?: Record<string, any>;
}

describe.skipIf(!enabled)('the controller against a real API server (envtest)', () => {
  let cp: ControlPlane;
  let controllerKubeconfig: string;
  let agentKubeconfig: string;
  const running: Running[] = [];

  const kubectl = (kubeconfig: string, args: string[], input?: string) =>
    spawnSync(join(cp.assets, 'kubectl'), ['--kubeconfig', kubeconfig, ...args], {
      encoding: 'utf8',
      input,
      timeout: 60_000,
    });
  const admin = (args: string[], input?: string) => {
    const r = kubectl(cp.adminKubeconfig, args, input);
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const get = <T = Obj>(what: string, name: string, namespace = 'default'): T | undefined => {
    const r = kubectl(cp.adminKubeconfig, ['get', what, name, '-n', namespace, '-o', 'json']);
    return r.status === 0 ? (JSON.parse(r.stdout) as T) : undefined;
  };
  const list = (what: string): Obj[] => JSON.parse(admin(['get', what, '-A', '-o', 'json'])).items;
  const condition = (o: Obj | undefined, type: string) =>
    o?.status?.conditions?.find((c: { type: string }) => c.type === type);

  const startController = (extra: string[] = [], kubeconfig = controllerKubeconfig) => {
    const c = runCli([
      'controller',
      '--kubeconfig',
      kubeconfig,
      '--lease-namespace',
      NS,
      '--resync-seconds',
      '5',
      ...extra,
    ]);
    running.push(c);
    return c;
  };

  /** A RealServer's weight in lvs01's LVSNode. */
  const weightOnLvs01 = (realServer: string) =>
    get('lvsnodes', 'lvs01')?.spec?.ipvs.services[0].destinations.find(
      (d: { owner: string }) => d.owner === `default/${realServer}`,
    )?.weight;

  /** A kubeconfig with a token of the ServiceAccount from deploy/manifests, the rendered chart (TokenRequest, as a pod gets). */
  const serviceAccountKubeconfig = (name: string) => {
    const token = admin(['create', 'token', name, '-n', NS, '--duration', '2h']).trim();
    const config = JSON.parse(readFileSync(cp.adminKubeconfig, 'utf8'));
    config.users = [{ name, user: { token } }];
    config.contexts = [{ name, context: { cluster: config.clusters[0].name, user: name } }];
    config['current-context'] = name;
    const file = join(cp.dir, `${name}.kubeconfig`);
    writeFileSync(file, JSON.stringify(config));
    return file;
  };

  /** What `lvs-operator plan` says the node's LVSNode spec is, from the same example files. */
  const planned = (node: string) => {
    const r = spawnSync(
      process.execPath,
      [
        join(repo, 'dist/cli.js'),
        'plan',
        '--manifests',
        join(repo, 'examples/seed-dr'),
        '--node',
        node,
        '--output',
        'json',
      ],
      { encoding: 'utf8' },
    );
    return JSON.parse(r.stdout).spec;
  };

  /** Plays a node's agent: writes its LVSNode status with the agent's credentials. */
  const reportAsAgent = (node: string, status: (lvsNode: Obj) => Record<string, unknown>) => {
    const lvsNode = get('lvsnodes', node)!;
    const body = JSON.stringify({ status: status(lvsNode) });
    const r = kubectl(agentKubeconfig, ['patch', 'lvsnodes', node, '--subresource=status', '--type=merge', '-p', body]);
    if (r.status !== 0) throw new Error(`agent status for ${node}: ${r.stderr}`);
  };
  /** The seed's agents, all applied and healthy, lvs01 holding the VIP. */
  const agentsReportHealthy = (masterNode = 'lvs01') => {
    for (const lvsNode of list('lvsnodes')) {
      const name = lvsNode.metadata.name;
      reportAsAgent(name, (n) => {
        const service = n.spec?.ipvs?.services?.[0];
        return {
          appliedGeneration: n.metadata.generation,
          lastError: '',
          vrrp: (n.spec?.vrrp?.instances ?? []).map((i: { name: string }) => ({
            name: i.name,
            state: name === masterNode ? 'MASTER' : 'BACKUP',
          })),
          destinations: service
            ? service.destinations.map((d: { owner: string; address: string; port: number }) => ({
                service: `${service.protocol}/${service.address}:${service.port}`,
                owner: d.owner,
                address: d.address,
                port: d.port,
                healthy: true,
              }))
            : [],
        };
      });
    }
  };

  beforeAll(async () => {
    cp = await startControlPlane();
    admin(['apply', '--server-side', '-f', join(repo, 'crds')]);
    admin(['wait', '--for=condition=Established', '--timeout=60s', '-f', join(repo, 'crds')]);
    // The chart as kubectl users install it: its ServiceAccounts and RBAC are what the controller and
    // the agents run with here.
    admin(['apply', '--server-side', '-f', join(repo, 'deploy/manifests')]);
    controllerKubeconfig = serviceAccountKubeconfig('lvs-operator-controller');
    agentKubeconfig = serviceAccountKubeconfig('lvs-operator-agent');
    argoHealthBinary();
  }, 60 * 60_000);

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop('SIGKILL')));
    await cp?.stop();
  }, 120_000);

  it('takes the rendered chart whole (server-side apply): CRDs, RBAC, the controller Deployment and the agent DaemonSet', () => {
    const names = admin(['get', 'deployments,daemonsets,serviceaccounts', '-n', NS, '-o', 'name']).trim().split('\n');
    expect(names).toEqual(
      expect.arrayContaining([
        'deployment.apps/lvs-operator-controller',
        'daemonset.apps/lvs-operator-agent',
        'serviceaccount/lvs-operator-controller',
        'serviceaccount/lvs-operator-agent',
      ]),
    );
  });

  it('writes the LVSNode specs the planner gives for the seed example applied with kubectl', async () => {
    const controller = startController();
    await controller.waitForLog((l) => l.msg === 'leading');
    admin(['apply', '-f', join(repo, 'examples/seed-dr/')]);
    for (const node of ['lvs01', 'lvs02', 'nginx01', 'nginx02']) {
      const lvsNode = await eventually(() => get('lvsnodes', node), 30_000, `LVSNode ${node}`);
      await eventually(
        () => stableJson(get('lvsnodes', node)?.spec) === stableJson(planned(node)),
        30_000,
        `${node}'s spec`,
      );
      expect(lvsNode.metadata.name).toBe(node);
    }
    const vs = await eventually(() => get('virtualservices', 'web'));
    expect(vs.metadata.finalizers).toContain('lvs-operator.io/cleanup');
    // Nothing is applied yet: not programmed, not ready.
    const notYet = await eventually(() => condition(get('virtualservices', 'web'), 'Programmed'));
    expect(notYet).toMatchObject({ status: 'False', reason: 'Pending', observedGeneration: vs.metadata.generation });
    expect(await argoHealth(healthScripts.VirtualService!, get('virtualservices', 'web'))).toEqual({
      status: 'Progressing',
      message: notYet.message,
    });
    expect((await argoHealth(healthScripts.RealServer!, get('realservers', 'nginx01'))).status).toBe('Progressing');
  }, 120_000);

  it('makes the VirtualService Ready once the agents report their plans applied and a master', async () => {
    agentsReportHealthy('lvs01');
    const vs = await eventually(() => {
      const v = get('virtualservices', 'web');
      return condition(v, 'Ready')?.status === 'True' && v;
    });
    expect(vs!.status).toMatchObject({ master: 'lvs01', readyRealServers: '2/2', virtualRouterID: 10 });
    expect(condition(vs, 'Programmed')).toMatchObject({ status: 'True' });
    expect(condition(vs, 'Degraded')).toMatchObject({ status: 'False' });
    expect(vs!.status!.directors).toEqual([
      { node: 'lvs01', programmed: true, vrrpState: 'MASTER' },
      { node: 'lvs02', programmed: true, vrrpState: 'BACKUP' },
    ]);
    const rs = await eventually(() => {
      const r = get('realservers', 'nginx01');
      return condition(r, 'Ready')?.status === 'True' && r;
    });
    expect(rs!.status).toMatchObject({ healthyDirectors: '2/2', address: '172.16.40.151' });
    expect(await argoHealth(healthScripts.VirtualService!, vs)).toEqual({
      status: 'Healthy',
      message: 'lvs01 holds 172.16.40.160; 2/2 real servers healthy',
    });
    expect(await argoHealth(healthScripts.RealServer!, rs)).toEqual({
      status: 'Healthy',
      message: 'healthy on lvs01, the master',
    });
    // The printer columns show it.
    expect(admin(['get', 'virtualservices', 'web'])).toMatch(/lvs01\s+2\/2/);
  }, 120_000);

  it('refuses the agent anything beyond reading LVSNodes and writing their status', () => {
    expect(
      kubectl(agentKubeconfig, ['patch', 'lvsnodes', 'lvs01', '--type=merge', '-p', '{"spec":{}}']).stderr,
    ).toMatch(/forbidden/);
    expect(kubectl(agentKubeconfig, ['get', 'virtualservices', '-A']).stderr).toMatch(/forbidden/);
    expect(kubectl(agentKubeconfig, ['get', 'secrets', '-A']).stderr).toMatch(/forbidden/);
    expect(kubectl(controllerKubeconfig, ['get', 'secrets', '-A']).stderr).toMatch(/forbidden/);
  }, 120_000);

  it("carries a RealServer weight edit into the directors' LVSNodes in one reconcile", async () => {
    const before = get('lvsnodes', 'lvs01')!;
    admin(['patch', 'realservers', 'nginx02', '--type=merge', '-p', '{"spec":{"weight":3}}']);
    const after = await eventually(() => {
      const n = get('lvsnodes', 'lvs01')!;
      return n.metadata.generation !== before.metadata.generation && n;
    });
    const weights = after.spec!.ipvs.services[0].destinations.map((d: { owner: string; weight: number }) => [
      d.owner,
      d.weight,
    ]);
    expect(weights).toEqual([
      ['default/nginx01', 1],
      ['default/nginx02', 3],
    ]);
    // One write: the generation moved by one.
    expect(after.metadata.generation).toBe(before.metadata.generation! + 1);
    agentsReportHealthy('lvs01');
  }, 120_000);

  it('writes nothing new when the controller restarts', async () => {
    await eventually(() => condition(get('virtualservices', 'web'), 'Ready')?.status === 'True');
    const versions = () =>
      ['lvsnodes', 'virtualservices', 'realservers'].flatMap((kind) =>
        list(kind).map((o) => `${kind}/${o.metadata.name}@${o.metadata.resourceVersion}`),
      );
    for (const r of running.splice(0)) await r.stop('SIGTERM');
    const before = versions();
    const controller = startController();
    await controller.waitForLog((l) => l.msg === 'caches synced', 60_000);
    // Two resyncs (5 s each) pass without a write.
    await new Promise((r) => setTimeout(r, 11_000));
    expect(controller.lines.filter((l) => l.msg === 'applying LVSNode' || l.msg === 'writing status')).toEqual([]);
    expect(versions().filter((v) => !before.includes(v))).toEqual([]);
  }, 120_000);

  it('recovers a watch whose connection went silent, and one that was reset', async () => {
    for (const r of running.splice(0)) await r.stop('SIGTERM');
    const proxy: CuttableProxy = await startProxy(new URL(cp.url));
    try {
      const viaProxy = join(cp.dir, 'controller-via-proxy.kubeconfig');
      const config = JSON.parse(readFileSync(controllerKubeconfig, 'utf8'));
      config.clusters[0].cluster.server = proxy.url;
      writeFileSync(viaProxy, JSON.stringify(config));
      const controller = startController(['--watch-quiet-seconds', '3', '--resync-seconds', '3600'], viaProxy);
      await controller.waitForLog((l) => l.msg === 'caches synced', 60_000);
      // Silent: the connections stay open and carry nothing. Only the watchdog can notice.
      proxy.freeze();
      admin(['patch', 'realservers', 'nginx02', '--type=merge', '-p', '{"spec":{"weight":4}}']);
      await eventually(() => weightOnLvs01('nginx02') === 4, 30_000, 'weight 4 after a silent watch');
      expect(controller.lines.some((l) => l.msg === 'watch quiet, listing again')).toBe(true);
      // Reset: every connection is torn down; the informers start again.
      proxy.reset();
      admin(['patch', 'realservers', 'nginx02', '--type=merge', '-p', '{"spec":{"weight":5}}']);
      await eventually(() => weightOnLvs01('nginx02') === 5, 30_000, 'weight 5 after a reset');
      await controller.stop('SIGTERM');
      running.splice(running.indexOf(controller), 1);
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it('reports an object the API server lets through but the controller refuses, naming the field and value, and keeps the rest working', async () => {
    startController();
    // A real server at the VIP passes the schema; only the controller can see it is the VIP.
    admin(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'lvs-operator.io/v1alpha1',
        kind: 'RealServer',
        metadata: { name: 'at-the-vip', namespace: 'default' },
        spec: { virtualServiceName: 'web', address: '172.16.40.160', port: 80 },
      }),
    );
    const degraded = await eventually(() => {
      const c = condition(get('realservers', 'at-the-vip'), 'Degraded');
      return c?.reason === 'InvalidSpec' && c;
    });
    expect(degraded.message).toMatch(/spec\.address/);
    expect(degraded.message).toContain('172.16.40.160');
    expect(await argoHealth(healthScripts.RealServer!, get('realservers', 'at-the-vip'))).toEqual({
      status: 'Degraded',
      message: degraded.message,
    });
    const events = admin([
      'get',
      'events',
      '-n',
      'default',
      '--field-selector',
      'involvedObject.name=at-the-vip',
      '-o',
      'json',
    ]);
    expect(JSON.parse(events).items.map((e: { reason: string }) => e.reason)).toContain('InvalidSpec');
    // The directors' plans did not take it in; web stays programmed.
    const destinations = get('lvsnodes', 'lvs01')!.spec!.ipvs.services[0].destinations.map(
      (d: { owner: string }) => d.owner,
    );
    expect(destinations).toEqual(['default/nginx01', 'default/nginx02']);
    admin(['delete', 'realservers', 'at-the-vip']);
  }, 120_000);

  it('holds a deleted VirtualService until every node has applied a plan without it, then lets it go', async () => {
    admin(['delete', 'virtualservices', 'web', '--wait=false']);
    // The plans drop it at once; the object waits for the agents.
    await eventually(
      () => (get('lvsnodes', 'lvs01')?.spec?.ipvs?.services ?? []).length === 0 || !get('lvsnodes', 'lvs01'),
      30_000,
      'lvs01 without web',
    );
    const held = get('virtualservices', 'web');
    expect(held?.metadata.deletionTimestamp).toBeDefined();
    expect(await argoHealth(healthScripts.VirtualService!, held)).toEqual({
      status: 'Progressing',
      message: 'Pending deletion',
    });
    // The agents apply the empty plans; the controller removes the finalizer, and then the
    // LVSNodes of nodes that take part in nothing any more.
    await eventually(
      () => {
        for (const n of list('lvsnodes'))
          reportAsAgent(n.metadata.name, (o) => ({ appliedGeneration: o.metadata.generation, lastError: '' }));
        return get('virtualservices', 'web') === undefined;
      },
      60_000,
      'web deleted',
    );
    await eventually(
      () => {
        for (const n of list('lvsnodes'))
          reportAsAgent(n.metadata.name, (o) => ({ appliedGeneration: o.metadata.generation, lastError: '' }));
        return list('lvsnodes').length === 0;
      },
      60_000,
      'LVSNodes deleted',
    );
  }, 120_000);

  it('elects one leader among two replicas and hands over when it dies', async () => {
    for (const r of running.splice(0)) await r.stop('SIGTERM');
    const a = startController();
    await a.waitForLog((l) => l.msg === 'leading', 30_000);
    const b = startController();
    await b.waitForLog((l) => l.msg === 'controller starting');
    await new Promise((r) => setTimeout(r, 4_000));
    expect(b.lines.some((l) => l.msg === 'leading')).toBe(false);
    const lease = get<{ spec: { holderIdentity: string } }>('leases', 'lvs-operator-controller', NS)!;
    expect(lease.spec.holderIdentity).toBe(a.lines.find((l) => l.msg === 'leading')!.identity);
    // The leader dies without releasing: the other takes over once the Lease expires (15 s).
    await a.stop('SIGKILL');
    const bLeads = await b.waitForLog((l) => l.msg === 'leading', 40_000);
    expect(bLeads.from).toBe('expired');
    // And it works: the seed applied again is planned by the new leader.
    admin(['apply', '-f', join(repo, 'examples/seed-dr/')]);
    await eventually(() => get('lvsnodes', 'lvs01'), 30_000, 'LVSNode lvs01 from the new leader');
    // A clean stop hands over at once (the Lease is released).
    const c = startController();
    await c.waitForLog((l) => l.msg === 'controller starting');
    await b.stop('SIGTERM');
    expect(b.lines.map((l) => l.msg)).toContain('lease released');
    expect(
      get<{ spec: { holderIdentity: string } }>('leases', 'lvs-operator-controller', NS)?.spec.holderIdentity,
    ).not.toBe(bLeads.identity);
    // without waiting for the expiry: the Lease it took was the released one
    const cLeads = await c.waitForLog((l) => l.msg === 'leading', 30_000);
    expect(cLeads.from).toBe('released');
  }, 120_000);
});
