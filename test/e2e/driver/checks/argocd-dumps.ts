// Argo CD's view of the real cluster's objects: the driver dumps `kubectl get
// virtualservices,realservers -o json` at the moments Argo CD would show each health (just
// applied, Ready, a real server down) into OUT/argocd/STAGE.json; the host-side test
// (pods.e2e.test.ts) runs deploy/argocd's health scripts on them as Argo CD runs them
// (test/argocd-lua). The driver cannot: the VM has no Go build of it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { outDir } from '../env.js';
import { topo, waitFor } from '../exec.js';
import { getObject, kubectl } from '../kube.js';
import type { Check } from '../results.js';

export const ARGOCD_STAGES = ['applied', 'ready', 'real-server-down'] as const;

export async function dumpForArgo(stage: (typeof ARGOCD_STAGES)[number]): Promise<void> {
  const text = await kubectl(['get', 'virtualservices,realservers', '-A', '-o', 'json']);
  mkdirSync(join(outDir, 'argocd'), { recursive: true });
  writeFileSync(join(outDir, 'argocd', `${stage}.json`), text);
}

const healthyOn = async (rs: string) => (await getObject('realservers', rs))?.status?.healthyDirectors;

/** nginx02 stopped until both directors' checks fail it: the dump Argo CD would show Degraded for. */
export async function realServerDownCheck(c: Check): Promise<void> {
  await topo('nginx_stop', 'nginx02');
  try {
    const down = await waitFor(
      "nginx02's RealServer to be healthy on no director",
      async () => ((await healthyOn('nginx02')) === '0/2' ? true : undefined),
      180_000,
      1000,
    ).catch(() => ({ ms: -1 }));
    c.expect(
      down.ms >= 0,
      `nginx02 stopped: its RealServer is healthy on 0/2 directors (got ${await healthyOn('nginx02')})`,
    );
    c.note(`nginx02 stopped: healthy on 0/2 directors after ${(down.ms / 1000).toFixed(1)} s`);
    await dumpForArgo('real-server-down');
  } finally {
    await topo('nginx_start', 'nginx02');
  }
  const up = await waitFor(
    "nginx02's RealServer to be healthy on both directors again",
    async () => ((await healthyOn('nginx02')) === '2/2' ? true : undefined),
    180_000,
    1000,
  ).catch(() => ({ ms: -1 }));
  c.expect(up.ms >= 0, 'nginx02 started again: healthy on 2/2 directors');
}
