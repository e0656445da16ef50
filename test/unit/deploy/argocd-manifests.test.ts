// deploy/argocd's files read as data: the argocd-cm patch holds the two health scripts verbatim and
// the Applications are what its README says. The scripts' verdicts are tested by running them as
// Argo CD does, in test/deploy/argocd-health.test.ts.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const argocd = join(root, 'deploy', 'argocd');
const VS_SCRIPT = join(argocd, 'health-virtualservice.lua');
const RS_SCRIPT = join(argocd, 'health-realserver.lua');

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
