// The pod's ServiceAccount as the in-cluster agent and controller use it (no client-node), and the
// order in which a kubeconfig is looked for.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../src/kube/client.js';
import {
  inClusterCredentials,
  loadCredentials,
  TOKEN_REREAD_MS,
  type HeadedOptions,
} from '../../../src/kube/credentials.js';
import { useNock } from './kube-client.js';

// Any PEM text will do: the CA is handed to the https.Agent, which parses it only on a TLS handshake.
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sa-'));
  writeFileSync(join(dir, 'token'), 'first-token\n');
  writeFileSync(join(dir, 'ca.crt'), CA);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const env = (host = '10.96.0.1', port = '443') => ({ KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port });

async function authorization(credentials: NonNullable<ReturnType<typeof inClusterCredentials>>) {
  const options: HeadedOptions = { headers: {} };
  await credentials.apply(options);
  return { header: options.headers.authorization, agent: options.agent };
}

describe('inClusterCredentials', () => {
  it('takes the server from the environment and the token and CA from the mounted files', async () => {
    const credentials = inClusterCredentials(env(), dir)!;
    expect(credentials.server).toBe('https://10.96.0.1:443');
    const { header, agent } = await authorization(credentials);
    expect(header).toBe('Bearer first-token');
    expect((agent as unknown as { options: { ca: Buffer } }).options.ca.toString()).toBe(CA);
  });

  it('puts an IPv6 service address in brackets', () => {
    expect(inClusterCredentials(env('fd00::1', '6443'), dir)!.server).toBe('https://[fd00::1]:6443');
  });

  it('reads a rotated token again once its copy is a minute old, not before', async () => {
    let now = 1_000_000;
    const credentials = inClusterCredentials(env(), dir, () => now)!;
    expect((await authorization(credentials)).header).toBe('Bearer first-token');
    writeFileSync(join(dir, 'token'), 'rotated-token\n');
    now += TOKEN_REREAD_MS - 1;
    expect((await authorization(credentials)).header).toBe('Bearer first-token');
    now += 1;
    expect((await authorization(credentials)).header).toBe('Bearer rotated-token');
  });

  it('is undefined outside a pod: no service address, or no token file', () => {
    expect(inClusterCredentials({}, dir)).toBeUndefined();
    expect(inClusterCredentials({ KUBERNETES_SERVICE_HOST: '10.96.0.1' }, dir)).toBeUndefined();
    expect(inClusterCredentials(env(), join(dir, 'missing'))).toBeUndefined();
  });
});

describe('KubeClient over the ServiceAccount', () => {
  useNock();

  it('sends the token to the service address', async () => {
    nock('https://kube.test:8443', { reqheaders: { authorization: 'Bearer first-token' } })
      .get('/api/v1/nodes/lvs01')
      .reply(200, { kind: 'Node', metadata: { name: 'lvs01' } });
    const client = new KubeClient(inClusterCredentials(env('kube.test', '8443'), dir)!);
    await expect(client.request({ method: 'GET', path: '/api/v1/nodes/lvs01' })).resolves.toMatchObject({
      metadata: { name: 'lvs01' },
    });
  });
});

describe('loadCredentials', () => {
  const kubeconfig = (server: string) => `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`;

  it('takes --kubeconfig FILE before everything else', async () => {
    const file = join(dir, 'config');
    writeFileSync(file, kubeconfig('https://from-file.test:6443'));
    const credentials = await loadCredentials(file, { ...env(), KUBECONFIG: join(dir, 'other') });
    expect(credentials.server).toBe('https://from-file.test:6443');
  });

  it('takes $KUBECONFIG before the ServiceAccount', async () => {
    const file = join(dir, 'config');
    writeFileSync(file, kubeconfig('https://from-env.test:6443'));
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = file;
    try {
      expect((await loadCredentials(undefined, { ...env(), KUBECONFIG: file })).server).toBe(
        'https://from-env.test:6443',
      );
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });
});
