// A small Kubernetes REST client: one request function over node:https, with the credentials of
// credentials.ts (the pod's ServiceAccount, or a kubeconfig file through client-node). Its own
// rather than client-node's generated APIs because lvs-operator needs a handful of verbs on a
// handful of paths (server-side apply, merge patches of status, list and watch of custom
// resources), and because nock can intercept node:https, which the unit tests rely on.
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { loadCredentials, type Credentials, type HeadedOptions } from './credentials.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Query;
  body?: unknown;
  /** Content type of the body; PATCH needs one of the patch types. Default application/json. */
  contentType?: string;
}

/** A non-2xx answer: the HTTP status and the apiserver's Status reason and message. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const isNotFound = (e: unknown) => e instanceof ApiError && e.statusCode === 404;
export const isConflict = (e: unknown) => e instanceof ApiError && e.statusCode === 409;

export const PATCH_MERGE = 'application/merge-patch+json';
export const PATCH_APPLY = 'application/apply-patch+yaml';
export const PATCH_JSON = 'application/json-patch+json';

/** How long a plain request may take; watches have their own watchdog (watch.ts). */
const REQUEST_TIMEOUT_MS = 15_000;

export class KubeClient {
  readonly server: URL;

  constructor(private readonly credentials: Credentials) {
    this.server = new URL(credentials.server);
  }

  /** --kubeconfig FILE, else $KUBECONFIG, ~/.kube/config or the in-cluster ServiceAccount. */
  static async load(file?: string): Promise<KubeClient> {
    return new KubeClient(await loadCredentials(file));
  }

  /** A JSON request; resolves with the parsed body, rejects with ApiError on a non-2xx status. */
  async request<T = unknown>(spec: RequestSpec): Promise<T> {
    const response = await this.open(spec, REQUEST_TIMEOUT_MS);
    const text = await readBody(response);
    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299) throw apiError(status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * Opens a request and hands back the response as it streams (watches). A non-2xx answer is
   * read and thrown as ApiError. No timeout here: the caller owns the stream's lifetime.
   */
  async stream(spec: RequestSpec, signal: AbortSignal): Promise<IncomingMessage> {
    const response = await this.open(spec, 0, signal);
    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299) throw apiError(status, await readBody(response));
    return response;
  }

  private async open(spec: RequestSpec, timeoutMs: number, signal?: AbortSignal): Promise<IncomingMessage> {
    const base: HeadedOptions = { headers: {} };
    // A failure (a token file not there yet) fails only this request.
    await this.credentials.apply(base);
    const url = new URL(spec.path, this.server);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const headers: Record<string, string> = { ...base.headers, accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = spec.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const options: RequestOptions = {
      ...base,
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: spec.method,
      headers,
      signal,
    };
    return new Promise<IncomingMessage>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(options, resolve);
      req.on('error', reject);
      if (timeoutMs > 0) {
        req.setTimeout(timeoutMs, () =>
          req.destroy(new Error(`${spec.method} ${spec.path}: no answer in ${timeoutMs / 1000} s`)),
        );
      }
      req.end(body);
    });
  }
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => (text += chunk));
    response.on('end', () => resolve(text));
    response.on('error', reject);
  });
}

/** The apiserver answers errors with a Status object; anything else is reported as it came. */
function apiError(status: number, text: string): ApiError {
  try {
    const parsed = JSON.parse(text) as { reason?: string; message?: string };
    return new ApiError(status, parsed.reason ?? '', parsed.message ?? text);
  } catch {
    return new ApiError(status, '', text.slice(0, 500) || `HTTP ${status}`);
  }
}
