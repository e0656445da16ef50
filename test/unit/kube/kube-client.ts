// A KubeClient for https://kube.test with a bearer token, for tests that answer it with nock.
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../../src/kube/client.js';

export const SERVER = 'https://kube.test';

export function testClient(): KubeClient {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: SERVER }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return new KubeClient(config);
}
