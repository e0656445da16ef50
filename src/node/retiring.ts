// What a real server keeps while the directors drain it: when its VIP (on lo, or on a tunnel)
// and the ARP sysctls that go with it leave the plan, the agent keeps them for the drain timeout,
// because the directors still send it the packets of established connections (see
// src/ipvs/drain.ts) and a real server without the VIP drops them. Keeping them is harmless: the
// ARP sysctls stay as long as the address does, so the node never answers ARP for the VIP.
// Pure: the previous retiring set and the clock come in, the kept items go out.

export interface Retiring<T> {
  item: T;
  /** epoch ms when it left the plan */
  since: number;
}

export interface RetireResult<T> {
  /** desired, then the retiring items still inside the timeout */
  items: T[];
  retiring: Map<string, Retiring<T>>;
}

/**
 * @param applied what the last pass applied (desired and retiring items)
 * @param desired what the plan asks for now; an item with the same key (a sysctl with another
 *   value) replaces the retiring one at once
 */
export function keepRetiring<T>(
  applied: readonly T[],
  desired: readonly T[],
  retiring: ReadonlyMap<string, Retiring<T>>,
  key: (item: T) => string,
  now: number,
  timeoutMs: number,
): RetireResult<T> {
  const wanted = new Set(desired.map(key));
  const next = new Map<string, Retiring<T>>();
  for (const item of applied) {
    const k = key(item);
    if (wanted.has(k) || next.has(k)) continue;
    const since = retiring.get(k)?.since ?? now;
    if (now - since < timeoutMs) next.set(k, { item, since });
  }
  return { items: [...desired, ...[...next.values()].map((r) => r.item)], retiring: next };
}
