// Reading the directors' IPVS state the way the seed's checks do: `ipvsadm -Ln`, `-Lnc`, `-S -n`.
import { inNs, must } from './exec.js';
import type { Host } from './env.js';

export interface Destination {
  address: string; // 192.0.2.11:80
  forward: string; // Route | Masq | Tunnel | Local
  weight: number;
}

export interface Service {
  key: string; // TCP 192.0.2.100:80
  scheduler: string;
  flags: string; // "persistent 5", "" ...
  destinations: Destination[];
}

/** Parses `ipvsadm -Ln`. */
export function parseList(text: string): Service[] {
  const services: Service[] = [];
  for (const line of text.split('\n')) {
    const svc = /^(TCP|UDP|SCTP|FWM)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (svc) {
      services.push({ key: `${svc[1]} ${svc[2]}`, scheduler: svc[3]!, flags: svc[4]!.trim(), destinations: [] });
      continue;
    }
    const dest = /^\s+->\s+(\S+)\s+(\S+)\s+(\d+)\s+\d+\s+\d+/.exec(line);
    if (dest && services.length > 0) {
      services.at(-1)!.destinations.push({ address: dest[1]!, forward: dest[2]!, weight: Number(dest[3]) });
    }
  }
  return services;
}

/** A service as one line, for comparisons and details: "TCP 192.0.2.100:80 rr persistent 5 [...]". */
export function describe(s: Service | undefined): string {
  if (!s) return '(none)';
  const dests = s.destinations.map((d) => `${d.address} ${d.forward} w${d.weight}`).join(', ');
  return `${s.key} ${s.scheduler}${s.flags ? ` ${s.flags}` : ''} [${dests}]`;
}

export async function table(host: Host): Promise<Service[]> {
  return parseList(await must(inNs(host, ['ipvsadm', '-Ln'])));
}

export interface Connection {
  protocol: string;
  expireSeconds: number;
  state: string; // ESTABLISHED, FIN_WAIT, NONE (a persistence template) ...
  source: string;
  virtual: string;
  destination: string;
}

/** Parses `ipvsadm -Lnc`. */
export function parseConnections(text: string): Connection[] {
  const out: Connection[] = [];
  for (const line of text.split('\n')) {
    const m = /^(TCP|UDP|SCTP|IP)\s+(\d+):(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)/.exec(line);
    if (!m) continue;
    out.push({
      protocol: m[1]!,
      expireSeconds: Number(m[2]) * 60 + Number(m[3]),
      state: m[4]!,
      source: m[5]!,
      virtual: m[6]!,
      destination: m[7]!,
    });
  }
  return out;
}

export async function connections(host: Host): Promise<Connection[]> {
  return parseConnections(await must(inNs(host, ['ipvsadm', '-Lnc'])));
}

/** `ipvsadm -S -n`: the table as restore lines (no counters), for before/after comparisons. */
export async function saved(host: Host): Promise<string> {
  return must(inNs(host, ['ipvsadm', '-S', '-n']));
}
