// keepalived HTTP_GET / SSL_GET: GET each url in turn and compare its status (and, when the url
// has a digest, the MD5 of its body). The real server passes only when every url passes.
import { createHash, type Hash } from 'node:crypto';
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { statusAccepted, type HealthCheckUrl } from '../../core/api/http-urls.js';
import { errorMessage, startCheck, type CheckResult } from './check-result.js';

export interface HttpTarget {
  /** IPv4 or IPv6 literal (no brackets): where to connect. */
  address: string;
  port: number;
  /** Time allowed for one url's connect, request, status and body together (keepalived connect_timeout). */
  timeoutMs: number;
  /** HTTPS. The certificate is not verified, as keepalived's SSL_GET does not verify by default. */
  tls: boolean;
}

/**
 * One url as the plan carries it: path (with an optional query), Host header (absent: the address,
 * bracketed for IPv6, and the port), the statuses that count as healthy (codes and ranges), and
 * the MD5 of the whole body as lowercase hex (absent: the body is read and discarded).
 */
export type HttpUrl = HealthCheckUrl;

export type HttpCheckOptions = HttpTarget & HttpUrl;

/**
 * Every url in order, one at a time (as keepalived walks its url list), stopping at the first
 * that fails. One url's result is that url's message; with several, a failure names the url.
 */
export async function checkHttpUrls(target: HttpTarget, urls: readonly HttpUrl[]): Promise<CheckResult> {
  const watch = startCheck();
  const passed: string[] = [];
  for (const [i, url] of urls.entries()) {
    const result = await checkHttp({ ...target, ...url });
    if (urls.length === 1) return result;
    if (!result.ok) return watch.result(false, `url ${i + 1} of ${urls.length} (${url.path}): ${result.message}`);
    passed.push(result.message);
  }
  return watch.result(true, `${urls.length} urls: ${passed.join(', ')}`);
}

/** One GET. */
export function checkHttp(options: HttpCheckOptions): Promise<CheckResult> {
  const watch = startCheck();
  return new Promise((resolve) => {
    let settled = false;
    let req: ClientRequest | undefined;
    const finish = (ok: boolean, message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req?.destroy();
      resolve(watch.result(ok, message));
    };
    const timer = setTimeout(() => finish(false, `no answer within ${options.timeoutMs} ms`), options.timeoutMs);
    try {
      const requestOptions: RequestOptions & { rejectUnauthorized?: boolean } = {
        host: options.address,
        port: options.port,
        path: options.path,
        method: 'GET',
        headers: {
          Host: options.host ?? defaultHost(options),
          'User-Agent': 'lvs-operator-health',
          Connection: 'close',
        },
        // a fresh connection per check: a pooled one would pass even after the server stopped accepting
        agent: false,
      };
      if (options.tls) requestOptions.rejectUnauthorized = false;
      req = (options.tls ? httpsRequest : httpRequest)(requestOptions, (res) => onResponse(res, options, finish));
      req.once('error', (error) => finish(false, errorMessage(error)));
      req.end();
    } catch (error) {
      // http.request throws synchronously on, e.g., a Host header with invalid characters
      finish(false, errorMessage(error));
    }
  });
}

function onResponse(res: IncomingMessage, options: HttpCheckOptions, finish: (ok: boolean, message: string) => void) {
  const status = res.statusCode ?? 0;
  const statusOk = statusAccepted(options.expectedStatus, status);
  const message = statusOk ? `HTTP ${status}` : `HTTP ${status}, expected ${options.expectedStatus.join(' or ')}`;
  // The verdict waits for the whole body, as keepalived reads the whole answer: a server that
  // sends the status and then stalls fails by the timeout. The digest, when asked for, is of all of it.
  const md5: Hash | undefined = statusOk && options.digest !== undefined ? createHash('md5') : undefined;
  res.on('data', (chunk: Buffer) => md5?.update(chunk));
  res.once('end', () => {
    const digest = md5?.digest('hex');
    if (digest === undefined || digest === options.digest) finish(statusOk, message);
    else finish(false, `${message}, body MD5 ${digest}, expected ${options.digest}`);
  });
  res.once('error', (error) => finish(false, `${message}; body: ${errorMessage(error)}`));
  // a connection closed before the whole body came ('end' settles first when it did come)
  res.once('close', () => finish(false, `${message}; connection closed before the end of the body`));
}

function defaultHost(options: HttpTarget): string {
  const host = options.address.includes(':') ? `[${options.address}]` : options.address;
  const defaultPort = options.tls ? 443 : 80;
  return options.port === defaultPort ? host : `${host}:${options.port}`;
}
