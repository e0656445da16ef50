// The status's ipvsDigest: a short digest of the managed part of the IPVS table, for a reader to
// tell at a glance whether two directors hold the same table. Each service's save lines are
// rendered once per service object and remembered: a pass that changed one service of 1,000
// renders one, as the converger keeps the objects of the services it did not touch.
import { createHash } from 'node:crypto';
import type { IpvsService } from '../../core/ipvs/model.js';
import { renderSave } from '../../core/ipvs/save-format.js';

const rendered = new WeakMap<IpvsService, string>();

function saveLines(service: IpvsService): string {
  let lines = rendered.get(service);
  if (lines === undefined) {
    lines = renderSave({ services: [service] });
    rendered.set(service, lines);
  }
  return lines;
}

/** 16 hex digits of the SHA-256 of the services' `ipvsadm -S` lines, in the order given (canonical). */
export function tableDigest(services: readonly IpvsService[]): string {
  const hash = createHash('sha256');
  for (const service of services) hash.update(saveLines(service));
  return hash.digest('hex').slice(0, 16);
}
