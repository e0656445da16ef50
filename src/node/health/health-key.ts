// The key of one destination's health: the same destination behind two virtual services is
// checked (and may fail) separately, as keepalived checks each real_server block on its own.
import type { DestinationPlan, ServicePlan } from '../../core/api/objects.js';
import { destinationKey, serviceKey } from '../../core/ipvs/model.js';

/** `TCP/172.16.40.160:80 -> 172.16.40.151:80`; IPv6 bracketed as ipvsadm prints it. */
export function healthKey(
  service: Pick<ServicePlan, 'protocol' | 'address' | 'port'>,
  destination: Pick<DestinationPlan, 'address' | 'port'>,
): string {
  return `${serviceKey(service)} -> ${destinationKey(destination)}`;
}
