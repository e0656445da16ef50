// The cluster users install, on real kubelets: each host of the seed that is a Node runs
// containerd, a kubelet and kube-proxy in its own network namespace in the VM (kube-node.sh), the
// control plane on the host adds kube-controller-manager and kube-scheduler, and the driver
// (test/e2e/driver/pods-main.ts) installs the chart with helm and the seed's objects with kubectl,
// then runs the seed's checks through the pods. The image is built from the Dockerfile first.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { argoHealthOfList } from '../argocd-lua/health.js';
import { PODS_NAMES } from './driver/pods-names.js';
import { e2eSuite } from './suite.js';

// Argo CD's health (deploy/argocd's Lua, run as Argo CD runs it) of the objects the real cluster
// produced, as the driver dumped them (driver/checks/argocd-dumps.ts): stage, then the status
// expected for each object.
const ARGOCD_EXPECTED: [string, Record<string, string>][] = [
  [
    'applied',
    {
      'VirtualService/default/web': 'Progressing',
      'RealServer/default/nginx01': 'Progressing',
      'RealServer/default/nginx02': 'Progressing',
    },
  ],
  [
    'ready',
    {
      'VirtualService/default/web': 'Healthy',
      'RealServer/default/nginx01': 'Healthy',
      'RealServer/default/nginx02': 'Healthy',
    },
  ],
  [
    'real-server-down',
    {
      'VirtualService/default/web': 'Healthy',
      'RealServer/default/nginx01': 'Healthy',
      'RealServer/default/nginx02': 'Degraded',
    },
  ],
];

// p10, the helm upgrade's rolling update of all six pods, took 12 minutes alone under TCG (a pod
// start is about 2 minutes there: 80 s for runc to start its containers, 35 s for Node): it runs
// with LVS_E2E_PODS_ROLLOUT=1 (by hand, test/e2e/README.md), and p8 (a pod deleted: the same
// SIGTERM handover, one pod) stands for it in the test command.
const rollout = process.env.LVS_E2E_PODS_ROLLOUT === '1';
const names = Object.fromEntries(Object.entries(PODS_NAMES).filter(([id]) => rollout || id !== 'p10'));

e2eSuite(
  'the chart on real kubelets: agents and controller as pods (seed topology, test/e2e)',
  names,
  {
    LVS_E2E_APISERVER: '1',
    LVS_E2E_IMAGE: '1',
    LVS_E2E_KUBELETS: 'lvs01,lvs02,nginx01,nginx02',
    LVS_E2E_DRIVER: 'test/e2e/driver/pods-main.ts',
    // four nodes' runtimes, kubelets and images (about 1.5 GB in the VM's tmpfs) beside the topology
    LVS_E2E_MEM: '6144',
    // p1-p16 but p10 took about 30 minutes in the VM under TCG, p10 12 more; a stop for a hang,
    // with room for one pod whose sandbox containerd cannot stop (p8: 12 minutes once)
    LVS_E2E_VM_TIMEOUT: rollout ? '4500' : '3600',
    LVS_E2E_PODS_ROLLOUT: rollout ? '1' : '0',
  },
  (outDir) => {
    for (const [stage, expected] of ARGOCD_EXPECTED)
      it(`Argo CD's health of the real cluster's objects, ${stage}: ${JSON.stringify(expected)}`, async () => {
        const file = join(outDir(), 'argocd', `${stage}.json`);
        expect(existsSync(file), `the driver dumped ${file}`).toBe(true);
        const health = await argoHealthOfList(readFileSync(file, 'utf8'));
        const got = Object.fromEntries(Object.keys(expected).map((k) => [k, health[k]?.status]));
        expect(got, JSON.stringify(health)).toEqual(expected);
      });
  },
);
