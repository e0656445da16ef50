import { PassThrough, Readable } from 'node:stream';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Informer, type ApiObject } from '../../../src/kube/informer.js';
import { LVS_NODES, VIRTUAL_SERVICES } from '../../../src/kube/resources.js';
import { SERVER, testClient, WAIT_MS } from './kube-client.js';

const VS_PATH = '/apis/lvs-operator.io/v1alpha1/virtualservices';
const NODES_PATH = '/apis/lvs-operator.io/v1alpha1/lvsnodes';

interface Obj extends ApiObject {
  apiVersion?: string;
  metadata: { name: string; namespace?: string; resourceVersion: string };
  spec?: { port: number };
}

const vs = (name: string, resourceVersion: string, port = 80): Obj => ({
  metadata: { name, namespace: 'default', resourceVersion },
  spec: { port },
});
const listOf = (resourceVersion: string, items: Obj[]) => ({ metadata: { resourceVersion }, items });

/** A watch response the test writes events into. */
function watchStream() {
  const stream = new PassThrough();
  return {
    stream,
    send: (type: string, object: unknown) => stream.write(`${JSON.stringify({ type, object })}\n`),
  };
}

type Query = Record<string, string>;
const isWatch = (rv?: string) => (q: Query) => q.watch === 'true' && (rv === undefined || q.resourceVersion === rv);
const names = (informer: Informer<Obj>) =>
  informer
    .list()
    .map((o) => o.metadata.name)
    .sort();

/** Calls the body with a started informer and always stops it. */
const informers: Informer<Obj>[] = [];
function start(options: ConstructorParameters<typeof Informer<Obj>>[2] = {}, resource = VIRTUAL_SERVICES) {
  const informer = new Informer<Obj>(testClient(), resource, options);
  const changes: (string | undefined)[] = [];
  informer.onChange((o) => changes.push(o && `${o.metadata.name}@${(o as Obj).metadata.resourceVersion}`));
  informers.push(informer);
  informer.start();
  return { informer, changes };
}

