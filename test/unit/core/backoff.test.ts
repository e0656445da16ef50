import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/core/backoff.js';

describe('backoffDelay', () => {
  it('starts at base and doubles with each failure in a row, up to max', () => {
    const bounds = { base: 1000, max: 30_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 100].map((n) => backoffDelay(n, bounds))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });
});
