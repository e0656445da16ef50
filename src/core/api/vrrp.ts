// The VRRP rules that the CRD validation, the planner, the keepalived renderer and importer, the
// node agent and the controller all apply: one place for each, so that they cannot drift. Pure.
import type { LVSNodeStatus } from './generated/lvsnode.js';

/** The states an agent reports for a VRRP instance (UNKNOWN: keepalived said nothing yet). */
export const VRRP_STATES = ['MASTER', 'BACKUP', 'FAULT', 'STOP', 'UNKNOWN'] as const;
export type VrrpState = (typeof VRRP_STATES)[number];

// The CRD's LVSNode status enum and VRRP_STATES must name the same states.
type CrdVrrpState = NonNullable<LVSNodeStatus['vrrp']>[number]['state'];
const sameStates: [VrrpState, CrdVrrpState] extends [CrdVrrpState, VrrpState] ? true : never = true;
void sameStates;

/**
 * A Linux interface name as the kernel accepts it (IFNAMSIZ 16 with its NUL), without '/' or
 * blanks; the CRD's pattern for spec.directors.interface is the same.
 */
export const INTERFACE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,14}$/;

export function isValidInterfaceName(name: string): boolean {
  return INTERFACE_NAME.test(name);
}

/** keepalived sends at most this many characters of a PASS authentication password. */
export const VRRP_PASSWORD_MAX_LENGTH = 8;

/**
 * A password written bare in keepalived.conf: one word that keepalived's tokenizer (lib/parser.c)
 * reads unchanged: no blank or control character, no # or ! (comments), no brace, no double quote; a single quote
 * quotes nothing in keepalived, but is left to the quoted form. Not ending in a backslash, as the
 * rule says for both forms (a line ending in one continues on the next in keepalived's reader).
 */
// eslint-disable-next-line no-control-regex -- control characters are what this excludes
const BARE_PASSWORD = /^[^\s#!{}"'\x00-\x1f\x7f]{0,7}[^\s#!{}"'\x00-\x1f\x7f\\]$/;

/**
 * A password written in double quotes: inside them blanks, # ! braces and ' are characters.
 * Printable ASCII without the double quote itself, and not ending in a backslash (keepalived's
 * decomment() would read it as escaping the closing quote).
 */
const QUOTED_PASSWORD = /^[\x20\x21\x23-\x7e]{0,7}[\x20\x21\x23-\x5b\x5d-\x7e]$/;

/** How the password stands in keepalived.conf (bare or in double quotes), or undefined if it cannot. */
export function vrrpPasswordInConf(password: string): string | undefined {
  if (BARE_PASSWORD.test(password)) return password;
  return QUOTED_PASSWORD.test(password) ? `"${password}"` : undefined;
}

/** Why usableVrrpPassword refused a password: the words the importer, the validation and the planner all use. */
export const VRRP_PASSWORD_RULE =
  'a VRRP password must be 1-8 characters without a double quote, a control character or a trailing backslash, and ASCII if it has a blank, #, !, a brace or a single quote';

/** The password keepalived will use (its first 8 characters), or undefined if it cannot be written. */
export function usableVrrpPassword(password: string): string | undefined {
  const truncated = password.slice(0, VRRP_PASSWORD_MAX_LENGTH);
  return vrrpPasswordInConf(truncated) === undefined ? undefined : truncated;
}

/**
 * The keepalived name of a VirtualService's VRRP sync group: sync groups belong to a namespace,
 * so the name carries it (NAMESPACE_GROUP; a namespace has no underscore, so it cannot be read
 * two ways). Undefined when the VirtualService names none.
 */
export function syncGroupName(vs: {
  metadata: { namespace?: string };
  spec: { vrrp?: { syncGroup?: string } };
}): string | undefined {
  const group = vs.spec.vrrp?.syncGroup;
  return group === undefined ? undefined : `${vs.metadata.namespace ?? 'default'}_${group}`;
}

/** An address scope keepalived (and ip(8)) reads: a name of rt_scopes or a number 0-255. */
export const ADDRESS_SCOPE = /^(global|site|link|host|nowhere|[0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])$/;

/** An address label: the device's name, a colon and a suffix, within IFNAMSIZ (15 characters). */
export const ADDRESS_LABEL = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,13}:[a-zA-Z0-9._-]{1,14}$/;

/** Whether `label` may label an address on `device`: the kernel's labels start with the device name and ':'. */
export function labelFitsDevice(label: string, device: string): boolean {
  return ADDRESS_LABEL.test(label) && label.length <= 15 && label.startsWith(`${device}:`);
}
