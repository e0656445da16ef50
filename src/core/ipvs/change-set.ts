// Change by change: which services a pass needs to look at, so that one weight changed in a table
// of 10,000 destinations is one service diffed, not the whole table. Pure.
//
// A service is identified by its canonical key (serviceKey of its kernel spelling). The caller
// keeps, for the services it converged last, the JSON of each as it was wanted then (before any
// drain policy): a wanted service whose JSON is the same is unchanged and needs no diff, as long
// as the table it was converged into is the one known now. The services to look at are then:
// - the wanted ones whose JSON differs, or that are new;
// - the ones converged last that are no longer wanted (deleted when owned);
// - the ones the caller names (destinations draining, whose weight-0 entries are re-decided on
//   every pass while their connections end);
// - owned services that are no longer wanted but are still in the known table (a delete that
//   failed before).
// Everything else in the table is left out of the diff, and so out of the batch.
import { canonicalTable, serviceOrderKey, sortByKey } from './canonical.js';
import { canonicalServiceKey, serviceKey, type IpvsService, type IpvsTable } from './model.js';

export interface ChangeSetInput {
  /** The services wanted now, in the plan's spelling (not necessarily canonical). */
  wanted: IpvsTable;
  /** canonical key -> JSON of the wanted service, for the services converged last. */
  converged: ReadonlyMap<string, string>;
  /** The table as known now (observed, plus the batches applied since), by canonical key. */
  known: ReadonlyMap<string, IpvsService>;
  /** serviceKey()s of services we created (any spelling). */
  owned: ReadonlySet<string>;
  /** Canonical keys to look at whatever changed (draining services). */
  alsoCheck?: Iterable<string>;
}

export interface ChangeSet {
  /** The canonical keys looked at, sorted. */
  keys: string[];
  /** The wanted services among them, canonical. */
  wanted: IpvsTable;
  /** The known services among them. */
  known: IpvsTable;
  /** The owned keys among them. */
  owned: Set<string>;
  /** canonical key -> JSON, for every service wanted now: what `converged` becomes once the pass takes. */
  fingerprints: Map<string, string>;
}

/** The canonical key of a service in any spelling (an IPv6 plan may write addresses otherwise). */
export function canonicalKeyOf(s: Pick<IpvsService, 'protocol' | 'address' | 'port'>): string {
  const key = serviceKey(s);
  return canonicalServiceKey(key) ?? key;
}

/** canonical key -> JSON of the service as given, for every service of the table. */
export function serviceFingerprints(table: IpvsTable): Map<string, string> {
  return new Map(table.services.map((s) => [canonicalKeyOf(s), JSON.stringify(s)]));
}

export function changeSet(input: ChangeSetInput): ChangeSet {
  const fingerprints = new Map<string, string>();
  const wantedByKey = new Map<string, IpvsService>();
  const keys = new Set<string>(input.alsoCheck ?? []);
  for (const service of input.wanted.services) {
    const key = canonicalKeyOf(service);
    const json = JSON.stringify(service);
    fingerprints.set(key, json);
    wantedByKey.set(key, service);
    if (input.converged.get(key) !== json) keys.add(key);
  }
  for (const key of input.converged.keys()) if (!wantedByKey.has(key)) keys.add(key);
  const ownedKeys = new Set([...input.owned].map((k) => canonicalServiceKey(k) ?? k));
  for (const key of ownedKeys) if (!wantedByKey.has(key) && input.known.has(key)) keys.add(key);
  const sorted = [...keys].sort();
  const pick = <T>(from: ReadonlyMap<string, T>) =>
    sorted.flatMap((k) => {
      const item = from.get(k);
      return item === undefined ? [] : [item];
    });
  return {
    keys: sorted,
    wanted: canonicalTable({ services: pick(wantedByKey) }),
    known: { services: pick(input.known) },
    owned: new Set(sorted.filter((k) => ownedKeys.has(k))),
    fingerprints,
  };
}

/** The known table by canonical key, from a table read from the kernel (or simulated). */
export function tableByKey(table: IpvsTable): Map<string, IpvsService> {
  return new Map(canonicalTable(table).services.map((s) => [serviceKey(s), s]));
}

/**
 * `known` with the services of `keys` replaced by those of `after` (a service of keys that
 * `after` lacks was deleted; `after` is canonical, as the restore simulator returns it). The other
 * services keep their objects, so that what is cached per service (the status digest) stays valid.
 */
export function mergeKnown(
  known: ReadonlyMap<string, IpvsService>,
  keys: readonly string[],
  after: IpvsTable,
): Map<string, IpvsService> {
  const merged = new Map(known);
  for (const key of keys) merged.delete(key);
  for (const service of after.services) merged.set(serviceKey(service), service);
  return merged;
}

/** The known services as a table, in canonical order. */
export function knownTable(known: ReadonlyMap<string, IpvsService>): IpvsTable {
  return { services: sortByKey([...known.values()], serviceOrderKey) };
}
