import nock from 'nock';
import { describe, expect, it, vi } from 'vitest';
import type { Secret, VirtualService } from '../../../src/core/api/objects.js';
import { coalesced, readReferencedSecrets } from '../../../src/cluster/secrets.js';
import { SERVER, testClient, useNock } from '../kube/kube-client.js';

describe('coalesced', () => {
  it('runs once more for calls made while it runs, not once each, then calls after once', async () => {
    const runs: number[] = [];
    let release!: () => void;
    const after = vi.fn();
    const run = coalesced(async () => {
      runs.push(runs.length);
      if (runs.length === 1) await new Promise<void>((resolve) => (release = resolve));
    }, after);
    const first = run();
    const second = run();
    const third = run();
    expect(second).toBe(first);
    expect(third).toBe(first);
    release();
    await first;
    expect(runs).toEqual([0, 1]);
    expect(after).toHaveBeenCalledTimes(1);
    await run();
    expect(runs).toEqual([0, 1, 2]);
    expect(after).toHaveBeenCalledTimes(2);
  });
});

describe('readReferencedSecrets', () => {
  useNock();
  const vs = (namespace: string, secret?: string) =>
    ({
      metadata: { name: 'web', namespace },
      spec: { address: '192.0.2.1', port: 80, ...(secret ? { vrrp: { authSecretRef: { name: secret } } } : {}) },
    }) as unknown as VirtualService;
  const secret = (namespace: string, name: string, password: string) => ({
    metadata: { name, namespace },
    stringData: { password },
  });

  it('gets each referenced Secret once; a gone one is left out, an unreadable one keeps its copy', async () => {
    nock(SERVER)
      .get('/api/v1/namespaces/a/secrets/vrrp')
      .reply(200, secret('a', 'vrrp', 'new'))
      .get('/api/v1/namespaces/b/secrets/gone')
      .reply(404, { kind: 'Status', code: 404, reason: 'NotFound', message: 'not found' })
      .get('/api/v1/namespaces/c/secrets/vrrp')
      .reply(500, { kind: 'Status', code: 500, reason: 'InternalError', message: 'etcd is down' });
    const kept = { apiVersion: 'v1', kind: 'Secret', ...secret('c', 'vrrp', 'old') } as unknown as Secret;
    const log = vi.fn();
    const read = await readReferencedSecrets(
      testClient(),
      log,
      [vs('a', 'vrrp'), vs('a', 'vrrp'), vs('b', 'gone'), vs('c', 'vrrp'), vs('d')],
      new Map([
        ['b/gone', kept],
        ['c/vrrp', kept],
      ]),
    );
    expect([...read.keys()]).toEqual(['a/vrrp', 'c/vrrp']);
    expect(read.get('a/vrrp')).toMatchObject({ apiVersion: 'v1', kind: 'Secret', stringData: { password: 'new' } });
    expect(read.get('c/vrrp')).toBe(kept);
    expect(log).toHaveBeenCalledWith('secret not read', { secret: 'c/vrrp', error: 'etcd is down' });
  });
});
