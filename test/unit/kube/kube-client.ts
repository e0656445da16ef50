// A KubeClient for https://kube.test with a bearer token, for tests that answer it with nock.
import { KubeConfig } from '@kubernetes/client-node';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { KubeClient } from '../../../src/kube/client.js';
import { kubeConfigCredentials } from '../../../src/kube/kubeconfig.js';

export const SERVER = 'https://kube.test';

/**
 * How long vi.waitFor may wait for something the code under test does on its own (an answer
 * from nock, a re-list): a stop for a hang, not a bound on how fast (vi.waitFor's own default,
 * 1 s, is one a loaded machine can break).
 */
export const WAIT_MS = 10_000;

export function testClient(): KubeClient {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: SERVER }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return new KubeClient(kubeConfigCredentials(config));
}

/**
 * nock for a describe block: no real connection is made, every interceptor a test sets up must be
 * used (a request the code should have made and did not fails the test), and none leaks into the next.
 */
export function useNock(): void {
  beforeAll(() => {
    nock.disableNetConnect();
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });
  afterAll(() => {
    nock.enableNetConnect();
  });
}
