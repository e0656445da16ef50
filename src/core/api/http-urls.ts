// The HTTP(S) health check's URLs in one form: the `urls` list, or the single path, host and
// expectedStatus it replaces. Status codes are keepalived's status_code words: a code (204) or an
// inclusive range (200-299), each 100-599. The validator, the planner and the agent share these.
import type { HealthCheckPlan } from './objects.js';

/** One URL as the agent checks it: the LVSNode's urls[] item. */
export type HealthCheckUrl = NonNullable<HealthCheckPlan['urls']>[number];

/** A path to GET, as the CRD's pattern has it: absolute, with an optional query, no blanks. */
export const URL_PATH = /^\/\S*$/;
/** An MD5 digest as the CRD writes it (keepalived's genhash prints lower case). */
export const MD5_DIGEST = /^[0-9a-f]{32}$/;

/** What the single fields default to: GET / and exactly 200. */
export const DEFAULT_PATH = '/';
export const DEFAULT_STATUS = 200;

/** keepalived's own bounds (HTTP_STATUS_CODE_MIN/MAX in check_http.h). */
const STATUS_MIN = 100;
const STATUS_MAX = 599;

export interface StatusRange {
  low: number;
  high: number;
}

/** `text` as a range (a code is a range of one), or why it is not one. */
export function parseStatusCode(text: string): StatusRange | { error: string } {
  const m = /^(\d{3})(?:-(\d{3}))?$/.exec(text);
  if (!m) return { error: 'must be a status code (204) or a range of them (200-299)' };
  const low = Number(m[1]);
  const high = m[2] === undefined ? low : Number(m[2]);
  if ([low, high].some((code) => code < STATUS_MIN || code > STATUS_MAX))
    return { error: `must lie within ${STATUS_MIN}-${STATUS_MAX}` };
  if (low > high) return { error: `must run from low to high (${high}-${low}, not ${low}-${high})` };
  return { low, high };
}

/** Whether `status` is one of `codes` (codes that do not parse accept nothing). */
export function statusAccepted(codes: readonly string[], status: number): boolean {
  return codes.some((code) => {
    const range = parseStatusCode(code);
    return 'low' in range && status >= range.low && status <= range.high;
  });
}

/** The single fields' one URL (path, host, expectedStatus) in the list form, with their defaults. */
export function singleUrl(fields: { path?: string; host?: string; expectedStatus?: number }): HealthCheckUrl {
  const url: HealthCheckUrl = {
    path: fields.path ?? DEFAULT_PATH,
    expectedStatus: [String(fields.expectedStatus ?? DEFAULT_STATUS)],
  };
  if (fields.host !== undefined) url.host = fields.host;
  return url;
}

/** The URLs a plan's HTTP(S) check GETs, in order: its urls, or the one its single fields describe. */
export function planUrls(check: HealthCheckPlan): HealthCheckUrl[] {
  return check.urls ?? [singleUrl(check)];
}
