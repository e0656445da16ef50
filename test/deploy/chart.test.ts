// The install paths' files: the Helm chart (helm lint, and helm template with default and
// non-default values, read back as objects), the rendered manifests for kubectl (up to date with
// the chart and its CRDs with crds/), and the Dockerfile (linted). helm comes from scripts/helm.sh
// (helm on PATH, or built once from its Go module); LVS_HELM names it, else this file asks the script.
// The rendered chart is also applied to a real kube-apiserver by test/envtest/controller.envtest.test.ts.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const chart = join(repo, 'deploy/helm/lvs-operator');
let helm = process.env.LVS_HELM ?? '';

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are read loosely
  spec?: any;
}

const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000 });
function template(...set: string[]): K8sObject[] {
  const r = run(helm, ['template', 'lvs-operator', chart, '--namespace', 'lvs-operator-system', ...set.flatMap((s) => ['--set', s])]);
  if (r.status !== 0) throw new Error(r.stderr);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}
const find = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

describe('the Helm chart', () => {
  beforeAll(() => {
    if (!helm) helm = run(join(repo, 'scripts/helm.sh'), []).stdout.trim().split('\n').at(-1) ?? '';
  }, 600_000);

  it('passes helm lint with its default values and with others', () => {
    expect(run(helm, ['lint', chart]).status).toBe(0);
    const other = ['--set', 'agent.privileged=true', '--set', 'controller.replicas=1', '--set', 'metrics.serviceMonitor.enabled=true'];
    expect(run(helm, ['lint', chart, ...other]).status).toBe(0);
  });

  it('renders a controller Deployment with 2 replicas, leader election in its namespace, non-root, and a PodDisruptionBudget', () => {
    const objects = template();
    const deployment = find(objects, 'Deployment', 'lvs-operator-controller')!;
    expect(deployment.spec.replicas).toBe(2);
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe('lvs-operator-controller');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    const container = pod.containers[0];
    expect(container.args[0]).toBe('controller');
    expect(container.env.map((e: { name: string }) => e.name)).toEqual(['POD_NAMESPACE', 'POD_NAME']);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(find(objects, 'PodDisruptionBudget', 'lvs-operator-controller')?.spec.minAvailable).toBe(1);
    expect(find(objects, 'Role', 'lvs-operator-controller-leader-election')?.metadata.namespace).toBe('lvs-operator-system');
  });

  it('renders the agent DaemonSet on the director and real-server labels, hostNetwork, with only the capabilities it needs', () => {
    const daemonSet = find(template(), 'DaemonSet', 'lvs-operator-agent')!;
    const pod = daemonSet.spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.serviceAccountName).toBe('lvs-operator-agent');
    const terms = pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    expect(terms.map((t: { matchExpressions: { key: string }[] }) => t.matchExpressions[0]!.key)).toEqual([
      'lvs-operator.io/director',
      'lvs-operator.io/real-server',
    ]);
    const container = pod.containers[0];
    expect(container.securityContext).toMatchObject({
      privileged: false,
      capabilities: { add: ['NET_ADMIN', 'NET_RAW', 'SYS_MODULE'], drop: ['ALL'] },
    });
    expect(container.args).toContain('--proc-sys=/host/proc/sys');
    expect(container.env).toEqual([
      { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'NODE_OPTIONS', value: '--max-semi-space-size=1' },
    ]);
    expect(pod.volumes.map((v: { hostPath: { path: string } }) => v.hostPath.path)).toEqual([
      '/var/lib/lvs-operator',
      '/lib/modules',
      '/proc/sys',
    ]);
  });

  it('renders a privileged agent without the /proc/sys mount, one replica without a PDB, and ServiceMonitors when asked', () => {
    const objects = template('agent.privileged=true', 'controller.replicas=1', 'metrics.serviceMonitor.enabled=true', 'image.tag=1.2.3');
    const agent = find(objects, 'DaemonSet', 'lvs-operator-agent')!.spec.template.spec;
    expect(agent.containers[0].securityContext.privileged).toBe(true);
    expect(agent.containers[0].args.some((a: string) => a.startsWith('--proc-sys'))).toBe(false);
    // agent.nodeOptions empty: Node.js's own defaults, no NODE_OPTIONS
    const plain = find(template('agent.nodeOptions='), 'DaemonSet', 'lvs-operator-agent')!.spec.template.spec;
    expect(plain.containers[0].env.map((e: { name: string }) => e.name)).toEqual(['NODE_NAME']);
    expect(agent.volumes.map((v: { name: string }) => v.name)).toEqual(['state', 'modules']);
    expect(agent.containers[0].image).toBe('ghcr.io/example/lvs-operator:1.2.3');
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(objects.filter((o) => o.kind === 'ServiceMonitor').map((o) => o.metadata.name)).toEqual([
      'lvs-operator-controller',
      'lvs-operator-agent',
    ]);
  });

  it('refuses values its schema does not allow, naming the value', () => {
    const r = run(helm, ['template', 'x', chart, '--set', 'controller.replicas=0', '--set', 'agent.metricsPort=70000']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('/controller/replicas');
    expect(r.stderr).toContain('/agent/metricsPort');
  });

  it('gives the agent read access to LVSNodes, write access to their status, and a get of Nodes only', () => {
    const role = find(template(), 'ClusterRole', 'lvs-operator-agent')!;
    expect((role as unknown as { rules: unknown }).rules).toEqual([
      { apiGroups: ['lvs-operator.io'], resources: ['lvsnodes'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['lvs-operator.io'], resources: ['lvsnodes/status'], verbs: ['get', 'patch'] },
      { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
    ]);
  });

  it("runs keepalived in a container of its own that the agent signals and adopts, unless told not to", () => {
    type Pod = {
      spec: {
        template: {
          spec: { shareProcessNamespace?: boolean; containers: { name: string; command?: string[]; args: string[]; volumeMounts: unknown[] }[] };
        };
      };
    };
    const pod = (set: string[]) => (find(template(...set), 'DaemonSet', 'lvs-operator-agent') as unknown as Pod).spec.template.spec;
    const both = pod([]);
    expect(both.shareProcessNamespace).toBe(true);
    expect(both.containers.map((c) => c.name)).toEqual(['agent', 'keepalived']);
    expect(both.containers[0]!.args).toContain('--keepalived=container');
    expect(both.containers[1]!.command).toEqual(['/bin/sh', '/opt/lvs-operator/keepalived-container.sh']);
    expect(both.containers[1]!.args).toEqual(['/var/lib/lvs-operator']);
    // the same state directory: keepalived's config, pid files and FIFO
    expect(both.containers[1]!.volumeMounts).toEqual([{ name: 'state', mountPath: '/var/lib/lvs-operator' }]);
    const one = pod(['agent.keepalivedContainer=false']);
    expect(one.shareProcessNamespace).toBeUndefined();
    expect(one.containers.map((c) => c.name)).toEqual(['agent']);
    expect(one.containers[0]!.args.some((a) => a.startsWith('--keepalived'))).toBe(false);
  });

  it("hands the agent its affinity's labels, so that a SIGTERM on an unlabelled node clears it", () => {
    const ds = find(template('agent.nodeLabels={edge,lvs-operator.io/director}'), 'DaemonSet', 'lvs-operator-agent')!;
    const spec = ds as unknown as {
      spec: { template: { spec: { containers: { args: string[] }[]; affinity: unknown } } };
    };
    expect(spec.spec.template.spec.containers[0]!.args).toContain('--node-labels=edge,lvs-operator.io/director');
    expect(JSON.stringify(spec.spec.template.spec.affinity)).toContain('"key":"edge"');
  });

  it("keeps deploy/manifests the chart's default rendering, and the chart's CRDs those of crds/", () => {
    const r = run(join(repo, 'scripts/render-manifests.sh'), ['--check']);
    expect(r.status, r.stderr).toBe(0);
  });
});

describe('the Dockerfile', () => {
  it('passes dockerfile-utils lint', () => {
    const r = run(join(repo, 'node_modules/.bin/dockerfile-utils'), ['lint', join(repo, 'Dockerfile')]);
    expect(r.status, r.stdout).toBe(0);
  });

  it('builds with the same commands CI proves (npm ci, npm run build, npm run bundle)', () => {
    const text = readFileSync(join(repo, 'Dockerfile'), 'utf8');
    expect(text).toContain('RUN npm ci');
    expect(text).toContain('npm run build && npm run bundle');
  });
});
