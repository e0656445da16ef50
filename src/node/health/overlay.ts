// The IPVS table the agent programs: the plan's table (src/ipvs/from-plan.ts) with health
// applied, as keepalived's check process would hold it. Pure: health and the quorum state come
// in, the table and the next quorum state go out.
import type { DestinationPlan, ServicePlan } from '../../core/api/objects.js';
import { serviceFromPlan } from '../../core/ipvs/from-plan.js';
import { serviceKey, type IpvsDestination, type IpvsService, type IpvsTable } from '../../core/ipvs/model.js';
import { healthKey } from './health-key.js';
import { nextQuorumUp } from './quorum.js';

/** Per service (serviceKey): whether its quorum is up. Absent = never evaluated. */
export type QuorumState = ReadonlyMap<string, boolean>;

export interface HealthOverlay {
  table: IpvsTable;
  /** Only the services of this plan: a service that left the plan forgets its state. */
  quorumState: Map<string, boolean>;
}

/**
 * - a healthy destination keeps its planned weight;
 * - a DOWN destination gets weight 0 with onFailure Inhibit (keepalived inhibit_on_failure: its
 *   established connections finish) and is left out with Remove;
 * - `health` is keyed by healthKey(); a destination it does not name counts as healthy (not yet
 *   checked: see destination-monitor.ts), and type None is always healthy;
 * - when the healthy weight loses quorum (see quorum.ts) and the service has a sorry server, the
 *   sorry server (weight 1, the forwarding of the service's destinations) is the only destination;
 *   without one the pool stays as health made it.
 */
export function applyHealth(
  services: readonly ServicePlan[],
  health: ReadonlyMap<string, boolean>,
  quorumState: QuorumState = new Map(),
): HealthOverlay {
  const nextQuorum = new Map<string, boolean>();
  const table: IpvsTable = { services: [] };
  for (const service of services) {
    const planned = serviceFromPlan(service);
    const { pool, healthyWeight } = healthyPool(service, planned.destinations, health);
    const key = serviceKey(service);
    const quorumUp = nextQuorumUp(service.quorum, healthyWeight, quorumState.get(key));
    nextQuorum.set(key, quorumUp);
    const out: IpvsService = { ...planned, destinations: pool };
    if (!quorumUp && service.sorryServer) out.destinations = [sorryDestination(service)];
    table.services.push(out);
  }
  return { table, quorumState: nextQuorum };
}

export function isHealthy(
  service: ServicePlan,
  destination: DestinationPlan,
  health: ReadonlyMap<string, boolean>,
): boolean {
  return destination.healthCheck.type === 'None' || (health.get(healthKey(service, destination)) ?? true);
}

/** `planned` is serviceFromPlan(service).destinations: the same destinations, in the same order. */
function healthyPool(service: ServicePlan, planned: IpvsDestination[], health: ReadonlyMap<string, boolean>) {
  const pool: IpvsDestination[] = [];
  let healthyWeight = 0;
  service.destinations.forEach((destination, i) => {
    const ipvs = planned[i]!;
    if (isHealthy(service, destination, health)) {
      pool.push(ipvs);
      healthyWeight += destination.weight;
    } else if (destination.healthCheck.onFailure === 'Inhibit') {
      pool.push({ ...ipvs, weight: 0 });
    }
  });
  return { pool, healthyWeight };
}

function sorryDestination(service: ServicePlan): IpvsDestination {
  const sorry = service.sorryServer!;
  return { address: sorry.address, port: sorry.port, forwarding: sorry.forwarding, weight: 1 };
}
