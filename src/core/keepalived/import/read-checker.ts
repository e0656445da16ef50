// Health-check settings: keepalived lets delay_loop, connect_timeout, retry, delay_before_retry,
// inhibit_on_failure and virtualhost be set on the virtual_server, the real_server or the checker,
// each level defaulting the next. The result is the effective check with every value explicit,
// because keepalived's defaults are not lvs-operator's.
import { parseStatusCode, URL_PATH } from '../../api/http-urls.js';
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
  const urls: ConfUrl[] = [];
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
      const url = readUrl(child, problems);
      if (url) urls.push(url);
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
    if (urls.length === 0) problems.error(node, `${node.keyword} needs a url { path ... } block`);
    Object.assign(check, checkUrls(urls, own.host ?? inherited.host));
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

/** One url block as keepalived holds it: status_code words accumulate, as keepalived's bits do. */
interface ConfUrl {
  path: string;
  host?: string;
  codes: string[];
  digest?: string;
}

/**
 * The urls in the CRD's terms: the single path, host and expectedStatus when that says it all (one
 * url, one status code, no digest), the urls list otherwise. A url without status_code gets what
 * keepalived gives it, any 2xx (HTTP_DEFAULT_STATUS_CODE_MIN-MAX in check_http.h).
 */
function checkUrls(urls: readonly ConfUrl[], checkerHost: string | undefined): Partial<CheckConf> {
  const withHost = urls.map((u) => ({ ...u, host: u.host ?? checkerHost }));
  const only = withHost.length === 1 ? withHost[0]! : undefined;
  if (only && only.digest === undefined && only.codes.length === 1 && /^\d{3}$/.test(only.codes[0]!)) {
    const single: Partial<CheckConf> = { path: only.path, expectedStatus: Number(only.codes[0]) };
    if (only.host !== undefined) single.host = only.host;
    return single;
  }
  if (withHost.length === 0) return { path: '/', expectedStatus: 200 };
  const list = withHost.map(({ path, host, codes, digest }) => {
    const url: NonNullable<CheckConf['urls']>[number] = { path };
    if (host !== undefined) url.host = host;
    url.expectedStatus = (codes.length > 0 ? codes : [KEEPALIVED_DEFAULT_STATUS]) as [string, ...string[]];
    if (digest !== undefined) url.digest = digest;
    return url;
  });
  return { urls: list as NonNullable<CheckConf['urls']> };
}

/** What keepalived accepts from a url that has no status_code. */
const KEEPALIVED_DEFAULT_STATUS = '200-299';

function readUrl(node: ConfigNode, problems: Problems): ConfUrl | undefined {
  const url: Partial<ConfUrl> & { codes: string[] } = { codes: [] };
  forEachMapped('url', blockOf(node, problems), problems, (child) => {
    if (child.keyword === 'status_code') {
      const args = argsOf(child, problems, 1, Infinity);
      if (args) url.codes.push(...readStatusCodes(child, args, problems));
      return;
    }
    const value = argsOf(child, problems, 1)?.[0];
    if (value === undefined) return;
    if (child.keyword === 'virtualhost') url.host = value;
    else if (child.keyword === 'digest') readDigest(child, value, url, problems);
    else if (URL_PATH.test(value) && value.length <= 2048) url.path = value;
    else problems.error(child, `path must start with / and hold no spaces, got ${JSON.stringify(value)}`);
  });
  if (url.path === undefined) {
    problems.error(node, 'url has no path');
    return undefined;
  }
  return { ...url, path: url.path };
}

/** keepalived's status_code words, each a code or a low-high range of 100-599. */
function readStatusCodes(at: SourceLocation, args: readonly string[], problems: Problems): string[] {
  return args.filter((word) => {
    const range = parseStatusCode(word);
    if ('error' in range) problems.error(at, `status_code ${word}: ${range.error}`);
    return !('error' in range);
  });
}

/** keepalived reads the digest's hex digits in either case and keeps the first of two. */
function readDigest(at: SourceLocation, value: string, url: Partial<ConfUrl>, problems: Problems): void {
  if (!/^[0-9a-fA-F]{32}$/.test(value)) {
    problems.error(
      at,
      `digest must be an MD5 digest of 32 hex digits (as genhash prints it), got ${JSON.stringify(value)}`,
    );
  } else if (url.digest !== undefined) {
    problems.warn(at, `a second digest in one url: keepalived keeps the first (${url.digest})`);
  } else {
    url.digest = value.toLowerCase();
  }
}
