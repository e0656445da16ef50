// The conversations with the kernel that test/golden/ipvs-netlink holds: each scenario drives a
// NetlinkIpvs over a transport and returns what it read. In the VM (main.ts) the transport is a
// real socket wrapped in a recorder, and the recording becomes the fixture; on the host
// (test/unit/ipvs-netlink/captured.test.ts) the same scenario runs against the recording, which
// checks that every byte we send is what we sent to the real kernel, and that what we make of
// the kernel's replies is what we made of them there.
import type { IpvsOperation } from '../../../src/core/ipvs/operations.js';
import type { NetlinkIpvs, NetlinkTransport } from '../../../src/node/ipvs/netlink.js';

export interface Exchange {
  dir: 'send' | 'recv';
  hex: string;
}

export interface Capture {
  scenario: string;
  kernel: string;
  firstSeq: number;
  batchSize: number;
  exchanges: Exchange[];
  /** What the scenario returned on the real kernel. */
  outcome: unknown;
}

/** A transport that remembers every datagram both ways (into `exchanges`, shared by the sockets a scenario opens). */
export class RecordingTransport implements NetlinkTransport {
  constructor(
    private readonly inner: NetlinkTransport,
    readonly exchanges: Exchange[] = [],
  ) {}
  send(datagram: Buffer): void {
    this.exchanges.push({ dir: 'send', hex: datagram.toString('hex') });
    this.inner.send(datagram);
  }
  recv(): Buffer {
    const b = this.inner.recv();
    this.exchanges.push({ dir: 'recv', hex: b.toString('hex') });
    return b;
  }
  close(): void {
    this.inner.close();
  }
}

const web = { protocol: 'TCP', address: '192.0.2.100', port: 80 } as const;
const dns = { protocol: 'UDP', address: '192.0.2.100', port: 53 } as const;
const v6 = { protocol: 'TCP', address: '2001:db8::100', port: 443 } as const;
const sctp = { protocol: 'SCTP', address: '192.0.2.101', port: 3868 } as const;

/** Every kind of operation and every attribute we encode, on an empty table. */
export const PROGRAM: IpvsOperation[] = [
  {
    kind: 'add-service',
    service: { ...web, scheduler: 'rr', persistence: { timeout: 300, netmask: '255.255.255.0' } },
  },
  // DR with another port: sent with the service's port, as ipvsadm did.
  {
    kind: 'add-destination',
    service: web,
    destination: { address: '10.0.0.1', port: 8080, forwarding: 'DR', weight: 1 },
  },
  {
    kind: 'add-destination',
    service: web,
    destination: {
      address: '10.0.0.2',
      port: 8080,
      forwarding: 'NAT',
      weight: 3,
      upperThreshold: 100,
      lowerThreshold: 10,
    },
  },
  {
    kind: 'add-destination',
    service: web,
    destination: {
      address: '10.0.0.3',
      port: 80,
      forwarding: 'TUN',
      weight: 2,
      tunnelType: 'gue',
      tunnelPort: 6080,
      tunnelChecksum: 'csum',
    },
  },
  {
    kind: 'add-destination',
    service: web,
    destination: {
      address: '10.0.0.4',
      port: 80,
      forwarding: 'TUN',
      weight: 0,
      tunnelType: 'gre',
      tunnelChecksum: 'csum',
    },
  },
  {
    kind: 'add-service',
    service: { ...dns, scheduler: 'sh', schedulerFlags: ['sh-fallback', 'sh-port'], onePacket: true },
  },
  {
    kind: 'add-destination',
    service: dns,
    destination: { address: '10.0.0.5', port: 53, forwarding: 'DR', weight: 5 },
  },
  { kind: 'add-service', service: { ...v6, scheduler: 'wlc', persistence: { timeout: 60, netmask: '64' } } },
  {
    kind: 'add-destination',
    service: v6,
    destination: { address: '2001:db8::11', port: 443, forwarding: 'DR', weight: 1 },
  },
  { kind: 'add-service', service: { ...sctp, scheduler: 'mh', schedulerFlags: ['mh-port'] } },
  {
    kind: 'add-destination',
    service: sctp,
    destination: { address: '10.0.0.6', port: 3868, forwarding: 'NAT', weight: 1 },
  },
];

