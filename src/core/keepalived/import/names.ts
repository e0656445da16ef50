// Object names for the imported objects: DNS-1123 safe, stable, and readable (they carry the
// address and port, so that `kubectl get` shows what each object is).
import { isV6 } from './statements.js';

const MAX_LABEL = 63;
const MAX_SUBDOMAIN = 253;

/** A DNS-1123 label made of `raw`: lower case, anything else than [a-z0-9] becomes '-'. May be empty. */
export function dnsLabel(raw: string): string {
  const label = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '');
  return fitLength(label, MAX_LABEL);
}

/** A DNS-1123 subdomain (Node names): labels as above, joined by dots. May be empty. */
export function dnsSubdomain(raw: string): string {
  const name = raw
    .split('.')
    .map((part) => dnsLabel(part))
    .filter((part) => part.length > 0)
    .join('.');
  return fitLength(name, MAX_SUBDOMAIN);
}

export function isDnsSubdomain(name: string): boolean {
  return name.length > 0 && name.length <= MAX_SUBDOMAIN && dnsSubdomain(name) === name;
}

export function isDnsLabel(name: string): boolean {
  return name.length > 0 && dnsLabel(name) === name;
}

/** `vs-172-16-40-160-80-tcp`; IPv6 colons become dashes. Always within 63 characters for canonical addresses. */
export function virtualServiceName(address: string, port: number, protocol: string): string {
  return fitLength(`vs-${addressPart(address)}-${port}-${protocol.toLowerCase()}`, MAX_LABEL);
}

/** `<vs-name>-<ip>-<port>`, shortened with a hash when an IPv6 pair would exceed 63 characters. */
export function realServerName(virtualService: string, address: string, port: number): string {
  return fitLength(`${virtualService}-${addressPart(address)}-${port}`, MAX_LABEL);
}

function addressPart(address: string): string {
  return isV6(address) ? address.toLowerCase().replace(/[:.]/g, '-') : address.replace(/\./g, '-');
}

/** Cuts a too long name and appends a hash of the whole, so that distinct long names stay distinct. */
function fitLength(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = fnv1a(name);
  const head = name.slice(0, max - hash.length - 1).replace(/[-.]+$/, '');
  return `${head}-${hash}`;
}

/** 32-bit FNV-1a as 8 hex digits: tiny, stable across runs and platforms. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
