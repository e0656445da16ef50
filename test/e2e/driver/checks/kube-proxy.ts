// kube-proxy in IPVS mode on the directors (kube-node.sh, KN_PROXY_IPVS) and the agent share one
// IPVS table: each must leave the other's services alone, through kube-proxy's syncs and the
// agent's passes (it touches only the services it created). kube-proxy deletes at every sync each
// IPVS service of its address family that it did not create, unless the address is in
// --ipvs-exclude-cidrs (pkg/proxy/ipvs/proxier.go, cleanLegacyService): without the VIPs there,
// the agent put its service back on its next pass, a minute at a time, and each deletion dropped
// the service's connections. The README says so; kube-node.sh excludes the VIP as a user must, and
// this check proves the service then lives through kube-proxy's syncs: its connection counter
// never starts again from zero.
import { directors, PORT, VIP } from '../env.js';
import { inNs, must, sleep, waitFor } from '../exec.js';
import { getMany } from '../http.js';
import { describe, table, type Service } from '../ipvs.js';
import { SERVICE_KEY, webService } from '../converge.js';
import { getObject, kubectl, type Json } from '../kube.js';
import type { Check } from '../results.js';
import { weightReached } from './weights.js';

const KUBERNETES_SERVICE = 'TCP 10.0.0.1:443';
const theirs = async (h: (typeof directors)[number]) => (await table(h)).filter((s) => s.key !== SERVICE_KEY);
const lines = (services: Service[]) => services.map(describe).sort().join('; ');

export async function kubeProxyIpvsCheck(c: Check): Promise<void> {
  // kube-proxy's first sync on a loaded VM can come well after the agents'
  const first = await waitFor(
    "kube-proxy's IPVS service for the kubernetes Service on both directors",
    async () => {
      const found = await Promise.all(
        directors.map(async (d) => (await theirs(d)).some((s) => s.key === KUBERNETES_SERVICE)),
      );
      return found.every(Boolean) ? true : undefined;
    },
    180_000,
    2000,
  ).catch(() => ({ ms: -1 }));
  c.expect(first.ms >= 0, `kube-proxy (IPVS mode) holds ${KUBERNETES_SERVICE} in both directors' tables`);
  await getMany(5);
  const connsBefore = await totalConnections('lvs01');
  const theirsBefore = await theirs('lvs01');
  const before = {
    ours: describe(await webService('lvs01')),
    keys: theirsBefore.map((s) => s.key),
    kubernetes: describe(theirsBefore.find((s) => s.key === KUBERNETES_SERVICE)),
  };
  c.note(`lvs01's table: ours ${before.ours}; kube-proxy's ${lines(theirsBefore)}`);

  // a Service created now: kube-proxy adds it beside ours, which stays as it was
  await kubectl(['create', 'service', 'clusterip', 'e2e-probe', '--tcp=8080:80', '-n', 'default']);
  const ip: string = (await getObject('services', 'e2e-probe'))?.spec?.clusterIP;
  const key = `TCP ${ip}:8080`;
  const t0 = Date.now();
  const added = await waitFor(
    `kube-proxy to add ${key} on lvs01`,
    async () => ((await theirs('lvs01')).some((s) => s.key === key) ? true : undefined),
    180_000,
    1000,
  ).catch(() => ({ ms: -1 }));
  c.figure('kubeProxyAddS', added.ms / 1000);
  c.expect(added.ms >= 0, `kube-proxy adds the new Service's ${key} on lvs01`);
  c.expect(
    describe(await webService('lvs01')) === before.ours,
    "the agent's service is untouched by kube-proxy's sync",
  );

  // a change of ours meanwhile: the agent reprograms its service and nothing of kube-proxy's
  await kubectl(['patch', 'realservers', 'nginx02', '--type=merge', '-p', '{"spec":{"weight":2}}']);
  await weightReached('nginx02', 2, Date.now(), 180_000);
  // kube-proxy's own services change with the cluster (the controller's metrics Service gains
  // its endpoints as its pods become ready): what the agent could have done to them is delete one
  // or change one whose endpoints did not move. So: none of them gone, and the kubernetes
  // Service's (its endpoint, the API server, never moves) exactly as it was.
  const after = await theirs('lvs01');
  const gone = before.keys.filter((k) => !after.some((s) => s.key === k));
  const kubernetesAfter = describe(after.find((s) => s.key === KUBERNETES_SERVICE));
  c.expect(
    gone.length === 0 && kubernetesAfter === before.kubernetes,
    `kube-proxy's services are untouched by the agent's pass: none gone (gone: ${gone.join(', ') || 'none'}), ${KUBERNETES_SERVICE} as it was (before ${before.kubernetes}; now ${lines(after)})`,
  );

  await kubectl(['delete', 'service', 'e2e-probe', '-n', 'default']);
  const removed = await waitFor(
    `kube-proxy to remove ${key} from lvs01`,
    async () => ((await theirs('lvs01')).some((s) => s.key === key) ? undefined : true),
    180_000,
    1000,
  ).catch(() => ({ ms: -1 }));
  c.expect(removed.ms >= 0, `kube-proxy removes ${key} once the Service is deleted`);
  const ours = await webService('lvs01');
  c.expect(
    ours?.destinations.some((d) => d.weight === 2) === true,
    `the agent's service outlives kube-proxy's cleanup (got ${describe(ours)})`,
  );
  await kubectl(['patch', 'realservers', 'nginx02', '--type=merge', '-p', '{"spec":{"weight":1}}']);
  await weightReached('nginx02', 1, Date.now(), 180_000);
  // and past one more of kube-proxy's periodic syncs (30 s) with nothing changing
  await sleep(35_000);
  const connsAfter = await totalConnections('lvs01');
  c.expect(
    connsBefore >= 5 && connsAfter >= connsBefore,
    `the agent's service on lvs01 was never deleted by kube-proxy's syncs: its connection counter went from ${connsBefore} to ${connsAfter}, never back to 0`,
  );
  for (const d of directors) {
    const status: Json = (await getObject('lvsnodes', d, ''))?.status;
    c.expect(!status?.lastError, `${d}'s agent reports no error beside kube-proxy (got ${status?.lastError})`);
  }
  c.note(
    `the probe Service's life on lvs01: added after ${added.ms} ms, all done ${Date.now() - t0} ms after its creation`,
  );
}

/** The service's Conns counter since it was created (ipvsadm -Ln --stats): only a new service starts it again. */
async function totalConnections(host: (typeof directors)[number]): Promise<number> {
  const out = await must(inNs(host, ['ipvsadm', '-Ln', '--stats', '-t', `${VIP}:${PORT}`]));
  const line = out.split('\n').find((l) => l.startsWith('TCP '));
  const conns = Number(line?.trim().split(/\s+/)[2]);
  if (!Number.isFinite(conns)) throw new Error(`no Conns counter in ipvsadm --stats: ${out}`);
  return conns;
}
