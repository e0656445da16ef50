// Kernel parameters by role and forwarding method. Pure: returns name -> value.
import { isIPv4 } from 'node:net';

/** Director: IPVS must not tell clients to go elsewhere, and must forget dead destinations fast. */
export function directorSysctls(forwarding: string, vip: string, iface: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (forwarding === 'NAT') {
    // Replies from NAT real servers are routed back through the director. For DR and TUN it is
    // left alone rather than set to 0 (which a stand-alone DR director may do): on a Kubernetes
    // node that would break pod traffic.
    out.set(isIPv4(vip) ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding', '1');
  } else {
    // DR/TUN: the director receives the client's packet and re-sends it on the same segment;
    // without this the kernel sends the client an ICMP redirect to the real server.
    // The kernel sends redirects when `all` OR the device says so: the device needs its own 0.
    // A VLAN device's name has a dot, which a dotted sysctl name cannot carry (sysctl(8) writes
    // it as a slash); such a device is left to `default` when it is created after us.
    const devices = ['all', 'default', ...(iface && !iface.includes('.') ? [iface] : [])];
    for (const dev of devices) out.set(`net.ipv4.conf.${dev}.send_redirects`, '0');
  }
  // Drain: connections to a removed destination are dropped at their next packet rather than
  // black-holed, and persistence templates of a quiesced (weight 0) destination expire, so
  // persistent clients move on instead of sticking to a draining real server.
  out.set('net.ipv4.vs.expire_nodest_conn', '1');
  out.set('net.ipv4.vs.expire_quiescent_template', '1');
  return out;
}

/**
 * DR real server: the VIP sits on lo, so the node must neither answer ARP for it (arp_ignore 1:
 * only for addresses of the receiving interface) nor use it as an ARP source (arp_announce 2),
 * or clients would bypass the director. Set on all, default and lo: the kernel takes the larger
 * of `all` and the device's value, and `default` covers devices created later.
 */
export function directRoutingRealServerSysctls(): Map<string, string> {
  const out = new Map<string, string>();
  for (const dev of ['all', 'default', 'lo']) {
    out.set(`net.ipv4.conf.${dev}.arp_ignore`, '1');
    out.set(`net.ipv4.conf.${dev}.arp_announce`, '2');
  }
  return out;
}

/**
 * TUN real server: decapsulated packets arrive on tunl0 for a VIP whose route points elsewhere;
 * reverse-path filtering drops them unless it is off on tunl0 AND all (the kernel uses the max).
 */
export function tunnelRealServerSysctls(): Map<string, string> {
  const out = directRoutingRealServerSysctls();
  out.set('net.ipv4.conf.all.rp_filter', '0');
  out.set('net.ipv4.conf.tunl0.rp_filter', '0');
  return out;
}

export const TUNNEL_DEVICE = 'tunl0';
