// A real server's weight as the directors' IPVS tables hold it: shared by the cluster path's drivers.
import { addressOf, directors, realServers } from '../env.js';
import { waitFor } from '../exec.js';
import { webService } from '../converge.js';

/** The weight of a real server in a director's table (undefined when absent). */
export async function weightOn(director: (typeof directors)[number], rs: (typeof realServers)[number]) {
  const s = await webService(director);
  return s?.destinations.find((d) => d.address === `${addressOf[rs]}:80`)?.weight;
}

/** Waits until every director's table has the weight; returns the ms each took, from `since`. */
export async function weightReached(
  rs: (typeof realServers)[number],
  weight: number,
  since: number,
  timeoutMs: number,
) {
  const at: Record<string, number> = {};
  await waitFor(
    `weight ${weight} for ${rs} on both directors`,
    async () => {
      for (const d of directors)
        if (at[d] === undefined && (await weightOn(d, rs)) === weight) at[d] = Date.now() - since;
      return directors.every((d) => at[d] !== undefined) ? true : undefined;
    },
    timeoutMs,
    100,
  );
  return at;
}
