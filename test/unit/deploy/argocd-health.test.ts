import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const argocd = join(root, 'deploy', 'argocd');
const runner = join(here, 'run-health.lua');
const VS_SCRIPT = join(argocd, 'health-virtualservice.lua');
const RS_SCRIPT = join(argocd, 'health-realserver.lua');

type Health = { status: string; message?: string };
type Condition = { type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string };

/** Runs a health script with lua5.4 as Argo CD would, with `obj` set to the object. */
function health(script: string, obj: unknown): Health {
  const run = spawnSync('lua5.4', [runner, script], { input: JSON.stringify(obj), encoding: 'utf8' });
  if (run.error) throw new Error(`lua5.4 (Debian packages lua5.4 and lua-dkjson) could not run: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`run-health.lua exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Health;
}

function cond(type: string, status: Condition['status'], reason: string, message: string): Condition {
  return { type, status, reason, message };
}

function object(kind: string, generation: number, status?: { observedGeneration?: number; conditions: Condition[] }) {
  return {
    apiVersion: 'lvs-operator.io/v1alpha1',
    kind,
    metadata: { name: 'web', namespace: 'default', generation },
    spec: {},
    ...(status ? { status } : {}),
  };
}

const vs = (conditions: Condition[], generation = 2, observedGeneration = generation) =>
  object('VirtualService', generation, { observedGeneration, conditions });
const rs = (conditions: Condition[], generation = 1, observedGeneration = generation) =>
  object('RealServer', generation, { observedGeneration, conditions });

const asExpected = cond('Degraded', 'False', 'AsExpected', 'every director is programmed and every real server is healthy');
const programmed = cond('Programmed', 'True', 'Programmed', 'programmed on lvs01, lvs02');

describe('Argo CD health check for VirtualService', () => {
  it('is Healthy with the Ready message when Ready is True', () => {
    const ready = cond('Ready', 'True', 'Ready', 'lvs01 holds 172.16.40.160; 2/2 real servers healthy');
    expect(health(VS_SCRIPT, vs([ready, programmed, asExpected]))).toEqual({ status: 'Healthy', message: ready.message });
  });

  it('stays Healthy while some real servers are down (Degraded True, reason Degraded)', () => {
    const ready = cond('Ready', 'True', 'Ready', 'lvs01 holds 172.16.40.160; 1/2 real servers healthy');
    const degraded = cond('Degraded', 'True', 'Degraded', '1/2 real servers unhealthy');
    expect(health(VS_SCRIPT, vs([ready, programmed, degraded])).status).toBe('Healthy');
  });

  it('is Progressing, waiting for the controller, for a new object without status', () => {
    expect(health(VS_SCRIPT, object('VirtualService', 1))).toEqual({
      status: 'Progressing',
      message: 'waiting for the controller',
    });
  });

  it('is Progressing while status.observedGeneration is behind metadata.generation, even if Ready', () => {
    const ready = cond('Ready', 'True', 'Ready', 'lvs01 holds 172.16.40.160; 2/2 real servers healthy');
    const h = health(VS_SCRIPT, vs([ready, programmed, asExpected], 3, 2));
    expect(h.status).toBe('Progressing');
    expect(h.message).toMatch(/^waiting for the controller/);
  });

  it('is Progressing with the message while not yet programmed (NotProgrammed)', () => {
    const message = 'lvs02: not yet applied';
    const h = health(
      VS_SCRIPT,
      vs([
        cond('Ready', 'False', 'NotProgrammed', message),
        cond('Programmed', 'False', 'Pending', message),
        cond('Degraded', 'True', 'Degraded', `not programmed: ${message}`),
      ]),
    );
    expect(h).toEqual({ status: 'Progressing', message });
  });

  it.each([
    ['NoHealthyRealServers', 'no healthy real server on lvs01'],
    ['NoMaster', 'no director holds the VIP'],
    ['NoDirectors', 'no Node matches spec.directors'],
  ])('is Degraded with the message when Ready is False with reason %s', (reason, message) => {
    expect(health(VS_SCRIPT, vs([cond('Ready', 'False', reason, message), programmed, asExpected]))).toEqual({
      status: 'Degraded',
      message,
    });
  });

  it('is Degraded for an invalid spec (Ready and Degraded with reason InvalidSpec)', () => {
    const message = 'spec.address: 172.16.40.151 is the address of real server default/nginx01';
    const h = health(
      VS_SCRIPT,
      vs([
        cond('Ready', 'False', 'InvalidSpec', message),
        cond('Programmed', 'False', 'InvalidSpec', message),
        cond('Degraded', 'True', 'InvalidSpec', message),
      ]),
    );
    expect(h).toEqual({ status: 'Degraded', message });
  });

  it('is Degraded for an invalid spec even while the last valid version serves (Ready True)', () => {
    const message = 'invalid, keeping its last valid version: spec.vrrp.authSecretRef: Secret default/nope not found';
    const ready = cond('Ready', 'True', 'Ready', 'lvs01 holds 172.16.40.160; 2/2 real servers healthy');
    expect(health(VS_SCRIPT, vs([ready, programmed, cond('Degraded', 'True', 'InvalidSpec', message)]))).toEqual({
      status: 'Degraded',
      message,
    });
  });

  it('is Progressing when the status has no Ready condition yet', () => {
    expect(health(VS_SCRIPT, vs([])).status).toBe('Progressing');
  });
});

describe('Argo CD health check for RealServer', () => {
  const noIssue = cond('Degraded', 'False', 'AsExpected', 'healthy on every director');

  it('is Healthy when Ready is True', () => {
    const ready = cond('Ready', 'True', 'Healthy', 'healthy on lvs01, the master');
    expect(health(RS_SCRIPT, rs([ready, noIssue]))).toEqual({ status: 'Healthy', message: ready.message });
  });

  it('is Degraded when Degraded is True', () => {
    const degraded = cond('Degraded', 'True', 'Unhealthy', 'unhealthy on lvs01, lvs02');
    const ready = cond('Ready', 'False', 'Unhealthy', 'unhealthy on lvs01, the master: connection refused');
    expect(health(RS_SCRIPT, rs([ready, degraded]))).toEqual({ status: 'Degraded', message: degraded.message });
  });

  it('is Progressing otherwise (not checked yet, no master, not planned)', () => {
    const ready = cond('Ready', 'False', 'Unhealthy', 'not checked yet on lvs01, the master');
    expect(health(RS_SCRIPT, rs([ready, noIssue]))).toEqual({ status: 'Progressing', message: ready.message });
    expect(health(RS_SCRIPT, object('RealServer', 1)).status).toBe('Progressing');
    expect(health(RS_SCRIPT, rs([ready, noIssue], 2, 1)).status).toBe('Progressing');
  });
});

describe('deploy/argocd manifests', () => {
  it('argocd-cm-patch.yaml embeds the two .lua files exactly', () => {
    const cm = parse(readFileSync(join(argocd, 'argocd-cm-patch.yaml'), 'utf8'));
    expect(cm).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm' } });
    expect(cm.data).toEqual({
      'resource.customizations.health.lvs-operator.io_VirtualService': readFileSync(VS_SCRIPT, 'utf8'),
      'resource.customizations.health.lvs-operator.io_RealServer': readFileSync(RS_SCRIPT, 'utf8'),
    });
  });

  function application(file: string) {
    const docs = parseAllDocuments(readFileSync(join(argocd, file), 'utf8'));
    expect(docs).toHaveLength(1);
    const [doc] = docs;
    expect(doc!.errors).toEqual([]);
    const app = doc!.toJS();
    expect(app).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' });
    expect(app.spec.source.repoURL).toBe('https://github.com/example/lvs-operator.git');
    expect(app.spec.destination.server).toBe('https://kubernetes.default.svc');
    expect(app.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    return app;
  }

  it('application.yaml installs the chart into lvs-operator-system in wave 0', () => {
    const app = application('application.yaml');
    expect(app.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('0');
    expect(app.spec.source.path).toBe('deploy/helm/lvs-operator');
    expect(app.spec.destination.namespace).toBe('lvs-operator-system');
    expect(app.spec.syncPolicy.syncOptions).toContain('CreateNamespace=true');
    // Deleting the Application must not delete the CRDs, and with them every object of their kinds.
    expect(app.metadata.finalizers ?? []).toEqual([]);
  });

  it('seed-application.yaml syncs examples/seed-dr, without its Nodes, in wave 1', () => {
    const app = application('seed-application.yaml');
    expect(app.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
    expect(app.spec.source.path).toBe('examples/seed-dr');
    expect(app.spec.source.directory.exclude).toBe('nodes.yaml');
    for (const file of ['virtualservice.yaml', 'realservers.yaml', 'secret.yaml', 'nodes.yaml'])
      expect(() => readFileSync(join(root, 'examples', 'seed-dr', file))).not.toThrow();
  });
});
