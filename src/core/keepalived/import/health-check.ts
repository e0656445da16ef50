// Where each health-check field goes: on the VirtualService when every real server that uses the
// field agrees on it, else on each RealServer as an override. Field by field, so that one odd
// real server does not push everything down to the RealServers.
import type { HealthCheckDefaults, HealthCheckOverride } from '../../api/objects.js';
import { stableJson } from '../../api/stable-json.js';
import type { CheckConf } from './read-checker.js';

const FIELDS = [
  'type',
  'port',
  'path',
  'host',
  'expectedStatus',
  'urls',
  'interval',
  'timeout',
  'retries',
  'retryDelay',
  'onFailure',
] as const;
type Field = (typeof FIELDS)[number];
const HTTP_FIELDS: readonly Field[] = ['path', 'host', 'expectedStatus', 'urls'];

/** Whether a check of this type reads the field; a TCP check never reads `path`, None reads nothing. */
function uses(check: CheckConf, field: Field): boolean {
  if (field === 'type') return true;
  if (check.type === 'None') return false;
  return check.type !== 'TCP' || !HTTP_FIELDS.includes(field);
}

export interface SplitHealthChecks {
  common: HealthCheckDefaults | undefined;
  /** One per input check, in order; undefined when the real server inherits everything. */
  overrides: (HealthCheckOverride | undefined)[];
}

export function splitHealthChecks(checks: readonly CheckConf[]): SplitHealthChecks {
  const common: Record<string, unknown> = {};
  const overrides: Record<string, unknown>[] = checks.map(() => ({}));
  for (const field of FIELDS) {
    const users = checks.map((check, index) => ({ check, index })).filter(({ check }) => uses(check, field));
    if (users.length === 0) continue;
    const value = users[0]!.check[field];
    // urls is a list: equal by content
    if (users.every(({ check }) => stableJson(check[field]) === stableJson(value))) {
      if (value !== undefined) common[field] = value;
      continue;
    }
    // A user without a value (port, host) inherits the VirtualService's absence: the real server's own.
    for (const { check, index } of users) if (check[field] !== undefined) overrides[index]![field] = check[field];
  }
  return {
    common: Object.keys(common).length > 0 ? (common as HealthCheckDefaults) : undefined,
    overrides: overrides.map((o) => (Object.keys(o).length > 0 ? (o as HealthCheckOverride) : undefined)),
  };
}
