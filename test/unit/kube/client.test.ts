import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { ApiError, isConflict, isNotFound, PATCH_APPLY, PATCH_MERGE } from '../../../src/kube/client.js';
import { LVS_NODES, resourcePath, VIRTUAL_SERVICES } from '../../../src/kube/resources.js';
import { SERVER, testClient, useNock } from './kube-client.js';

describe('KubeClient', () => {
  useNock();

  it('sends the kubeconfig token and resolves with the parsed body', async () => {
    nock(SERVER, { reqheaders: { authorization: 'Bearer t', accept: 'application/json' } })
      .get('/api/v1/nodes/lvs01')
      .reply(200, { kind: 'Node', metadata: { name: 'lvs01' } });
    await expect(testClient().request({ method: 'GET', path: '/api/v1/nodes/lvs01' })).resolves.toEqual({
      kind: 'Node',
      metadata: { name: 'lvs01' },
    });
  });

  it('rejects a non-2xx answer with an ApiError carrying the status code, reason and message', async () => {
    nock(SERVER).get('/apis/lvs-operator.io/v1alpha1/lvsnodes/gone').reply(404, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'NotFound',
      message: 'lvsnodes.lvs-operator.io "gone" not found',
      code: 404,
    });
    const error = await testClient()
      .request({ method: 'GET', path: resourcePath(LVS_NODES, { name: 'gone' }) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      statusCode: 404,
      reason: 'NotFound',
      message: 'lvsnodes.lvs-operator.io "gone" not found',
    });
    expect([isNotFound(error), isConflict(error), (error as ApiError).statusCode === 410]).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('reports an error body that is not a Status as it came, and an empty one by its code', async () => {
    nock(SERVER).get('/healthz').reply(502, '<html>Bad Gateway</html>').get('/readyz').reply(503, '');
    const client = testClient();
    await expect(client.request({ method: 'GET', path: '/healthz' })).rejects.toMatchObject({
      statusCode: 502,
      reason: '',
      message: '<html>Bad Gateway</html>',
    });
    await expect(client.request({ method: 'GET', path: '/readyz' })).rejects.toMatchObject({
      statusCode: 503,
      message: 'HTTP 503',
    });
  });

  it('puts query parameters in the URL, encoded, leaving out undefined ones', async () => {
    let seen: Record<string, string> | undefined;
    nock(SERVER)
      .get('/apis/lvs-operator.io/v1alpha1/namespaces/default/virtualservices')
      .query((q: Record<string, string>) => {
        seen = q;
        return true;
      })
      .reply(200, { items: [] });
    await testClient().request({
      method: 'GET',
      path: resourcePath(VIRTUAL_SERVICES, { namespace: 'default' }),
      query: {
        fieldSelector: 'metadata.name=web,metadata.namespace!=x&y',
        limit: 500,
        watch: false,
        labelSelector: undefined,
      },
    });
    expect(seen).toEqual({ fieldSelector: 'metadata.name=web,metadata.namespace!=x&y', limit: '500', watch: 'false' });
  });

  it('sends a PATCH with its patch content type and a JSON body', async () => {
    let body: unknown;
    nock(SERVER, {
      reqheaders: { 'content-type': PATCH_MERGE },
    })
      .patch('/apis/lvs-operator.io/v1alpha1/namespaces/default/virtualservices/web/status', (b: unknown) => {
        body = b;
        return true;
      })
      .reply(200, {});
    await testClient().request({
      method: 'PATCH',
      path: resourcePath(VIRTUAL_SERVICES, { namespace: 'default', name: 'web' }, 'status'),
      contentType: PATCH_MERGE,
      body: { status: { master: 'lvs01' } },
    });
    expect(body).toEqual({ status: { master: 'lvs01' } });
  });

  it('sends application/json for a body without a content type, and none without a body', async () => {
    nock(SERVER, { reqheaders: { 'content-type': 'application/json' } })
      .post('/api/v1/namespaces/default/events')
      .reply(201, {});
    nock(SERVER, { badheaders: ['content-type'] })
      .delete('/api/v1/namespaces/default/events/e1')
      .reply(200, {});
    nock(SERVER, { reqheaders: { 'content-type': PATCH_APPLY } })
      .patch('/apis/lvs-operator.io/v1alpha1/lvsnodes/lvs01')
      .query({ fieldManager: 'lvs-operator', force: 'true' })
      .reply(200, {});
    const client = testClient();
    await client.request({ method: 'POST', path: '/api/v1/namespaces/default/events', body: { reason: 'VIPMoved' } });
    await client.request({ method: 'DELETE', path: '/api/v1/namespaces/default/events/e1' });
    await client.request({
      method: 'PATCH',
      path: resourcePath(LVS_NODES, { name: 'lvs01' }),
      query: { fieldManager: 'lvs-operator', force: true },
      contentType: PATCH_APPLY,
      body: { spec: {} },
    });
  });

  it('resolves with undefined on an empty 2xx body', async () => {
    nock(SERVER).delete('/api/v1/namespaces/default/secrets/s').reply(200, '');
    await expect(
      testClient().request({ method: 'DELETE', path: '/api/v1/namespaces/default/secrets/s' }),
    ).resolves.toBe(undefined);
  });
});
