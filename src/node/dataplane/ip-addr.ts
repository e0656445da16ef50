// `ip -j addr show`, read once for every driver that needs it: the links with their flags and
// addresses. Pure. Tolerates the empty objects older iproute2 prints for devices a filter leaves
// out, and entries without an address.

export interface IpLink {
  name: string;
  flags: string[];
  addresses: { local: string; prefixlen: number }[];
}

interface IpLinkJson {
  ifname?: unknown;
  flags?: unknown;
  addr_info?: { local?: unknown; prefixlen?: unknown }[];
}

export function parseIpAddrJson(text: string): IpLink[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error('ip -j addr show: expected a JSON array');
  return (parsed as (IpLinkJson | null)[]).flatMap((link) => {
    if (typeof link?.ifname !== 'string') return [];
    const flags = Array.isArray(link.flags) ? link.flags.filter((f): f is string => typeof f === 'string') : [];
    const addresses = (Array.isArray(link.addr_info) ? link.addr_info : []).flatMap((a) =>
      typeof a?.local === 'string' && typeof a.prefixlen === 'number'
        ? [{ local: a.local, prefixlen: a.prefixlen }]
        : [],
    );
    return [{ name: link.ifname, flags, addresses }];
  });
}
