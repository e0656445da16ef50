// The informer never goes silent for good: after a watch answered 500 (etcd down, a 403 while
// RBAC catches up, a refused connection) it logs and starts again after a backoff, watching from
// the last resourceVersion it saw. (client-node's ListWatch, which it used before, stopped for
// good on any error but a 410.)
import { PassThrough } from 'node:stream';
import nock from 'nock';
import { describe, expect, it, vi } from 'vitest';
import { Informer } from '../../../src/kube/informer.js';
import { VIRTUAL_SERVICES } from '../../../src/kube/resources.js';
import { SERVER, testClient, useNock, WAIT_MS } from './kube-client.js';

const VS_PATH = '/apis/lvs-operator.io/v1alpha1/virtualservices';
const vs = (name: string, resourceVersion: string) => ({
  metadata: { name, namespace: 'default', resourceVersion },
});
const isWatch = (rv: string) => (q: Record<string, string>) => q.watch === 'true' && q.resourceVersion === rv;
const internalError = { kind: 'Status', code: 500, reason: 'InternalError', message: 'etcd is down' };

/** A list at resourceVersion 10, then a watch from it answered 500. */
function listThenFailingWatch() {
  nock(SERVER)
    .get(VS_PATH)
    .reply(200, { metadata: { resourceVersion: '10' }, items: [vs('a', '5')] })
    .get(VS_PATH)
    .query(isWatch('10'))
    .reply(500, internalError);
}

describe('after a watch answered 500', () => {
  useNock();

  it('the Informer starts again after a backoff, watching from the last resourceVersion', async () => {
    listThenFailingWatch();
    const stream = new PassThrough();
    nock(SERVER)
      .get(VS_PATH)
      .query(isWatch('10'))
      .reply(200, () => stream);
    const log = vi.fn();
    const informer = new Informer(testClient(), VIRTUAL_SERVICES, { backoffMs: { base: 10, max: 50 }, log });
    informer.start();
    try {
      await vi.waitFor(() => expect(nock.pendingMocks()).toEqual([]), WAIT_MS);
      stream.write(`${JSON.stringify({ type: 'ADDED', object: vs('b', '12') })}\n`);
      await vi.waitFor(() => expect(informer.list().map((o) => o.metadata.name)).toEqual(['a', 'b']), WAIT_MS);
      expect(log).toHaveBeenCalledWith('watch failed, starting again', {
        resource: 'virtualservices',
        error: 'etcd is down',
        retryInMs: 10,
      });
      expect(informer.lists).toBe(1);
    } finally {
      await informer.stop();
    }
  });
});
