import { describe, expect, it } from 'vitest';
import { condition, mergeConditions, type Condition } from '../../../src/core/api/conditions.js';
import { stableJson } from '../../../src/core/api/stable-json.js';

const T1 = '2025-03-01T12:00:00Z';
const T2 = '2025-03-01T12:05:00Z';

describe('mergeConditions', () => {
  const before: Condition[] = [
    { type: 'Ready', status: 'True', reason: 'Ready', message: 'lvs01 holds the VIP', lastTransitionTime: T1 },
    { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'fine', lastTransitionTime: T1 },
  ];

  it('keeps lastTransitionTime while the status stays, even when reason and message change', () => {
    const merged = mergeConditions(before, [condition('Ready', true, 'Ready', 'lvs02 holds the VIP', 3)], T2);
    expect(merged).toEqual([
      {
        type: 'Ready',
        status: 'True',
        reason: 'Ready',
        message: 'lvs02 holds the VIP',
        observedGeneration: 3,
        lastTransitionTime: T1,
      },
    ]);
  });

  it('sets lastTransitionTime to now when the status changes or the condition is new', () => {
    const merged = mergeConditions(
      before,
      [
        condition('Ready', false, 'NoMaster', 'no director holds the VIP', 3),
        condition('Degraded', false, 'AsExpected', 'fine', 3),
        condition('Programmed', true, 'Programmed', 'programmed on lvs01', 3),
      ],
      T2,
    );
    expect(merged.map((c) => [c.type, c.status, c.lastTransitionTime])).toEqual([
      ['Ready', 'False', T2],
      ['Degraded', 'False', T1],
      ['Programmed', 'True', T2],
    ]);
    expect(mergeConditions(undefined, [condition('Ready', true, 'Ready', 'ok', 1)], T2)[0]?.lastTransitionTime).toBe(
      T2,
    );
  });

  it('drops conditions no longer given, and keeps the given order', () => {
    const merged = mergeConditions(before, [condition('Degraded', true, 'Degraded', 'x', 1)], T2);
    expect(merged.map((c) => c.type)).toEqual(['Degraded']);
  });

  it('cuts a message to the 32768 characters the CRDs allow', () => {
    const long = 'x'.repeat(40_000);
    const [merged] = mergeConditions(undefined, [condition('Degraded', true, 'InvalidSpec', long, 1)], T1);
    expect(merged?.message).toHaveLength(32_768);
    expect(merged?.message.endsWith('...')).toBe(true);
    const [exact] = mergeConditions(undefined, [condition('Degraded', true, 'InvalidSpec', 'y'.repeat(32_768), 1)], T1);
    expect(exact?.message).toBe('y'.repeat(32_768));
  });
});

describe('stableJson', () => {
  it('is the same for objects with the same content in another key order, at every depth', () => {
    expect(stableJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: null } })).toBe(
      stableJson({ a: { c: null, d: [{ x: 2, y: 1 }] }, b: 1 }),
    );
  });

  it('keeps the order of arrays and tells different values apart', () => {
    expect(stableJson([1, 2])).not.toBe(stableJson([2, 1]));
    expect(stableJson({ a: 1 })).not.toBe(stableJson({ a: '1' }));
    expect(stableJson({ a: undefined, b: 1 })).toBe(stableJson({ b: 1 }));
  });
});
