// The foundation's table of invalid objects (test/unit/validate/invalid-cases.ts) against a real
// kube-apiserver: every object the CRDs' own schema or CEL rules can judge is refused by the
// server too. What passes the server is named below with the reason: objects invalid only beside
// others (the server sees one object at a time) and two rules kept in code; the controller
// reports those in a condition.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cases } from '../unit/validate/invalid-cases.js';
import { startControlPlane, type ControlPlane } from './apiserver.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const enabled = process.env.LVS_ENVTEST === '1';

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

  afterAll(async () => {
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

  it.each(cases.map((c) => [c.name, c] as const))('%s', (name, { object }) => {
    const r = kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(object));
    if (name in notForTheServer) expect(r.status, `accepted: ${notForTheServer[name]}`).toBe(0);
    else expect(r.status, `the server accepted what local validation refuses: ${r.stdout}`).not.toBe(0);
  });
});
