// A large but ordinary set of manifests, written as a user would (CRD defaults left out): one
// director pair in front of N VirtualServices with M RealServers each, direct routing as in
// examples/seed-dr. The same objects serve the planning benchmark and, rendered for keepalived,
// its anchor, so both sides always describe the same table.
//
// VirtualServices share VIPs (portsPerVip of them on each): VRRP has 255 router ids per L2
// segment, so 1,000 VirtualServices on one pair cannot each have a VIP of their own.
import type { ManifestObject, VirtualServiceSpec } from '../src/core/api/objects.js';
import { MAX_VRID } from '../src/core/plan/vrid.js';

export interface FleetOptions {
  virtualServices: number;
  realServersPerService: number;
  /** VirtualServices per VIP, on ports 80, 443, 8080, 8443, 8000, 8001, … */
  portsPerVip?: number;
  /** Extra VirtualService spec, e.g. the seed's VRRP and health-check settings. */
  spec?: Partial<VirtualServiceSpec>;
  /**
   * Real-server addresses (one per RealServer of a service). Without them the real servers are
   * Nodes worker-00, worker-01, … named by nodeName, as the seed's nginx hosts are.
   */
  realServerAddresses?: readonly string[];
  directors?: readonly { name: string; address: string }[];
}

const PORTS = [80, 443, 8080, 8443];
const DEFAULT_DIRECTORS = [
  { name: 'lvs01', address: '10.0.0.1' },
  { name: 'lvs02', address: '10.0.0.2' },
];

function node(name: string, address: string, labels: Record<string, string> = {}): ManifestObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels },
    status: { addresses: [{ type: 'InternalIP', address }] },
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const portOf = (i: number) => PORTS[i] ?? 8000 + i - PORTS.length;

/** VIP number v (0-based) as 10.96.x.y, skipping .0 and .255. */
export function fleetVip(v: number): string {
  return `10.96.${Math.floor(v / 254)}.${(v % 254) + 1}`;
}

export function fleet(options: FleetOptions): ManifestObject[] {
  const { virtualServices, realServersPerService } = options;
  const portsPerVip = options.portsPerVip ?? PORTS.length;
  const vips = Math.ceil(virtualServices / portsPerVip);
  if (vips > MAX_VRID) throw new Error(`${vips} VIPs need more than ${MAX_VRID} VRRP router ids: raise portsPerVip`);
  const directors = options.directors ?? DEFAULT_DIRECTORS;
  const workers = Array.from({ length: realServersPerService }, (_, r) => ({
    name: `worker-${pad(r, 2)}`,
    address: options.realServerAddresses?.[r] ?? `10.0.1.${r + 1}`,
  }));
  const objects: ManifestObject[] = directors.map((d) =>
    node(d.name, d.address, { 'lvs-operator.io/director': 'true' }),
  );
  if (!options.realServerAddresses) objects.push(...workers.map((w) => node(w.name, w.address)));
  for (let s = 0; s < virtualServices; s++) {
    const name = `svc-${pad(s, 4)}`;
    const port = portOf(s % portsPerVip);
    objects.push({
      apiVersion: 'lvs-operator.io/v1alpha1',
      kind: 'VirtualService',
      metadata: { name, namespace: 'default' },
      spec: { address: fleetVip(Math.floor(s / portsPerVip)), port, ...options.spec },
    });
    workers.forEach((w, r) =>
      objects.push({
        apiVersion: 'lvs-operator.io/v1alpha1',
        kind: 'RealServer',
        metadata: { name: `${name}-rs-${pad(r, 2)}`, namespace: 'default' },
        spec: {
          virtualServiceName: name,
          port,
          ...(options.realServerAddresses ? { address: w.address } : { nodeName: w.name }),
        },
      }),
    );
  }
  return objects;
}
