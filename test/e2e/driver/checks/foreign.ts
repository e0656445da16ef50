// Check 9: an IPVS service the agent does not own, added by hand on the directors before the agents
// start, is left as it was through everything else.
import { directors } from '../env.js';
import { inNs, must } from '../exec.js';
import { saved } from '../ipvs.js';

const FOREIGN = '192.0.2.200';
const lines = (save: string) =>
  save
    .split('\n')
    .filter((l) => l.includes(FOREIGN))
    .join('\n');

export async function addForeignServices(): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  for (const d of directors) {
    for (const argv of [
      ['-A', '-t', `${FOREIGN}:8080`, '-s', 'wlc', '-p', '60'],
      ['-a', '-t', `${FOREIGN}:8080`, '-r', '192.0.2.11:8080', '-g', '-w', '3'],
      ['-A', '-u', `${FOREIGN}:53`, '-s', 'sh'],
      ['-a', '-u', `${FOREIGN}:53`, '-r', '192.0.2.12:53', '-m', '-w', '2'],
    ]) {
      await must(inNs(d, ['ipvsadm', ...argv]));
    }
    snapshot[d] = lines(await saved(d));
  }
  return snapshot;
}

/** Differences from the snapshot, one line per director that changed. */
export async function foreignChanges(snapshot: Record<string, string>): Promise<string[]> {
  const changes: string[] = [];
  for (const d of directors) {
    const now = lines(await saved(d));
    if (now !== snapshot[d]) changes.push(`${d}: was\n${snapshot[d]}\nnow\n${now || '(gone)'}`);
  }
  return changes;
}
