// The keepalived.conf a keepalived-only director would need for the same plan: lvs-operator's own
// VRRP rendering plus the virtual_server blocks the agent programs itself instead. Used as the
// anchor side of the benchmarks, so it covers what the benchmarks' manifests use and refuses the
// rest rather than render an inexact equivalent. Pure.
import type { DestinationPlan, LVSNodeSpec, ServicePlan } from '../src/core/api/objects.js';
import { planUrls, type HealthCheckUrl } from '../src/core/api/http-urls.js';
import { renderKeepalivedConf } from '../src/core/keepalived/render.js';

const INDENT = '    ';

function checker(d: DestinationPlan): string[] {
  const hc = d.healthCheck;
  const common = [
    `connect_port ${hc.port}`,
    `connect_timeout ${hc.timeout}`,
    `retry ${hc.retries}`,
    `delay_before_retry ${hc.retryDelay}`,
  ];
  if (hc.type === 'None') return [];
  if (hc.type === 'TCP') return ['TCP_CHECK {', ...common.map((l) => INDENT + l), '}'];
  const block = hc.type === 'HTTPS' ? 'SSL_GET' : 'HTTP_GET';
  return [`${block} {`, ...[...planUrls(hc).flatMap(urlBlock), ...common].map((l) => INDENT + l), '}'];
}

/** One url block: keepalived takes status_code words (codes and ranges) as the plan has them. */
function urlBlock(url: HealthCheckUrl): string[] {
  const body = [
    `path ${url.path}`,
    `status_code ${url.expectedStatus.join(' ')}`,
    ...(url.host === undefined ? [] : [`virtualhost ${url.host}`]),
    ...(url.digest === undefined ? [] : [`digest ${url.digest}`]),
  ];
  return ['url {', ...body.map((l) => INDENT + l), '}'];
}

function realServer(d: DestinationPlan, delayLoop: number): string[] {
  const body = [
    `weight ${d.weight}`,
    ...(d.healthCheck.onFailure === 'Inhibit' ? ['inhibit_on_failure'] : []),
    ...(d.healthCheck.interval !== delayLoop ? [`delay_loop ${d.healthCheck.interval}`] : []),
    ...(d.upperThreshold !== undefined ? [`uthreshold ${d.upperThreshold}`] : []),
    ...(d.lowerThreshold !== undefined ? [`lthreshold ${d.lowerThreshold}`] : []),
    ...checker(d),
  ];
  return [`real_server ${d.address} ${d.port} {`, ...body.map((l) => INDENT + l), '}'];
}

function virtualServer(s: ServicePlan): string[] {
  if (s.schedulerFlags?.length) throw new Error(`${s.owner}: scheduler flags are not rendered for keepalived`);
  const delayLoop = s.destinations[0]?.healthCheck.interval ?? 6;
  const forwarding = s.destinations[0]?.forwarding ?? s.sorryServer?.forwarding ?? 'DR';
  const body = [
    `delay_loop ${delayLoop}`,
    `lb_algo ${s.scheduler}`,
    `lb_kind ${forwarding}`,
    `protocol ${s.protocol}`,
    ...(s.persistence ? [`persistence_timeout ${s.persistence.timeout}`] : []),
    ...(s.persistence?.netmask ? [`persistence_granularity ${s.persistence.netmask}`] : []),
    ...(s.quorum ? [`quorum ${s.quorum.minimum}`, `hysteresis ${s.quorum.hysteresis}`] : []),
    ...(s.sorryServer ? [`sorry_server ${s.sorryServer.address} ${s.sorryServer.port}`] : []),
    ...s.destinations.flatMap((d) => realServer(d, delayLoop)),
  ];
  return ['', `virtual_server ${s.address} ${s.port} {`, ...body.map((l) => INDENT + l), '}'];
}

/**
 * keepalived.conf for `node`'s plan, VRRP and IPVS both. Every instance is put on `iface`
 * (keepalived checks that it exists), whatever interface the plan names.
 */
export function keepalivedEquivalent(spec: LVSNodeSpec, node: string, iface: string): string {
  const instances = (spec.vrrp?.instances ?? []).map((i) => ({ ...i, interface: iface }));
  const vrrp = renderKeepalivedConf({ ...spec, vrrp: { instances } }, { nodeName: node });
  return vrrp + (spec.ipvs?.services ?? []).flatMap(virtualServer).join('\n') + '\n';
}
