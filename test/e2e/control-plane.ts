// The API server for the e2e run through the cluster path: a real kube-apiserver and etcd on the
// host (test/envtest/apiserver.ts), with the rendered chart (deploy/manifests: CRDs, ServiceAccounts, RBAC) installed, and kubeconfigs for
// the VM: the controller's and the agents' hold a ServiceAccount token (as a pod gets one), the
// admin's a client certificate, all inline (the VM does not see the host's /tmp). Inside the VM
// the host is 10.0.2.2 (QEMU's user network maps it to the host's loopback).
//   control-plane.mjs DIR SERVER_HOST [kube-apiserver flags...]   (bundled by e2e.sh)
// Writes DIR/{admin,controller,agent}.kubeconfig and DIR/ready, then runs until SIGTERM.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startControlPlane } from '../envtest/apiserver.js';

// Bundled into the e2e output dir, so the repository is found from the environment e2e.sh sets.
const repo = process.env.LVS_E2E_REPO ?? fileURLToPath(new URL('../..', import.meta.url));
const [dir, host, ...apiServerArgs] = process.argv.slice(2);
if (!dir || !host) throw new Error('usage: control-plane.ts DIR SERVER_HOST');
const NS = 'lvs-operator-system';

// With LVS_E2E_KUBELETS (the hosts that are Nodes, comma-separated), a control plane for real
// kubelets: kube-controller-manager and kube-scheduler beside it, a kubeconfig per node (its
// system:node: certificate) and one for kube-proxy, and nothing installed (the driver installs the
// chart as a user does). The pods find the API server as the "kubernetes" Service's 10.0.0.1.
const nodes = (process.env.LVS_E2E_KUBELETS ?? '').split(',').filter(Boolean);
// The binaries' dir comes from e2e.sh (scripts/envtest-assets.sh), as the bundle cannot find the script.
const cp = await startControlPlane({
  assets: process.env.LVS_E2E_ENVTEST_ASSETS,
  servingSans: [`IP:${host}`, ...(nodes.length ? ['IP:10.0.0.1'] : [])],
  apiServerArgs,
  ...(nodes.length ? { cluster: { advertiseAddress: host } } : {}),
});
const kubectl = (args: string[]) => {
  const r = spawnSync(join(cp.assets, 'kubectl'), ['--kubeconfig', cp.adminKubeconfig, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
if (!nodes.length) {
  kubectl(['apply', '--server-side', '-f', join(repo, 'crds')]);
  kubectl(['wait', '--for=condition=Established', '--timeout=60s', '-f', join(repo, 'crds')]);
  kubectl(['apply', '--server-side', '-f', join(repo, 'deploy/manifests')]);
}

const admin = JSON.parse(readFileSync(cp.adminKubeconfig, 'utf8'));
const port = new URL(cp.url).port;
const file = (p: string) => readFileSync(p).toString('base64');
const cluster = {
  name: 'e2e',
  cluster: { server: `https://${host}:${port}`, 'certificate-authority-data': file(join(cp.dir, 'ca.crt')) },
};
const write = (name: string, user: Record<string, string>) =>
  writeFileSync(
    join(dir, `${name}.kubeconfig`),
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [cluster],
      users: [{ name, user }],
      contexts: [{ name, context: { cluster: 'e2e', user: name } }],
      'current-context': name,
    }),
  );
const certUser = (pem: { cert: string; key: string }) => ({
  'client-certificate-data': file(pem.cert),
  'client-key-data': file(pem.key),
});
const adminUser = admin.users[0].user;
write('admin', certUser({ cert: adminUser['client-certificate'], key: adminUser['client-key'] }));
if (nodes.length) {
  for (const node of nodes)
    write(`node-${node}`, certUser(cp.issueCertificate(`system:node:${node}`, ['system:nodes'])));
  write('kube-proxy', certUser(cp.issueCertificate('system:kube-proxy')));
} else {
  for (const who of ['controller', 'agent']) {
    write(who, { token: kubectl(['create', 'token', `lvs-operator-${who}`, '-n', NS, '--duration', '2h']).trim() });
  }
}
// The binaries go into DIR: the VM sees DIR (the out dir) but not a cache under /tmp (a CI run
// with HOME there), which its tmpfs hides. DIR/kubectl holds kubectl's path (the drivers read it).
copyFileSync(join(cp.assets, 'kubectl'), join(dir, 'kubectl.bin'));
writeFileSync(join(dir, 'kubectl'), join(dir, 'kubectl.bin'));
if (nodes.length) {
  for (const bin of ['kubelet', 'kube-proxy']) copyFileSync(join(cp.assets, bin), join(dir, bin));
  if (process.env.LVS_E2E_HELM) copyFileSync(process.env.LVS_E2E_HELM, join(dir, 'helm'));
}
writeFileSync(join(dir, 'ready'), `${cp.url}\n`);
console.error(`control-plane: ${cp.url} ready; kubeconfigs in ${dir}`);

await new Promise<void>((resolve) => {
  for (const s of ['SIGTERM', 'SIGINT'] as const) process.once(s, () => resolve());
});
await cp.stop();
