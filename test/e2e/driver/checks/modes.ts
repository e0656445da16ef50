// Check 7: NAT and TUN mode serve the client through the VIP (each on a fresh set of directors and
// real servers, see main.ts).
import { getMany } from '../http.js';
import { describe } from '../ipvs.js';
import { webService } from '../converge.js';
import type { Check } from '../results.js';

export async function modeCheck(c: Check, forward: 'Masq' | 'Tunnel'): Promise<void> {
  const s = await webService('lvs01');
  c.note(`lvs01: ${describe(s)}`);
  c.expect(
    !!s && s.destinations.length === 2 && s.destinations.every((d) => d.forward === forward),
    `both destinations are ${forward}`,
  );
  const answers = await getMany(6);
  const servers = answers.map((a) => (a.ok && a.server) || `FAIL(${a.error})`);
  c.note(`6 requests through the VIP: ${servers.join(' ')}`);
  c.expect(
    answers.every((a) => a.ok),
    'every request through the VIP is answered',
  );
  c.expect(servers.includes('nginx01') && servers.includes('nginx02'), 'both real servers answer');
}
