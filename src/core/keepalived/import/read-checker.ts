// Health-check settings: keepalived lets delay_loop, connect_timeout, retry, delay_before_retry,
// inhibit_on_failure and virtualhost be set on the virtual_server, the real_server or the checker,
// each level defaulting the next. The result is the effective check with every value explicit,
// because keepalived's defaults are not lvs-operator's.
import type { HealthCheckOverride } from '../../api/objects.js';
import type { Problems, SourceLocation } from './errors.js';
import type { ConfigNode } from './parser.js';
import {
  argsOf,
  blockOf,
  forEachMapped,
  readAddress,
  readBool,
  readInteger,
  readPort,
  readSeconds,
} from './statements.js';

/** The effective check of one real server, in the CRD's terms (no port = the real server's port). */
export type CheckConf = HealthCheckOverride & { type: CheckType };
export type CheckType = NonNullable<HealthCheckOverride['type']>;

/** Settings one level hands down to the next. */
export interface CheckSettings {
  interval?: number;
  timeout?: number;
  retry?: number;
  retryDelay?: number;
  inhibit?: boolean;
  host?: string;
}

/** keepalived's defaults (keepalived.conf(5) and check_api.c): not the CRD's 2 s / 1 s / 1 / 1 s / Inhibit. */
export const KEEPALIVED_CHECK_DEFAULTS = {
  delayLoop: 60,
  connectTimeout: 5,
  retry: 1,
  delayBeforeRetry: { TCP: 1, HTTP: 3, HTTPS: 3 },
  inhibitOnFailure: false,
} as const;

export const CHECKER_TYPES: Readonly<Record<string, CheckType>> = {
  TCP_CHECK: 'TCP',
  HTTP_GET: 'HTTP',
  SSL_GET: 'HTTPS',
};

/**
 * Reads a check setting valid at every level into `settings`; false when `node` is not one.
 * `retry` is kept as keepalived's count of retries after the first failure.
 */
export function readCheckSetting(node: ConfigNode, settings: CheckSettings, problems: Problems): boolean {
  const key = node.keyword;
  if (key === 'inhibit_on_failure') {
    const args = argsOf(node, problems, 0, 1);
    if (args) settings.inhibit = readBool(node, problems, key, args[0]);
    return true;
  }
  if (!['delay_loop', 'connect_timeout', 'retry', 'nb_get_retry', 'delay_before_retry', 'virtualhost'].includes(key))
    return false;
  const value = argsOf(node, problems, 1)?.[0];
  if (value === undefined) return true;
  if (key === 'delay_loop') settings.interval = readSeconds(node, problems, key, value, 0.1, 3600);
  if (key === 'connect_timeout') settings.timeout = readSeconds(node, problems, key, value, 0.1, 3600);
  if (key === 'retry' || key === 'nb_get_retry') settings.retry = readInteger(node, problems, key, value, 0, 99);
  if (key === 'delay_before_retry') settings.retryDelay = readSeconds(node, problems, key, value, 0, 3600);
  if (key === 'virtualhost') settings.host = value;
  return true;
}

export interface CheckTarget {
  address: string;
  /** The port the config gave the real server (keepalived's checker connects there even when DR resets it). */
  configuredPort: number;
  /** The real server's port in the object. */
  port: number;
}

