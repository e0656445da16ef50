// A real server dies (its nginx stops: connections are refused at once): how long until the
// master's table takes it out (weight 0 or removed), and how many client requests failed meanwhile.
import { webService } from '../../test/e2e/driver/converge.js';
import { log, topo, waitFor } from '../../test/e2e/driver/exec.js';
import { Prober } from '../../test/e2e/driver/http.js';

const NGINX01 = '192.0.2.11:80';

async function nginx01Weight(): Promise<number | 'gone'> {
  const d = (await webService('lvs01'))?.destinations.find((x) => x.address === NGINX01);
  return d === undefined ? 'gone' : d.weight;
}

export interface DetectionResult {
  /** from the stop to the master's table taking nginx01 out, s */
  detectionS: number;
  failed: number;
}

export async function realServerDeath(): Promise<DetectionResult> {
  const prober = new Prober(2000, 50);
  const stopped = Date.now();
  await topo('nginx_stop', 'nginx01');
  let detectionMs: number;
  try {
    await waitFor('nginx01 out of lvs01', async () => ((await nginx01Weight()) !== 1 ? true : undefined), 60_000, 50);
    detectionMs = Date.now() - stopped;
  } finally {
    await prober.stop();
  }
  const failed = prober.answers.filter((a) => !a.ok).length;
  await topo('nginx_start', 'nginx01');
  await waitFor('nginx01 back in lvs01', async () => ((await nginx01Weight()) === 1 ? true : undefined), 90_000, 250);
  log(`bench detection: ${detectionMs} ms, ${failed} failed requests`);
  return { detectionS: detectionMs / 1000, failed };
}