describe('Informer', () => {
  beforeAll(() => {
    nock.disableNetConnect();
  });
  afterEach(async () => {
    await Promise.all(informers.splice(0).map((i) => i.stop()));
    nock.cleanAll();
  });
  afterAll(() => {
    nock.enableNetConnect();
  });

  it('lists, then watches from the list resourceVersion; events reach list() and onChange', async () => {
    const watch = watchStream();
    let watchQuery: Query | undefined;
    nock(SERVER)
      .get(VS_PATH)
      .reply(200, listOf('10', [vs('a', '5'), vs('b', '6')]))
      .get(VS_PATH)
      .query((q: Query) => {
        watchQuery = q;
        return isWatch('10')(q);
      })
      .reply(200, () => watch.stream);
    const { informer, changes } = start();
    await informer.synced;
    await vi.waitFor(() => expect(changes).toContain(undefined), WAIT_MS);
    expect(informer.lists).toBe(1);
    expect(names(informer)).toEqual(['a', 'b']);
    // list items come without kind; the informer gives them theirs
    expect(informer.get('a', 'default')).toMatchObject({
      kind: 'VirtualService',
      apiVersion: 'lvs-operator.io/v1alpha1',
    });

    await vi.waitFor(() => expect(watchQuery).toBeDefined(), WAIT_MS);
    expect(watchQuery).toMatchObject({ watch: 'true', resourceVersion: '10', allowWatchBookmarks: 'true' });
    changes.length = 0;
    watch.send('ADDED', { ...vs('c', '11'), kind: 'VirtualService' });
    watch.send('MODIFIED', { ...vs('a', '12', 8080), kind: 'VirtualService' });
    watch.send('DELETED', { ...vs('b', '13'), kind: 'VirtualService' });
    await vi.waitFor(() => expect(changes).toEqual(['c@11', 'a@12', 'b@13']), WAIT_MS);
    expect(names(informer)).toEqual(['a', 'c']);
    expect(informer.get('a', 'default')?.spec?.port).toBe(8080);
    expect(informer.get('b', 'default')).toBeUndefined();
    expect(informer.lists).toBe(1);
  });

  it('lists again after a 410 Gone ERROR event; objects deleted meanwhile disappear', async () => {
    const second = watchStream();
    nock(SERVER)
      .get(VS_PATH)
      .reply(200, listOf('10', [vs('a', '5'), vs('b', '6')]))
      .get(VS_PATH)
      .query(isWatch('10'))
      .reply(200, () =>
        Readable.from([
          `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 10 (30)' } })}\n`,
        ]),
      )
      .get(VS_PATH)
      .reply(200, listOf('30', [vs('a', '5')]))
      .get(VS_PATH)
      .query(isWatch('30'))
      .reply(200, () => second.stream);
    const { informer, changes } = start();
    await vi.waitFor(() => expect(informer.lists).toBe(2), WAIT_MS);
    await vi.waitFor(() => expect(changes).toContain('b@6'), WAIT_MS);
    expect(names(informer)).toEqual(['a']);
    await vi.waitFor(() => expect(nock.pendingMocks()).toEqual([]), WAIT_MS);
  });

  it('lists again when the watch is answered HTTP 410 Gone', async () => {
    const second = watchStream();
    nock(SERVER)
      .get(VS_PATH)
      .reply(200, listOf('10', [vs('a', '5'), vs('b', '6')]))
      .get(VS_PATH)
      .query(isWatch('10'))
      .reply(410, { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' })
      .get(VS_PATH)
      .reply(200, listOf('30', [vs('b', '6')]))
      .get(VS_PATH)
      .query(isWatch('30'))
      .reply(200, () => second.stream);
    const { informer } = start();
    await vi.waitFor(() => expect(informer.lists).toBe(2), WAIT_MS);
    await vi.waitFor(() => expect(nock.pendingMocks()).toEqual([]), WAIT_MS);
    expect(names(informer)).toEqual(['b']);
    // and the new watch is live
    second.send('ADDED', vs('d', '31'));
    await vi.waitFor(() => expect(names(informer)).toEqual(['b', 'd']), WAIT_MS);
  });

  it('abandons a watch that stays silent longer than quietMs and lists again', async () => {
    const log = vi.fn();
    const second = watchStream();
    let silentAt = 0;
    nock(SERVER)
      .get(VS_PATH)
      .reply(200, listOf('10', [vs('a', '5'), vs('b', '6')]))
      .get(VS_PATH)
      .query(isWatch('10'))
      .reply(200, () => {
        silentAt = Date.now();
        // a connection cut without a FIN: nothing ever comes, nothing ends
        return new Readable({ read() {} });
      })
      .get(VS_PATH)
      .reply(200, listOf('30', [vs('a', '5')]))
      .get(VS_PATH)
      .query(isWatch('30'))
      .reply(200, () => {
        // a bookmark now and then keeps this one alive
        const timer = setInterval(() => second.send('BOOKMARK', { metadata: { resourceVersion: '30' } }), 50);
        second.stream.on('close', () => clearInterval(timer));
        return second.stream;
      });
    // bookmarks every 50 ms against a quiet limit of 500 ms: only an event loop stalled for
    // 0.45 s could take the live watch for a silent one
    const { informer } = start({ quietMs: 500, log });
    await vi.waitFor(() => expect(informer.lists).toBe(2), WAIT_MS);
    expect(Date.now() - silentAt).toBeGreaterThanOrEqual(490); // not before the quiet limit
    expect(names(informer)).toEqual(['a']);
    expect(log).toHaveBeenCalledWith('watch quiet, listing again', { path: VS_PATH });
    // the live watch is not abandoned (two quiet limits pass)
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(informer.lists).toBe(2);
  });

  it('retries a failed list after a backoff, and keeps the listeners waiting until it works', async () => {
    const log = vi.fn();
    const watch = watchStream();
    nock(SERVER)
      .get(VS_PATH)
      .reply(500, { kind: 'Status', code: 500, reason: 'InternalError', message: 'etcd is down' })
      .get(VS_PATH)
      .reply(500, { kind: 'Status', code: 500, reason: 'InternalError', message: 'etcd is down' })
      .get(VS_PATH)
      .reply(200, listOf('10', [vs('a', '5')]))
      .get(VS_PATH)
      .query(isWatch('10'))
      .reply(200, () => watch.stream);
    const { informer } = start({ backoffMs: { base: 10, max: 50 }, log });
    await informer.synced;
    expect(informer.lists).toBe(1);
    expect(names(informer)).toEqual(['a']);
    const retries = log.mock.calls.filter(([event]) => event === 'watch failed, starting again').map(([, f]) => f);
    expect(retries).toEqual([
      { resource: 'virtualservices', error: 'etcd is down', retryInMs: 10 },
      { resource: 'virtualservices', error: 'etcd is down', retryInMs: 20 },
    ]);
    await vi.waitFor(() => expect(nock.pendingMocks()).toEqual([]), WAIT_MS);
  });

  it('watches again from the last resourceVersion when the server ends a watch; one that ended with nothing waits the backoff first', async () => {
    const third = watchStream();
    const watchedAt: [string, number][] = [];
    const watched = (rv: string) => (q: Query) => isWatch(rv)(q) && watchedAt.push([rv, Date.now()]) > 0;
    nock(SERVER)
      .get(VS_PATH)
      .reply(200, listOf('10', [vs('a', '5')]))
      .get(VS_PATH)
      .query(watched('10'))
      // the server's timeoutSeconds ran out after an event and a bookmark
      .reply(200, () =>
        Readable.from([
          `${JSON.stringify({ type: 'ADDED', object: vs('c', '11') })}\n`,
          `${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '15' } } })}\n`,
        ]),
      )
      .get(VS_PATH)
      .query(watched('15'))
      // a proxy that closes every watch at once
      .reply(200, () => Readable.from([]))
      .get(VS_PATH)
      .query(watched('15'))
      .reply(200, () => third.stream);
    const { informer, changes } = start({ backoffMs: { base: 300, max: 300 } });
    await vi.waitFor(() => expect(nock.pendingMocks()).toEqual([]), WAIT_MS);
    expect(watchedAt.map(([rv]) => rv)).toEqual(['10', '15', '15']);
    expect(watchedAt[2]![1] - watchedAt[1]![1]).toBeGreaterThanOrEqual(290); // not before the backoff
    expect(changes).toContain('c@11');
    expect(names(informer)).toEqual(['a', 'c']);
    expect(informer.lists).toBe(1);
  });

  it('sends the fieldSelector with the list and the watch', async () => {
    const watch = watchStream();
    const queries: Query[] = [];
    nock(SERVER)
      .get(NODES_PATH)
      .query((q: Query) => {
        queries.push(q);
        return q.watch === undefined && q.fieldSelector === 'metadata.name=lvs01';
      })
      .reply(200, listOf('3', [{ metadata: { name: 'lvs01', resourceVersion: '2' } }]))
      .get(NODES_PATH)
      .query((q: Query) => isWatch('3')(q) && q.fieldSelector === 'metadata.name=lvs01')
      .reply(200, () => watch.stream);
    const { informer } = start({ fieldSelector: 'metadata.name=lvs01' }, LVS_NODES);
    await informer.synced;
    await vi.waitFor(() => expect(nock.pendingMocks()).toEqual([]), WAIT_MS);
    expect(informer.get('lvs01')).toMatchObject({ kind: 'LVSNode' });
    expect(queries[0]).toEqual({ fieldSelector: 'metadata.name=lvs01' });
  });

  it('stop() closes the watch: later events change nothing', async () => {
    const watch = watchStream();
    nock(SERVER)
      .get(VS_PATH)
      .reply(200, listOf('10', [vs('a', '5')]))
      .get(VS_PATH)
      .query(isWatch('10'))
      .reply(200, () => watch.stream);
    const { informer, changes } = start();
    await informer.synced;
    await vi.waitFor(() => expect(nock.pendingMocks()).toEqual([]), WAIT_MS);
    watch.send('ADDED', vs('early', '11'));
    await vi.waitFor(() => expect(names(informer)).toEqual(['a', 'early']), WAIT_MS);
    await informer.stop();
    changes.length = 0;
    watch.send('ADDED', vs('late', '12'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(changes).toEqual([]);
    expect(names(informer)).toEqual(['a', 'early']);
  });

  it('stop() while the watch request is still on its way closes that watch too', async () => {
    const watch = watchStream();
    let answered = false;
    nock(SERVER)
      .get(VS_PATH)
      .reply(200, listOf('10', [vs('a', '5')]))
      .get(VS_PATH)
      .query(isWatch('10'))
      .delay(100)
      .reply(200, () => {
        answered = true;
        return watch.stream;
      });
    const { informer, changes } = start();
    await informer.synced;
    await informer.stop();
    await vi.waitFor(() => expect(answered).toBe(true), WAIT_MS);
    await new Promise((resolve) => setTimeout(resolve, 50));
    changes.length = 0;
    watch.send('ADDED', vs('late', '11'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(changes).toEqual([]);
    expect(names(informer)).toEqual(['a']);
  });

  it('stop() while the list is on its way opens no watch afterwards', async () => {
    let watched = false;
    nock(SERVER)
      .get(VS_PATH)
      .delay(100)
      .reply(200, listOf('10', [vs('a', '5')]))
      .get(VS_PATH)
      .query(isWatch('10'))
      .reply(200, () => {
        watched = true;
        return watchStream().stream;
      });
    const { informer } = start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await informer.stop();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(watched).toBe(false);
  });
});
