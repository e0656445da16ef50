// The CRDs in a real kube-apiserver (test/envtest/apiserver.ts): they install and become
// Established, the seed example applies, the apiserver fills in the schema's defaults, and RBAC
// is real (a user with no binding is refused, one whose group is bound is let in).
// Runs only with LVS_ENVTEST=1 (npm test skips it); the first run may build the binaries
// (scripts/envtest-assets.sh: about 20 min on 2 busy cores) unless KUBEBUILDER_ASSETS holds them.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from './apiserver.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const enabled = process.env.LVS_ENVTEST === '1';

describe.skipIf(!enabled)('CRDs in a real kube-apiserver (envtest)', () => {
  let cp: ControlPlane;

  /** Runs kubectl with a kubeconfig; never throws, so tests can look at refusals. */
  const kubectl = (kubeconfig: string, args: string[], input?: string) => {
    const r = spawnSync(join(cp.assets, 'kubectl'), ['--kubeconfig', kubeconfig, ...args], {
      encoding: 'utf8',
      input,
      timeout: 60_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const admin = (args: string[], input?: string) => {
    const r = kubectl(cp.adminKubeconfig, args, input);
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  beforeAll(async () => {
    cp = await startControlPlane();
    admin(['apply', '--server-side', '-f', join(repo, 'crds')]);
    admin(['wait', '--for=condition=Established', '--timeout=60s', '-f', join(repo, 'crds')]);
  }, 60 * 60_000); // a first run builds kube-apiserver, etcd and kubectl

  afterAll(async () => {
    await cp?.stop();
  });

  it('applies the seed example and fills in the defaults the example leaves out', () => {
    admin(['apply', '--server-side', '-f', join(repo, 'examples/seed-dr')]);
    const vs = JSON.parse(admin(['get', 'virtualservices.lvs-operator.io', 'web', '-n', 'default', '-o', 'json']));
    expect(vs.spec.vrrp).toMatchObject({ virtualRouterID: 10, preempt: true, preemptDelay: 0, unicast: false });
    expect(vs.spec.vrrp.authSecretRef).toEqual({ name: 'vrrp-auth', key: 'password' });
    expect(vs.spec.connectionSync).toEqual({ enabled: true });
    expect(vs.spec.healthCheck).toMatchObject({ type: 'TCP', interval: 6, onFailure: 'Remove' });
  });

  it('defaults a minimal VirtualService, healthCheck included', () => {
    const minimal = {
      apiVersion: 'lvs-operator.io/v1alpha1',
      kind: 'VirtualService',
      metadata: { name: 'minimal', namespace: 'default' },
      spec: { address: '192.0.2.10', port: 443 },
    };
    admin(['apply', '--server-side', '-f', '-'], JSON.stringify(minimal));
    const vs = JSON.parse(admin(['get', 'virtualservices.lvs-operator.io', 'minimal', '-n', 'default', '-o', 'json']));
    expect(vs.spec).toMatchObject({ protocol: 'TCP', scheduler: 'wlc', forwarding: 'DR' });
    expect(vs.spec.directors.nodeSelector).toEqual({ 'lvs-operator.io/director': 'true' });
    expect(vs.spec.healthCheck).toEqual({
      type: 'TCP',
      interval: 2,
      timeout: 1,
      retries: 1,
      retryDelay: 1,
      onFailure: 'Inhibit',
    });
  });

  it('refuses a user with no RBAC binding (403) and lets in one whose group is bound', () => {
    const nobody = kubectl(cp.kubeconfigFor('nobody', ['lvs-envtest:nothing']), ['get', 'virtualservices', '-A']);
    expect(nobody.status).not.toBe(0);
    expect(nobody.stderr).toContain('(Forbidden)');
    expect(nobody.stderr).toContain('User "nobody" cannot list resource "virtualservices"');

    // The group comes from the certificate's O, so binding the group is enough.
    admin([
      'create',
      'clusterrole',
      'vs-reader',
      '--verb=get,list,watch',
      '--resource=virtualservices.lvs-operator.io',
    ]);
    admin(['create', 'clusterrolebinding', 'vs-readers', '--clusterrole=vs-reader', '--group=lvs-envtest:readers']);
    const reader = kubectl(cp.kubeconfigFor('reader', ['lvs-envtest:readers']), [
      'get',
      'virtualservices',
      '-A',
      '-o',
      'name',
    ]);
    expect(reader.stderr).toBe('');
    expect(reader.stdout.split('\n')).toContain('virtualservice.lvs-operator.io/web');
  });
});
