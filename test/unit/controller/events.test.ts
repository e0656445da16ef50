import { describe, expect, it } from 'vitest';
import type { Condition } from '../../../src/core/api/conditions.js';
import { realServerEvents, virtualServiceEvents } from '../../../src/cluster/events.js';
import type { RealServerStatus, VirtualServiceStatus } from '../../../src/cluster/status.js';

const T = '2025-03-01T12:00:00Z';
const degraded = (reason: string, message: string): Condition => ({
  type: 'Degraded',
  status: reason === 'AsExpected' ? 'False' : 'True',
  reason,
  message,
  lastTransitionTime: T,
});
const vs = (master?: string, conditions: Condition[] = []): VirtualServiceStatus => ({
  ...(master ? { master } : {}),
  conditions,
});
type Director = NonNullable<RealServerStatus['directors']>[number];
const rs = (directors: Director[], conditions: Condition[] = []): RealServerStatus => ({ directors, conditions });

describe('virtualServiceEvents', () => {
  it('says VIPMoved when the master changes, naming both directors', () => {
    expect(virtualServiceEvents(vs('lvs01'), vs('lvs02'))).toEqual([
      { type: 'Normal', reason: 'VIPMoved', message: 'the VIP moved from lvs01 to lvs02' },
    ]);
  });

  it('says nothing while the master stays', () => {
    expect(virtualServiceEvents(vs('lvs01'), vs('lvs01'))).toEqual([]);
    expect(virtualServiceEvents(vs(), vs())).toEqual([]);
  });

  it('says VIPHeld when a first master appears, and warns VIPLost when none is left', () => {
    expect(virtualServiceEvents(undefined, vs('lvs01'))).toEqual([
      { type: 'Normal', reason: 'VIPHeld', message: 'lvs01 holds the VIP' },
    ]);
    expect(virtualServiceEvents(vs('lvs01'), vs())).toEqual([
      { type: 'Warning', reason: 'VIPLost', message: 'no director holds the VIP (it was lvs01)' },
    ]);
  });

  it('warns InvalidSpec once per message, not on every pass', () => {
    const bad = degraded('InvalidSpec', 'spec.port: must be <= 65535 (got 70000)');
    const first = virtualServiceEvents(vs(undefined, [degraded('AsExpected', 'fine')]), vs(undefined, [bad]));
    expect(first).toEqual([
      { type: 'Warning', reason: 'InvalidSpec', message: 'spec.port: must be <= 65535 (got 70000)' },
    ]);
    expect(virtualServiceEvents(vs(undefined, [bad]), vs(undefined, [bad]))).toEqual([]);
    const worse = degraded('InvalidSpec', 'spec.port: must be >= 1 (got 0)');
    expect(virtualServiceEvents(vs(undefined, [bad]), vs(undefined, [worse]))).toEqual([
      { type: 'Warning', reason: 'InvalidSpec', message: 'spec.port: must be >= 1 (got 0)' },
    ]);
    // a first status that is already invalid is reported too
    expect(virtualServiceEvents(undefined, vs(undefined, [bad]))).toHaveLength(1);
  });

  it('says nothing on an unhealthy but valid status', () => {
    const sick = degraded('Degraded', '1/2 real servers unhealthy');
    expect(virtualServiceEvents(vs('lvs01'), vs('lvs01', [sick]))).toEqual([]);
  });
});

describe('realServerEvents', () => {
  it('warns RealServerDown when a director finds it unhealthy, with the check message', () => {
    const before = rs([
      { node: 'lvs01', healthy: true },
      { node: 'lvs02', healthy: true },
    ]);
    const after = rs([
      { node: 'lvs01', healthy: true },
      { node: 'lvs02', healthy: false, message: 'connection refused' },
    ]);
    expect(realServerEvents(before, after)).toEqual([
      { type: 'Warning', reason: 'RealServerDown', message: 'unhealthy on lvs02: connection refused' },
    ]);
  });

  it('warns RealServerDown on a first check that fails, and only once', () => {
    const down = rs([{ node: 'lvs01', healthy: false }]);
    expect(realServerEvents(rs([{ node: 'lvs01' }]), down)).toEqual([
      { type: 'Warning', reason: 'RealServerDown', message: 'unhealthy on lvs01' },
    ]);
    expect(realServerEvents(undefined, down)).toHaveLength(1);
    expect(realServerEvents(down, down)).toEqual([]);
  });

  it('says RealServerUp when it is healthy again, and nothing on a first healthy check', () => {
    expect(realServerEvents(rs([{ node: 'lvs01', healthy: false }]), rs([{ node: 'lvs01', healthy: true }]))).toEqual([
      { type: 'Normal', reason: 'RealServerUp', message: 'healthy again on lvs01' },
    ]);
    expect(realServerEvents(rs([{ node: 'lvs01' }]), rs([{ node: 'lvs01', healthy: true }]))).toEqual([]);
  });

  it('warns InvalidSpec once per message', () => {
    const bad = degraded('InvalidSpec', 'spec.address: is the virtual address (got "172.16.40.160")');
    expect(realServerEvents(rs([]), rs([], [bad]))).toEqual([
      { type: 'Warning', reason: 'InvalidSpec', message: bad.message },
    ]);
    expect(realServerEvents(rs([], [bad]), rs([], [bad]))).toEqual([]);
  });
});