/** One of each refusal, between operations that succeed: each error lands on its own operation. */
export const REFUSALS: IpvsOperation[] = [
  { kind: 'add-service', service: { ...web, scheduler: 'rr' } }, // EEXIST
  {
    kind: 'update-destination',
    service: web,
    destination: { address: '10.0.0.1', port: 80, forwarding: 'DR', weight: 7 },
  },
  {
    kind: 'add-destination',
    service: { ...web, port: 81 },
    destination: { address: '10.0.0.1', port: 81, forwarding: 'DR', weight: 1 },
  }, // ESRCH
  { kind: 'add-service', service: { protocol: 'TCP', address: '192.0.2.102', port: 80, scheduler: 'twos' } }, // ENOENT
  { kind: 'delete-destination', service: web, destination: { address: '10.0.0.99', port: 80 } }, // ENOENT
  {
    kind: 'add-destination',
    service: web,
    destination: { address: '10.0.0.1', port: 80, forwarding: 'DR', weight: 1 },
  }, // EEXIST
  {
    kind: 'add-destination',
    service: web,
    destination: {
      address: '10.0.0.2',
      port: 8080,
      forwarding: 'NAT',
      weight: 1,
      upperThreshold: 5,
      lowerThreshold: 9,
    },
  }, // EEXIST
  { kind: 'update-service', service: { ...dns, scheduler: 'sh', schedulerFlags: ['sh-fallback'], onePacket: true } },
];

export const TEARDOWN: IpvsOperation[] = [
  { kind: 'delete-destination', service: web, destination: { address: '10.0.0.4', port: 80 } },
  { kind: 'delete-service', service: web },
  { kind: 'delete-service', service: dns },
  { kind: 'delete-service', service: v6 },
  { kind: 'delete-service', service: sctp },
  { kind: 'delete-service', service: sctp }, // ESRCH
];

/** The scenarios, in the order main.ts runs them on the real kernel (each starts where the last ended). */
export const SCENARIOS: Record<string, (ipvs: NetlinkIpvs) => Promise<unknown>> = {
  info: (ipvs) => ipvs.info(),
  program: async (ipvs) => (await ipvs.apply(PROGRAM)).results.map((r) => r.error ?? 'ok'),
  refusals: async (ipvs) => (await ipvs.apply(REFUSALS)).results.map((r) => r.error ?? 'ok'),
  services: (ipvs) => ipvs.services(),
  connections: (ipvs) => ipvs.connections(),
  stats: (ipvs) => ipvs.stats(),
  daemons: async (ipvs) => {
    const seen: unknown[] = [];
    const attempt = async (what: string, body: () => Promise<unknown>) => {
      try {
        seen.push({ [what]: (await body()) ?? 'ok' });
      } catch (e) {
        seen.push({ [what]: (e as Error).message });
      }
    };
    await attempt('start master', () => ipvs.startSyncDaemon({ role: 'master', interface: 'nlv0', syncID: 7 }));
    await attempt('start master again', () => ipvs.startSyncDaemon({ role: 'master', interface: 'nlv0', syncID: 7 }));
    await attempt('start backup', () => ipvs.startSyncDaemon({ role: 'backup', interface: 'nlv0', syncID: 8 }));
    await attempt('list', () => ipvs.syncDaemons());
    await attempt('stop master', () => ipvs.stopSyncDaemon('master'));
    await attempt('stop backup', () => ipvs.stopSyncDaemon('backup'));
    await attempt('stop backup again', () => ipvs.stopSyncDaemon('backup'));
    await attempt('list', () => ipvs.syncDaemons());
    return seen;
  },
  teardown: async (ipvs) => (await ipvs.apply(TEARDOWN)).results.map((r) => r.error ?? 'ok'),
};
