// The plan: the fewest `ipvsadm -R` lines that turn the actual table into the desired one for
// the services we manage, and leave everything else alone.
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
import type { IpvsDestination, IpvsService, IpvsTable } from './model.js';
import { canonicalServiceKey, destinationKey, serviceKey } from './model.js';
import {
  renderDeleteDestinationLine,
  renderDeleteServiceLine,
  renderDestinationLine,
  renderServiceLine,
} from './save-format.js';
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
 * Restore lines (ipvsadm -R syntax, short options, no trailing newline) from actual to desired.
 * Throws IpvsTableError if the desired table could not be programmed or would never read back
 * as asked (see validate.ts); the actual table is taken as the kernel reported it.
 */
export function diffTables(actual: IpvsTable, desired: IpvsTable, opts: DiffOptions): string[] {
  assertValidTable(desired);
  const want = canonicalTable(desired).services;
  const have = new Map(canonicalTable(actual).services.map((s) => [serviceKey(s), s]));
  const wantKeys = new Set(want.map(serviceKey));
  // an owned key that does not parse stays as it is (and matches nothing)
  const owned = new Set([...opts.owned].map((k) => canonicalServiceKey(k) ?? k));
  const lines: string[] = [];
  for (const [key, s] of have) {
    if (owned.has(key) && !wantKeys.has(key)) lines.push(renderDeleteServiceLine(s));
  }
  for (const s of want) {
    const current = have.get(serviceKey(s));
    if (!current) {
      lines.push(renderServiceLine('-A', s));
      for (const d of s.destinations) lines.push(renderDestinationLine('-a', s, d));
      continue;
    }
    if (!sameServiceSpec(current, s)) lines.push(renderServiceLine('-E', s));
    lines.push(...destinationLines(current, s, opts.actualLacksThresholds ?? false));
  }
  return lines;
}

function destinationLines(current: IpvsService, wanted: IpvsService, ignoreThresholds: boolean): string[] {
  const have = new Map(current.destinations.map((d) => [destinationKey(d), d]));
  const wantKeys = new Set(wanted.destinations.map(destinationKey));
  const removals: string[] = [];
  const edits: string[] = [];
  const additions: string[] = [];
  for (const [key, d] of have) {
    if (!wantKeys.has(key)) removals.push(renderDeleteDestinationLine(wanted, d));
  }
  for (const d of wanted.destinations) {
    const existing = have.get(destinationKey(d));
    if (!existing) additions.push(renderDestinationLine('-a', wanted, d));
    else if (!sameDestinationSpec(existing, d, ignoreThresholds)) edits.push(renderDestinationLine('-e', wanted, d));
  }
  return [...removals, ...edits, ...additions];
}

/** Both canonical: compare what an -E line would set. */
function sameServiceSpec(a: IpvsService, b: IpvsService): boolean {
  return (
    a.scheduler === b.scheduler &&
    (a.schedulerFlags ?? []).join(',') === (b.schedulerFlags ?? []).join(',') &&
    a.persistence?.timeout === b.persistence?.timeout &&
    a.persistence?.netmask === b.persistence?.netmask &&
    (a.onePacket ?? false) === (b.onePacket ?? false)
  );
}

/** Both canonical: compare what an -e line would set. */
function sameDestinationSpec(a: IpvsDestination, b: IpvsDestination, ignoreThresholds: boolean): boolean {
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
