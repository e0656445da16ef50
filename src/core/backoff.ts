// The retry delay after consecutive failures: base, doubling, capped at max. Pure.

export interface BackoffBounds {
  base: number;
  max: number;
}

/** The delay before the next try after `failures` failures in a row (1 for the first): base * 2^(failures-1), at most max. */
export function backoffDelay(failures: number, bounds: BackoffBounds): number {
  return Math.min(bounds.base * 2 ** (Math.max(failures, 1) - 1), bounds.max);
}
