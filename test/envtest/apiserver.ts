// A real kube-apiserver and etcd for tests, started the way controller-runtime's envtest starts them
// (pkg/internal/testing/controlplane): etcd on free loopback ports with a throwaway data dir, and
// kube-apiserver serving TLS on 127.0.0.1 with --authorization-mode=RBAC, the ServiceAccount
// admission plugin off (no controller-manager creates the default ServiceAccounts) and fresh
// service-account signing keys. Clients authenticate with certificates signed by a CA made here:
// CN is the user, each O a group, so the admin is O=system:masters and everyone else gets only
// what RBAC grants. The binaries come from scripts/envtest-assets.sh (KUBEBUILDER_ASSETS or a
// build from their Go modules, cached outside the repo).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));

export interface ControlPlaneOptions {
  /** Directory holding kube-apiserver, etcd and kubectl; default: scripts/envtest-assets.sh's answer. */
  assets?: string;
  /** Extra kube-apiserver flags, appended after the defaults (a later flag wins). */
  apiServerArgs?: string[];
  /** How long to wait for etcd's /health and the apiserver's /readyz (default 60 s). */
  startTimeoutMs?: number;
  /** More subjectAltNames for the serving certificate (e.g. IP:10.0.2.2, the host as a QEMU guest sees it). */
  servingSans?: string[];
  /** Keep the temp dir (certs, kubeconfigs, logs) after stop(), for debugging. */
  keepDir?: boolean;
  /**
   * A control plane for real nodes (the e2e run with kubelets): the "kubernetes" Service points at
   * advertiseAddress (where the nodes reach this API server), the Node authorizer and the
   * NodeRestriction and ServiceAccount admission plugins are on, and kube-controller-manager and
   * kube-scheduler (from the same assets dir) run beside it.
   */
  cluster?: { advertiseAddress: string };
}

export interface ControlPlane {
  /** https://127.0.0.1:PORT */
  url: string;
  /** The directory the binaries came from (kubectl is there too). */
  assets: string;
  /** Temp dir with certs, kubeconfigs and etcd.log / kube-apiserver.log. */
  dir: string;
  /** Kubeconfig of user "admin" in group system:masters. */
  adminKubeconfig: string;
  /** Issues a client certificate (CN=user, O=each group) and returns a kubeconfig using it. */
  kubeconfigFor(user: string, groups?: string[]): string;
  /** Issues a client certificate (CN=user, O=each group): the paths of its PEM files. */
  issueCertificate(user: string, groups?: string[]): { cert: string; key: string };
  stop(): Promise<void>;
}

/**
 * Runs scripts/envtest-assets.sh and returns the directory it prints. Asynchronous because the first
 * run may build for many minutes, and a blocked event loop would stall the test runner's worker.
 */
export function envtestAssets(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(repo, 'scripts/envtest-assets.sh'), [], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const dir = out.trim().split('\n').at(-1);
      if (code === 0 && dir) resolve(dir);
      else reject(new Error(`scripts/envtest-assets.sh exited ${code}`));
    });
  });
}