export function readChecker(
  node: ConfigNode,
  inherited: CheckSettings,
  target: CheckTarget,
  problems: Problems,
): CheckConf {
  const type = CHECKER_TYPES[node.keyword]!;
  const own: CheckSettings = {};
  let connectPort: number | undefined;
  let url: { path?: string; expectedStatus?: number; host?: string; at: SourceLocation } | undefined;
  forEachMapped(type === 'TCP' ? 'tcp_check' : 'http_check', blockOf(node, problems), problems, (child) => {
    if (readCheckSetting(child, own, problems)) return;
    if (child.keyword === 'connect_port') {
      const value = argsOf(child, problems, 1)?.[0];
      if (value !== undefined) connectPort = readPort(child, problems, 'connect_port', value);
    } else if (child.keyword === 'connect_ip') {
      const value = argsOf(child, problems, 1)?.[0];
      const address = value === undefined ? undefined : readAddress(child, problems, 'connect_ip', value);
      if (address !== undefined && address !== target.address) {
        problems.error(
          child,
          `connect_ip ${address} is not supported: lvs-operator checks the real server's own address (${target.address})`,
        );
      }
    } else if (child.keyword === 'url') {
      if (url)
        problems.error(
          child,
          `a second url is not supported: lvs-operator checks one path (first url at ${url.at.file}:${url.at.line})`,
        );
      else url = readUrl(child, problems);
    }
  });

  const interval = own.interval ?? inherited.interval ?? KEEPALIVED_CHECK_DEFAULTS.delayLoop;
  let timeout = own.timeout ?? inherited.timeout ?? KEEPALIVED_CHECK_DEFAULTS.connectTimeout;
  if (timeout > interval) {
    problems.warn(
      node,
      `connect_timeout ${timeout} exceeds delay_loop ${interval}; lvs-operator needs timeout <= interval, so the timeout becomes ${interval}`,
    );
    timeout = interval;
  }
  // An explicit connect_port stays explicit; otherwise the port is only written when keepalived's
  // checker went elsewhere than the object's port (a DR/TUN real server whose port was reset).
  const checkPort = connectPort ?? (target.configuredPort !== target.port ? target.configuredPort : undefined);
  const check: CheckConf = { type };
  if (checkPort !== undefined) check.port = checkPort;
  if (type !== 'TCP') {
    if (!url) problems.error(node, `${node.keyword} needs a url { path ... } block`);
    check.path = url?.path ?? '/';
    const host = url?.host ?? own.host ?? inherited.host;
    if (host !== undefined) check.host = host;
    check.expectedStatus = url?.expectedStatus ?? 200;
    if (url && url.expectedStatus === undefined) {
      problems.warn(
        url.at,
        'url has no status_code: keepalived accepted any 2xx status, lvs-operator expects exactly 200',
      );
    }
  }
  check.interval = interval;
  check.timeout = timeout;
  // Same meaning as keepalived's: retries after the first failure before the server is marked down.
  check.retries = own.retry ?? inherited.retry ?? KEEPALIVED_CHECK_DEFAULTS.retry;
  check.retryDelay =
    own.retryDelay ??
    inherited.retryDelay ??
    KEEPALIVED_CHECK_DEFAULTS.delayBeforeRetry[type as 'TCP' | 'HTTP' | 'HTTPS'];
  check.onFailure = (inherited.inhibit ?? KEEPALIVED_CHECK_DEFAULTS.inhibitOnFailure) ? 'Inhibit' : 'Remove';
  return check;
}

function readUrl(
  node: ConfigNode,
  problems: Problems,
): { path?: string; expectedStatus?: number; host?: string; at: SourceLocation } {
  const url: { path?: string; expectedStatus?: number; host?: string; at: SourceLocation } = { at: node };
  forEachMapped('url', blockOf(node, problems), problems, (child) => {
    if (child.keyword === 'status_code') {
      const args = argsOf(child, problems, 1, Infinity);
      if (args) url.expectedStatus = readStatusCode(child, args, problems);
      return;
    }
    const value = argsOf(child, problems, 1)?.[0];
    if (value === undefined) return;
    if (child.keyword === 'virtualhost') url.host = value;
    else if (/^\/\S*$/.test(value) && value.length <= 2048) url.path = value;
    else problems.error(child, `path must start with / and hold no spaces, got ${JSON.stringify(value)}`);
  });
  if (url.path === undefined) problems.error(node, 'url has no path');
  return url;
}

/** One status code (or a range of one); keepalived's lists and ranges have no equivalent in the CRD. */
function readStatusCode(at: SourceLocation, args: readonly string[], problems: Problems): number | undefined {
  const range = args.length === 1 ? /^(\d{3})(?:-(\d{3}))?$/.exec(args[0]!) : null;
  if (!range || (range[2] !== undefined && range[2] !== range[1])) {
    problems.error(at, `status_code ${args.join(' ')} is not supported: lvs-operator expects exactly one status code`);
    return undefined;
  }
  return readInteger(at, problems, 'status_code', range[1]!, 100, 599);
}
