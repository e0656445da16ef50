// Changes to the IPVS table in the kernel's nouns, one per command of its generic netlink family
// (IPVS_CMD_NEW_SERVICE, SET_SERVICE, DEL_SERVICE, NEW_DEST, SET_DEST, DEL_DEST), so that an
// implementation can report per operation what failed and why; ipvsadm takes each as one
// restore line. Pure: what the operations mean, not how they reach the kernel.
import type { IpvsDestination, IpvsService, IpvsTable } from './model.js';
import { destinationKey, serviceKey } from './model.js';
import {
  renderDeleteDestinationLine,
  renderDeleteServiceLine,
  renderDestinationLine,
  renderServiceLine,
} from './save-format.js';

/** What names a virtual service (ipvsadm's -t/-u/--sctp-service addr:port). */
export type IpvsServiceId = Pick<IpvsService, 'protocol' | 'address' | 'port'>;
/** A service's full spec without its destinations: what adding or updating it sets. */
export type IpvsServiceSpec = Omit<IpvsService, 'destinations'>;
/** What names a destination within its service. */
export type IpvsDestinationId = Pick<IpvsDestination, 'address' | 'port'>;

/**
 * Updates carry the FULL spec: the kernel (and ipvsadm) reset whatever an update leaves out
 * (see diff.ts), so an operation never means "change only this field".
 */
export type IpvsOperation =
  | { kind: 'add-service'; service: IpvsServiceSpec }
  | { kind: 'update-service'; service: IpvsServiceSpec }
  | { kind: 'delete-service'; service: IpvsServiceId }
  | { kind: 'add-destination'; service: IpvsServiceId; destination: IpvsDestination }
  | { kind: 'update-destination'; service: IpvsServiceId; destination: IpvsDestination }
  | { kind: 'delete-destination'; service: IpvsServiceId; destination: IpvsDestinationId };

/** The operation as an `ipvsadm -R` line (short options, no newline): logs and ipvsadm both read it. */
export function operationLine(op: IpvsOperation): string {
  switch (op.kind) {
    case 'add-service':
      return renderServiceLine('-A', op.service);
    case 'update-service':
      return renderServiceLine('-E', op.service);
    case 'delete-service':
      return renderDeleteServiceLine(op.service);
    case 'add-destination':
      return renderDestinationLine('-a', op.service, op.destination);
    case 'update-destination':
      return renderDestinationLine('-e', op.service, op.destination);
    case 'delete-destination':
      return renderDeleteDestinationLine(op.service, op.destination);
  }
}

/** The spec of a service without its destinations (a copy, so an operation holds no table). */
export function serviceSpec(s: IpvsService): IpvsServiceSpec {
  const { destinations: _destinations, ...spec } = s;
  return spec;
}

/** Both canonical: compare what adding or updating a service sets. */
export function sameServiceSpec(a: IpvsServiceSpec, b: IpvsServiceSpec): boolean {
  return (
    a.scheduler === b.scheduler &&
    (a.schedulerFlags ?? []).join(',') === (b.schedulerFlags ?? []).join(',') &&
    a.persistence?.timeout === b.persistence?.timeout &&
    a.persistence?.netmask === b.persistence?.netmask &&
    (a.onePacket ?? false) === (b.onePacket ?? false)
  );
}

/** Both canonical: compare what adding or updating a destination sets. */
export function sameDestinationSpec(a: IpvsDestination, b: IpvsDestination, ignoreThresholds: boolean): boolean {
  const thresholdsEqual =
    ignoreThresholds ||
    ((a.upperThreshold ?? 0) === (b.upperThreshold ?? 0) && (a.lowerThreshold ?? 0) === (b.lowerThreshold ?? 0));
  return (
    a.forwarding === b.forwarding &&
    a.weight === b.weight &&
    thresholdsEqual &&
    a.tunnelType === b.tunnelType &&
    a.tunnelPort === b.tunnelPort &&
    a.tunnelChecksum === b.tunnelChecksum
  );
}

/**
 * For each operation, whether a canonical table read after it shows its effect: for a tool that
 * does not say which of its operations failed (ipvsadm -R), this is how a failure is put on an
 * operation. The operations must be canonical too (diff.ts makes them so). ignoreThresholds: the
 * table was read with a tool that never prints them (ipvsadm -S). Indexed once, since a batch can
 * hold 10,000 destinations.
 */
export function operationsVisible(
  table: IpvsTable,
  ops: readonly IpvsOperation[],
  ignoreThresholds: boolean,
): boolean[] {
  const services = new Map(
    table.services.map((s) => [
      serviceKey(s),
      { s, dests: new Map(s.destinations.map((d) => [destinationKey(d), d])) },
    ]),
  );
  return ops.map((op) => {
    const found = services.get(serviceKey(op.service));
    if (op.kind === 'delete-service') return !found;
    if (op.kind === 'add-service' || op.kind === 'update-service')
      return found !== undefined && sameServiceSpec(found.s, op.service);
    const destination = found?.dests.get(destinationKey(op.destination));
    if (op.kind === 'delete-destination') return !destination;
    return destination !== undefined && sameDestinationSpec(destination, op.destination, ignoreThresholds);
  });
}