/** A port free right now on 127.0.0.1 (the same small race envtest accepts). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

// openssl's -subj syntax: /type=value/..., with '/', '+' and '\' escaped inside a value.
const rdn = (type: string, value: string) => `/${type}=${value.replace(/[\\/+]/g, (c) => `\\${c}`)}`;

/** One openssl call that makes a P-256 key and a certificate (self-signed, or signed by ca). */
function makeCert(dir: string, name: string, subj: string, exts: string[], ca?: string): void {
  // A config of our own so the system openssl.cnf adds no extensions (its v3_ca would make every
  // -x509 certificate a CA); -addext gives all of them.
  const cnf = join(dir, 'openssl.cnf');
  writeFileSync(cnf, '[req]\ndistinguished_name=dn\nprompt=no\n[dn]\n');
  const args = ['req', '-config', cnf, '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  args.push('-nodes', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`), '-days', '2');
  args.push('-subj', subj, ...exts.flatMap((e) => ['-addext', e]));
  if (ca) args.push('-CA', join(dir, `${ca}.crt`), '-CAkey', join(dir, `${ca}.key`));
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr || r.error?.message}`);
}

function writeKubeconfig(dir: string, name: string, url: string): string {
  const file = join(dir, `${name}.kubeconfig`);
  // JSON is YAML, and kubectl and client libraries read it as such.
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'envtest', cluster: { server: url, 'certificate-authority': join(dir, 'ca.crt') } }],
    users: [
      {
        name,
        user: { 'client-certificate': join(dir, `${name}.crt`), 'client-key': join(dir, `${name}.key`) },
      },
    ],
    contexts: [{ name, context: { cluster: 'envtest', user: name } }],
    'current-context': name,
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Status of GET url with the admin's client certificate (0 when unreachable). */
function adminGet(url: string, dir: string): Promise<number> {
  return new Promise((resolve) => {
    const tls = {
      ca: readFileSync(join(dir, 'ca.crt')),
      cert: readFileSync(join(dir, 'admin.crt')),
      key: readFileSync(join(dir, 'admin.key')),
    };
    const req = request(url, { ...tls, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

const plainGet = (url: string): Promise<number> =>
  fetch(url, { signal: AbortSignal.timeout(2000) }).then(
    (res) => res.status,
    () => 0,
  );

async function waitFor(what: string, probe: () => Promise<boolean>, child: ChildProcess, log: string, ms: number) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = readFileSync(log, 'utf8').split('\n').slice(-30).join('\n');
  throw new Error(`${what} did not become ready (exit ${child.exitCode ?? child.signalCode}); ${log}:\n${tail}`);
}

function launch(bin: string, args: string[], log: string): ChildProcess {
  const fd = openSync(log, 'w');
  const child = spawn(bin, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const assets = opts.assets ?? (await envtestAssets());
  const timeout = opts.startTimeoutMs ?? 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'lvs-envtest-'));
  const children: ChildProcess[] = [];
  // Children must not outlive a worker that dies without calling stop().
  const killAll = () => children.forEach((c) => c.kill('SIGKILL'));
  process.once('exit', killAll);

  const stop = async () => {
    // apiserver first, so it does not spend its shutdown retrying a gone etcd
    for (const c of [...children].reverse()) await stopChild(c);
    process.removeListener('exit', killAll);
    if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
  };

  try {
    makeCert(dir, 'ca', rdn('CN', 'lvs-envtest-ca'), [
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    makeCert(
      dir,
      'serving',
      rdn('CN', 'kube-apiserver'),
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
        `subjectAltName=${['IP:127.0.0.1', 'DNS:localhost', ...(opts.servingSans ?? [])].join(',')}`,
      ],
      'ca',
    );
    const issue = (user: string, groups: string[]) => {
      const name = user.replace(/[^A-Za-z0-9_.-]/g, '_');
      const subj = rdn('CN', user) + groups.map((g) => rdn('O', g)).join('');
      const exts = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature'];
      makeCert(dir, name, subj, [...exts, 'extendedKeyUsage=clientAuth'], 'ca');
      return name;
    };
    issue('admin', ['system:masters']);
    // Service-account tokens are signed with this key and checked with its public half.
    const sa = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(join(dir, 'sa.key'), sa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(dir, 'sa.pub'), sa.publicKey.export({ type: 'spki', format: 'pem' }));

    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const etcdLog = join(dir, 'etcd.log');
    const etcd = launch(
      join(assets, 'etcd'),
      [
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=default=${peerUrl}`,
        '--unsafe-no-fsync=true', // test data; skipping fsync saves seconds per run
      ],
      etcdLog,
    );
    children.push(etcd);
    await waitFor('etcd', async () => (await plainGet(`${etcdUrl}/health`)) === 200, etcd, etcdLog, timeout);

    const url = `https://127.0.0.1:${apiPort}`;
    const apiLog = join(dir, 'kube-apiserver.log');
    const api = launch(
      join(assets, 'kube-apiserver'),
      [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        ...(opts.cluster
          ? [
              // Pods reach this API server through the "kubernetes" Service (kube-proxy on each
              // node), whose endpoint the lease reconciler keeps at the address the nodes see.
              `--advertise-address=${opts.cluster.advertiseAddress}`,
              '--endpoint-reconciler-type=lease',
              '--authorization-mode=Node,RBAC',
              '--enable-admission-plugins=NodeRestriction',
            ]
          : [
              // The endpoint reconciler (which points the "kubernetes" Service at this apiserver)
              // refuses a loopback address in v1.37; envtest leaves the address unset, which takes
              // the default route's interface and fails where there is none (a netns with only
              // lo). Nothing here runs in a pod, so no reconciler.
              '--advertise-address=127.0.0.1',
              '--endpoint-reconciler-type=none',
              '--authorization-mode=RBAC',
              // as envtest: no controller-manager creates the default ServiceAccount this plugin wants
              '--disable-admission-plugins=ServiceAccount',
            ]),
        `--secure-port=${apiPort}`,
        `--cert-dir=${dir}`,
        `--tls-cert-file=${join(dir, 'serving.crt')}`,
        `--tls-private-key-file=${join(dir, 'serving.key')}`,
        `--client-ca-file=${join(dir, 'ca.crt')}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        `--service-account-issuer=${url}/`,
        `--service-account-key-file=${join(dir, 'sa.pub')}`,
        `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        '--allow-privileged=true',
        ...(opts.apiServerArgs ?? []),
      ],
      apiLog,
    );
    children.push(api);
    // /readyz with the admin's certificate: RBAC's bootstrap roles (which let anyone read /readyz)
    // are among the things it waits for, so an anonymous probe would see 403 until then.
    await waitFor('kube-apiserver', async () => (await adminGet(`${url}/readyz`, dir)) === 200, api, apiLog, timeout);
    if (opts.cluster) {
      // The users these two are in a real cluster, which the bootstrap RBAC roles name.
      const kcm = writeKubeconfig(dir, issue('system:kube-controller-manager', []), url);
      const scheduler = writeKubeconfig(dir, issue('system:kube-scheduler', []), url);
      children.push(
        launch(
          join(assets, 'kube-controller-manager'),
          [
            `--kubeconfig=${kcm}`,
            '--leader-elect=false',
            '--secure-port=0',
            // the kube-root-ca.crt ConfigMap every pod's ServiceAccount volume projects
            `--root-ca-file=${join(dir, 'ca.crt')}`,
            `--service-account-private-key-file=${join(dir, 'sa.key')}`,
            // each controller as its own ServiceAccount (the bootstrap roles system:controller:*),
            // as kubeadm runs it: its own user may not create ReplicaSets, Pods or EndpointSlices
            '--use-service-account-credentials=true',
          ],
          join(dir, 'kube-controller-manager.log'),
        ),
        launch(
          join(assets, 'kube-scheduler'),
          [`--kubeconfig=${scheduler}`, '--leader-elect=false', '--secure-port=0'],
          join(dir, 'kube-scheduler.log'),
        ),
      );
    }

    return {
      url,
      assets,
      dir,
      adminKubeconfig: writeKubeconfig(dir, 'admin', url),
      kubeconfigFor: (user, groups = []) => writeKubeconfig(dir, issue(user, groups), url),
      issueCertificate: (user, groups = []) => {
        const name = issue(user, groups);
        return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
