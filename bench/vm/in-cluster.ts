// The agent as it runs in a pod (`lvs-operator agent`: the ServiceAccount's credentials, its
// LVSNode from a watch, its status patched back), alone in a network namespace of the VM, fed by
// fake-apiserver.mjs in the same namespace: what it costs in memory, and how long its cold start
// takes, with the code a pod's agent loads (no planner, validator, YAML parser or client-node).
// The real API server and real kubelets are the pods suite's (test/e2e/pods); this is a figure.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundle, outDir, runDir } from '../../test/e2e/driver/env.js';
import { log, must, sleep } from '../../test/e2e/driver/exec.js';
import { freshNetns, rssMiB, until } from './system.js';

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
/** What the chart gives the agent's container (values.yaml agent.nodeOptions). */
export const CHART_NODE_OPTIONS = '--max-semi-space-size=1';
const PORT = '6443';

export interface InClusterRun {
  coldS: number;
  rssMiB: number;
  /** What the fake API server was asked: list, watch, patch, node, other. */
  requests: Record<string, number>;
  /** What `extraRss` read (the namespace's keepalived). */
  extraRssMiB?: number;
}

/** A certificate for 127.0.0.1 and the ServiceAccount's files, as a pod has them (the VM is ours). */
async function serviceAccount(dir: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'apiserver.crt');
  const key = join(dir, 'apiserver.key');
  if (!existsSync(cert)) {
    mkdirSync(dir, { recursive: true });
    await must(
      ['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
        .concat(['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '2'])
        .concat(['-keyout', key, '-out', cert]),
    );
  }
  mkdirSync(SERVICE_ACCOUNT, { recursive: true });
  writeFileSync(join(SERVICE_ACCOUNT, 'ca.crt'), readFileSync(cert));
  writeFileSync(join(SERVICE_ACCOUNT, 'token'), 'bench-token');
  return { cert, key };
}

function inNetns(netns: string, argv: string[], logName: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  const fd = openSync(join(outDir, logName), 'w');
  return spawn('ip', ['netns', 'exec', netns, ...argv], {
    stdio: ['ignore', fd, fd],
    detached: true,
    env: { ...process.env, ...env },
  });
}

/**
 * Runs the in-cluster agent on `lvsNodeFile` in a fresh namespace until `programmed` says the
 * kernel holds the plan, then `settleMs` more, and reads its VmRSS. Leaves with SIGUSR2 (the data
 * plane stays, the namespace is dropped after).
 */
export async function inClusterAgent(
  name: string,
  lvsNodeFile: string,
  programmed: (netns: string) => Promise<boolean>,
  options: {
    settleMs?: number;
    /** What the namespace needs before the agent starts (the seed's eth0). */
    setup?: (netns: string) => Promise<void>;
    /** Another resident set to read beside the agent's (its keepalived). */
    extraRss?: (netns: string) => Promise<number>;
    /** The agent's NODE_OPTIONS; the chart's by default. */
    nodeOptions?: string;
  } = {},
): Promise<InClusterRun> {
  const { settleMs = 2000, setup, extraRss, nodeOptions = CHART_NODE_OPTIONS } = options;
  const netns = await freshNetns(name);
  await setup?.(netns);
  const dir = join(runDir, `in-cluster-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'state'), { recursive: true });
  const { cert, key } = await serviceAccount(join(runDir, 'in-cluster-pki'));
  const ready = join(dir, 'apiserver.ready');
  const server = inNetns(
    netns,
    ['node', join(outDir, 'fake-apiserver.mjs'), PORT, cert, key, lvsNodeFile, ready],
    `in-cluster-${name}-apiserver.log`,
  );
  await until('the fake API server', async () => existsSync(ready), Date.now(), 30_000);
  const start = Date.now();
  const agent = inNetns(
    netns,
    ['node', bundle, 'agent', '--node', 'lvs01', '--state-dir', join(dir, 'state'), '--resync-seconds', '3600'],
    `in-cluster-${name}-agent.log`,
    { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: PORT, NODE_OPTIONS: nodeOptions },
  );
  try {
    const coldS = (await until('the in-cluster agent to program', () => programmed(netns), start, 180_000)) / 1000;
    await sleep(settleMs);
    const rss = rssMiB(agent.pid ? [agent.pid] : []);
    const extraRssMiB = await extraRss?.(netns);
    agent.kill('SIGUSR2');
    await sleep(1000);
    server.kill('SIGTERM');
    await sleep(500);
    const requests = JSON.parse(readFileSync(ready, 'utf8')) as Record<string, number>;
    const result = { coldS, rssMiB: rss, requests, extraRssMiB };
    log(`bench in-cluster ${name}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    agent.kill('SIGKILL');
    server.kill('SIGKILL');
    await freshNetns(name);
  }
}
