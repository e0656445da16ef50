// keepalived HTTP_GET / SSL_GET: GET a path and compare the status code.
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { errorMessage, startCheck, type CheckResult } from './check-result.js';

export interface HttpCheckOptions {
  /** IPv4 or IPv6 literal (no brackets): where to connect. */
  address: string;
  port: number;
  /** Absolute path with an optional query (keepalived url path). */
  path: string;
  /** Host header (keepalived virtualhost). Absent: the address (bracketed for IPv6) and the port. */
  host?: string;
  /** The status that counts as healthy (keepalived status_code). */
  expectedStatus: number;
  /** Time allowed for connect, request, status and body together (keepalived connect_timeout). */
  timeoutMs: number;
  /** HTTPS. The certificate is not verified, as keepalived's SSL_GET does not verify by default. */
  tls: boolean;
}

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
  const ok = status === options.expectedStatus;
  const message = ok ? `HTTP ${status}` : `HTTP ${status}, expected ${options.expectedStatus}`;
  // The verdict waits for the whole body (read and discarded), as keepalived reads the whole
  // answer: a server that sends the status and then stalls fails by the timeout.
  res.on('data', () => {});
  res.once('end', () => finish(ok, message));
  res.once('error', (error) => finish(false, `${message}; body: ${errorMessage(error)}`));
  // a connection closed before the whole body came ('end' settles first when it did come)
  res.once('close', () => finish(false, `${message}; connection closed before the end of the body`));
}

function defaultHost(options: HttpCheckOptions): string {
  const host = options.address.includes(':') ? `[${options.address}]` : options.address;
  const defaultPort = options.tls ? 443 : 80;
  return options.port === defaultPort ? host : `${host}:${options.port}`;
}
