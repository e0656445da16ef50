// A pure model of what `ipvsadm -R` + the kernel do with restore lines, for tests of plans:
// applyRestoreLines(actual, diffTables(actual, desired)) must give the desired table. It
// mirrors the behaviour observed on the real tool (test/golden/ipvs/facts.txt):
//  - -E and -e REPLACE the whole spec; what a line leaves out gets ipvsadm's default
//    (scheduler wlc, no persistence, no flags; DR, weight 1, thresholds 0, ipip);
//  - adding what exists, or editing/deleting what does not, is an error;
//  - lower threshold above upper (also upper 0) is ERANGE;
//  - multicast, broadcast, unspecified, link-local and IPv4-mapped real servers are EINVAL;
//  - ipvsadm rewrites DR/TUN destination ports to the service port (done by the line parser).
// One difference on purpose: the simulator throws at the first failing line, so a test cannot
// miss it. The real `ipvsadm -R` carries on after a kernel error and still exits 0, but stops
// (exit 2, later lines NOT applied) at a line failing its own checks, e.g. "-M 0" for IPv6.
import { isUnicastDestination } from '../net/address.js';
import { canonicalDestination, canonicalService, canonicalTable } from './canonical.js';
import { destinationKey, serviceKey } from './model.js';
import type { IpvsService, IpvsTable } from './model.js';
import { parseRestoreLine } from './restore-line.js';

/** The kernel (or ipvsadm) refused a line; the message is ipvsadm's. */
export class RestoreRejectedError extends Error {
  override readonly name = 'RestoreRejectedError';
  constructor(
    readonly lineNumber: number,
    readonly line: string,
    reason: string,
  ) {
    super(`line ${lineNumber}: ${reason}: ${line}`);
  }
}

export function applyRestoreLines(table: IpvsTable, lines: string[]): IpvsTable {
  // Work on a canonical deep copy, keyed by service identity.
  const services = new Map<string, IpvsService>();
  for (const s of canonicalTable(table).services) services.set(serviceKey(s), s);
  lines.forEach((line, index) => {
    const lineNumber = index + 1;
    const reject = (reason: string): never => {
      throw new RestoreRejectedError(lineNumber, line, reason);
    };
    const command = parseRestoreLine(line, lineNumber);
    if (!command) return;
    if (command.op === 'clear') {
      services.clear();
      return;
    }
    // Firewall-mark services are not in the model: we never plan them.
    if (command.target.kind === 'fwmark') return reject('firewall-mark services are not simulated');
    const { protocol, address, port } = command.target;
    const key = serviceKey(command.target);
    const service = services.get(key);
    switch (command.op) {
      case 'add-service':
        if (service) reject('Service already exists');
        if (port === 0 && !command.spec.persistence) reject('Zero port specified for non-persistent service');
        services.set(key, canonicalService({ protocol, address, port, ...command.spec, destinations: [] }));
        return;
      case 'edit-service':
        if (!service) return reject('No such service');
        if (port === 0 && !command.spec.persistence) reject('Zero port specified for non-persistent service');
        services.set(
          key,
          canonicalService({ protocol, address, port, ...command.spec, destinations: service.destinations }),
        );
        return;
      case 'delete-service':
        if (!service) reject('No such service');
        services.delete(key);
        return;
    }
    if (!service) return reject(command.op === 'add-dest' ? 'Service not defined' : 'No such service');
    // Both sides are canonical (normalized addresses), so the printed form identifies a destination.
    const where = destinationKey(command.destination);
    const index_ = service.destinations.findIndex((d) => destinationKey(d) === where);
    if (command.op === 'delete-dest') {
      if (index_ < 0) reject(`No such destination ${where}`);
      service.destinations.splice(index_, 1);
      return;
    }
    const dest = canonicalDestination(command.destination);
    if ((dest.lowerThreshold ?? 0) > (dest.upperThreshold ?? 0)) reject('Numerical result out of range');
    if (command.op === 'add-dest') {
      if (index_ >= 0) reject(`Destination already exists ${where}`);
      if (!isUnicastDestination(dest.address)) reject('Invalid operation (address not unicast)');
      service.destinations.push(dest); // canonicalTable sorts at the end
    } else {
      if (index_ < 0) reject(`No such destination ${where}`);
      service.destinations[index_] = dest;
    }
  });
  return canonicalTable({ services: [...services.values()] });
}
