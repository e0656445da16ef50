// The IPVS table a node's plan asks for, before health checks change any weight. Pure.
import type { LVSNodeSpec, ServicePlan } from '../api/objects.js';
import type { IpvsDestination, IpvsService, IpvsTable } from './model.js';

export function serviceFromPlan(service: ServicePlan): IpvsService {
  const out: IpvsService = {
    protocol: service.protocol,
    address: service.address,
    port: service.port,
    scheduler: service.scheduler,
    destinations: service.destinations.map((d) => {
      const dest: IpvsDestination = { address: d.address, port: d.port, forwarding: d.forwarding, weight: d.weight };
      if (d.upperThreshold) dest.upperThreshold = d.upperThreshold;
      if (d.lowerThreshold) dest.lowerThreshold = d.lowerThreshold;
      return dest;
    }),
  };
  if (service.schedulerFlags?.length) out.schedulerFlags = [...service.schedulerFlags];
  if (service.persistence) {
    out.persistence = { timeout: service.persistence.timeout };
    if (service.persistence.netmask !== undefined) out.persistence.netmask = service.persistence.netmask;
  }
  return out;
}

export function tableFromPlan(spec: LVSNodeSpec): IpvsTable {
  return { services: (spec.ipvs?.services ?? []).map(serviceFromPlan) };
}
