// Check 6: a real server's nginx stops, the directors' health checks take it out; it comes back.
import { topo, waitFor } from '../exec.js';
import { ANSWER_LIMIT_MS, Prober, getMany } from '../http.js';
import { statusLine } from '../cluster.js';
import { webService } from '../converge.js';
import type { Check } from '../results.js';

const hasNginx01 = async () => (await webService('lvs01'))?.destinations.some((d) => d.address === '192.0.2.11:80');

export async function healthCheck(c: Check): Promise<void> {
  // The seed's TCP_CHECK: delay_loop 6, retry 3, delay_before_retry 3. A stopped nginx refuses at
  // once, so detection takes up to 6 s (next check) + 3 retries x 3 s.
  // counts the requests that fail before the detection (a figure): refused by the stopped nginx01
  const prober = new Prober(ANSWER_LIMIT_MS, 100);
  await topo('nginx_stop', 'nginx01');
  const gone = await waitFor(
    'lvs01 to remove nginx01',
    async () => ((await hasNginx01()) ? undefined : true),
    45_000,
    300,
  ).finally(() => prober.stop());
  const during = await prober.stop();
  c.figure('detectionS', gone.ms / 1000);
  c.figure('failedRequestsBeforeDetection', during.failed);
  c.note(
    `nginx01 stopped; removed from lvs01's table after ${(gone.ms / 1000).toFixed(1)} s; ${during.failed} of ${during.requests} requests failed meanwhile (they went to nginx01)`,
  );
  c.note(statusLine('lvs01'));
  const after = await getMany(6);
  const servers = after.map((a) => (a.ok && a.server) || `FAIL(${a.error})`);
  c.note(`6 requests after detection: ${servers.join(' ')}`);
  c.expect(
    servers.every((s) => s === 'nginx02'),
    'after the detection time every request goes to nginx02 and succeeds',
  );

  await topo('nginx_start', 'nginx01');
  const back = await waitFor(
    'lvs01 to add nginx01 back',
    async () => ((await hasNginx01()) ? true : undefined),
    45_000,
    300,
  );
  c.figure('returnS', back.ms / 1000);
  const returned = await getMany(4);
  const servers2 = returned.map((a) => (a.ok && a.server) || `FAIL(${a.error})`);
  c.note(
    `nginx01 started again; back in lvs01's table after ${(back.ms / 1000).toFixed(1)} s; 4 requests: ${servers2.join(' ')}`,
  );
  c.expect(servers2.includes('nginx01') && servers2.every((s) => s.startsWith('nginx')), 'traffic returns to nginx01');
}
