// The plan: the fewest operations (operations.ts; as `ipvsadm -R` lines, diffTables) that turn
// the actual table into the desired one for the services we manage, and leave everything else alone.
//
// Managed services: every desired service, plus owned services (ones we created earlier) that
// are no longer desired; those are deleted. Any other service in the actual table belongs to
// kube-proxy or a user and never appears in a line. -C is never emitted.
//
// Line order (deterministic; canonical order of services and destinations, see canonical.ts):
//  1. -D for each owned service that is no longer desired;
//  2. per desired service: either -A followed by -a for each destination, or
//     -E (only if its spec differs), then -d for removed, -e for changed, -a for new destinations.
// Removing before adding keeps the plan valid whatever the tables hold; IPVS services are
// independent of each other, so no ordering across services is needed.
//
// Edits always carry the FULL spec, because ipvsadm resets what an edit leaves out (checked
// on the real tool): -E without -p drops persistence, without -M resets the netmask, without -b
// clears the flags, without -s sets wlc; -e without -m turns a NAT destination into DR, without
// -w sets weight 1, without --tun-type makes a GUE/GRE tunnel ipip, without -x/-y zeroes them.
import { canonicalTable } from './canonical.js';
import type { IpvsService, IpvsTable } from './model.js';
import { canonicalServiceKey, destinationKey, serviceKey } from './model.js';
import { operationLine, sameDestinationSpec, sameServiceSpec, serviceSpec, type IpvsOperation } from './operations.js';
import { assertValidTable } from './validate.js';

export interface DiffOptions {
  /**
   * serviceKey()s of services we created earlier; deleted when no longer desired. IPv6 in any
   * spelling ([2001:DB8::A]) is matched against the kernel's.
   */
  owned: Set<string>;
  /**
   * Set when `actual` was read with `ipvsadm -S`, which never prints -x/-y: thresholds then
   * cannot be compared, so a threshold-only change is not planned (any -a/-e still carries the
   * desired thresholds). Without it, a desired threshold makes every plan re-send its -e line.
   */
  actualLacksThresholds?: boolean;
}

/**
 * Restore lines (ipvsadm -R syntax, short options, no trailing newline) from actual to desired:
 * diffOperations, one line per operation.
 */
export function diffTables(actual: IpvsTable, desired: IpvsTable, opts: DiffOptions): string[] {
  return diffOperations(actual, desired, opts).map(operationLine);
}

/**
 * The operations, in the order above, that turn actual into desired; each canonical and with
 * its full spec. Throws IpvsTableError if the desired table could not be programmed or would
 * never read back as asked (see validate.ts); the actual table is taken as the kernel reported it.
 */
export function diffOperations(actual: IpvsTable, desired: IpvsTable, opts: DiffOptions): IpvsOperation[] {
  assertValidTable(desired);
  const want = canonicalTable(desired).services;
  const have = new Map(canonicalTable(actual).services.map((s) => [serviceKey(s), s]));
  const wantKeys = new Set(want.map(serviceKey));
  // an owned key that does not parse stays as it is (and matches nothing)
  const owned = new Set([...opts.owned].map((k) => canonicalServiceKey(k) ?? k));
  const ops: IpvsOperation[] = [];
  for (const [key, s] of have) {
    if (owned.has(key) && !wantKeys.has(key)) ops.push({ kind: 'delete-service', service: serviceSpec(s) });
  }
  for (const s of want) {
    const current = have.get(serviceKey(s));
    if (!current) {
      const service = serviceSpec(s);
      ops.push({ kind: 'add-service', service });
      for (const destination of s.destinations) ops.push({ kind: 'add-destination', service, destination });
      continue;
    }
    if (!sameServiceSpec(current, s)) ops.push({ kind: 'update-service', service: serviceSpec(s) });
    ops.push(...destinationOperations(current, s, opts.actualLacksThresholds ?? false));
  }
  return ops;
}

function destinationOperations(current: IpvsService, wanted: IpvsService, ignoreThresholds: boolean): IpvsOperation[] {
  const service = serviceSpec(wanted);
  const have = new Map(current.destinations.map((d) => [destinationKey(d), d]));
  const wantKeys = new Set(wanted.destinations.map(destinationKey));
  const removals: IpvsOperation[] = [];
  const edits: IpvsOperation[] = [];
  const additions: IpvsOperation[] = [];
  for (const [key, destination] of have) {
    if (!wantKeys.has(key)) removals.push({ kind: 'delete-destination', service, destination });
  }
  for (const destination of wanted.destinations) {
    const existing = have.get(destinationKey(destination));
    if (!existing) additions.push({ kind: 'add-destination', service, destination });
    else if (!sameDestinationSpec(existing, destination, ignoreThresholds))
      edits.push({ kind: 'update-destination', service, destination });
  }
  return [...removals, ...edits, ...additions];
}
