// Short constructors for IPVS tables in tests, so that a table reads like the ipvsadm commands.
import type { IpvsDestination, IpvsProtocol, IpvsService, IpvsTable } from '../../../src/core/ipvs/model.js';

type ServiceExtras = Partial<Pick<IpvsService, 'schedulerFlags' | 'persistence' | 'onePacket'>>;
type DestExtras = Partial<Omit<IpvsDestination, 'address' | 'port' | 'forwarding' | 'weight'>>;

export function table(...services: IpvsService[]): IpvsTable {
  return { services };
}

export function service(
  protocol: IpvsProtocol,
  address: string,
  port: number,
  scheduler: string,
  extras: ServiceExtras = {},
  destinations: IpvsDestination[] = [],
): IpvsService {
  return { protocol, address, port, scheduler, ...extras, destinations };
}

export const tcp = (
  address: string,
  port: number,
  scheduler: string,
  extras?: ServiceExtras,
  dests?: IpvsDestination[],
) => service('TCP', address, port, scheduler, extras, dests);
export const udp = (
  address: string,
  port: number,
  scheduler: string,
  extras?: ServiceExtras,
  dests?: IpvsDestination[],
) => service('UDP', address, port, scheduler, extras, dests);
export const sctp = (
  address: string,
  port: number,
  scheduler: string,
  extras?: ServiceExtras,
  dests?: IpvsDestination[],
) => service('SCTP', address, port, scheduler, extras, dests);

export const nat = (address: string, port: number, weight = 1, extras: DestExtras = {}): IpvsDestination => ({
  address,
  port,
  forwarding: 'NAT',
  weight,
  ...extras,
});
export const dr = (address: string, port: number, weight = 1, extras: DestExtras = {}): IpvsDestination => ({
  address,
  port,
  forwarding: 'DR',
  weight,
  ...extras,
});
export const tun = (address: string, port: number, weight = 1, extras: DestExtras = {}): IpvsDestination => ({
  address,
  port,
  forwarding: 'TUN',
  weight,
  ...extras,
});
