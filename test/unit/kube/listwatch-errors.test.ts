// Why informer.ts restarts ListWatch itself: client-node's ListWatch (2.x) starts again only after
// a 410 Gone or a client-side timeout; any other error (a 500, a 403, a refused connection) is
// reported to its 'error' listeners and it stops for good. Pinned here against client-node's own
// ListWatch, over client-node's Watch and over ours (nock intercepts both, undici's fetch too), and
// then against the Informer, which goes on after the same answers.
import { PassThrough } from 'node:stream';
import { ListWatch, Watch, type KubernetesObject } from '@kubernetes/client-node';
import nock from 'nock';
import { describe, expect, it, vi } from 'vitest';
import { Informer } from '../../../src/kube/informer.js';
import { VIRTUAL_SERVICES } from '../../../src/kube/resources.js';
import { StreamWatch } from '../../../src/kube/watch.js';
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

  it.each([
    ["client-node's Watch", () => new Watch(testClient().config)],
    ['StreamWatch', () => new StreamWatch(testClient())],
  ])("client-node's ListWatch over %s reports the error and stops: no list, no watch after it", async (_, watch) => {
    listThenFailingWatch();
    // Whatever comes next, a list or a watch, would be answered; nothing may ask.
    const after = nock(SERVER)
      .get(VS_PATH)
      .query(() => true)
      .reply(200, { metadata: { resourceVersion: '11' }, items: [] });
    const client = testClient();
    const listWatch = new ListWatch<KubernetesObject>(
      VS_PATH,
      watch(),
      () => client.request<{ items: KubernetesObject[] }>({ method: 'GET', path: VS_PATH }),
      false,
    );
    const errors: unknown[] = [];
    listWatch.on('error', (err) => errors.push(err));
    await listWatch.start();
    await vi.waitFor(() => expect(errors).toHaveLength(1), WAIT_MS);
    expect(errors[0]).toMatchObject({ statusCode: 500 });
    // Longer than ListWatch's own reconnect delay (1 s after a watch that ended without error).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(after.isDone()).toBe(false);
    expect(listWatch.list().map((o) => o.metadata?.name)).toEqual(['a']);
    await listWatch.stop();
    nock.cleanAll();
  });

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
