// The VRRP rules that the CRD validation, the planner, the keepalived renderer and importer, the
// node agent and the controller all apply: one place for each, so that they cannot drift. Pure.
import type { LVSNodeStatus } from './api/generated/lvsnode.js';

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
 * A password as it may stand in keepalived.conf: keepalived's tokenizer splits on blanks and
 * treats # and ! as comments; quotes and braces are syntax.
 */
export const VRRP_PASSWORD = /^[^\s#!{}"']{1,8}$/;

/** Why usableVrrpPassword refused a password: the words the importer, the validation and the planner all use. */
export const VRRP_PASSWORD_RULE = 'a VRRP password must be 1-8 characters without blanks, quotes, braces, # or !';

/** The password keepalived will use (its first 8 characters), or undefined if it cannot be written. */
export function usableVrrpPassword(password: string): string | undefined {
  const truncated = password.slice(0, VRRP_PASSWORD_MAX_LENGTH);
  return VRRP_PASSWORD.test(truncated) ? truncated : undefined;
}
