// The /metrics endpoint of every long-running command: one prom-client Registry per process (not
// the library's global one, so that tests and several components in one process stay apart), with
// the default process metrics, served by node:http:
//   GET /metrics  the registry, in its content type;  GET /healthz  200 "ok";  anything else 404.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { formatHostPort } from '../core/ipvs/model.js';
import type { Log } from './log.js';
import type { ListenAddress } from './metrics-address.js';

/** A second try after a failed bind (the port still held by the agent this one replaces, after SIGUSR2). */
const RETRY_LISTEN_MS = 5_000;

export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

function handler(registry: Registry) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (code: number, type: string, body: string) => {
      res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.method === 'GET' && path === '/metrics') {
      registry.metrics().then(
        (body) => reply(200, registry.contentType, body),
        (error: unknown) => reply(500, 'text/plain; charset=utf-8', `${String(error)}\n`),
      );
    } else if (req.method === 'GET' && path === '/healthz') {
      reply(200, 'text/plain; charset=utf-8', 'ok');
    } else {
      reply(404, 'text/plain; charset=utf-8', 'not found\n');
    }
  };
}

export interface MetricsServer {
  /** The port bound (the one asked for, or the kernel's choice for 0). */
  port: number;
  close(): Promise<void>;
}

/** Listens at once or rejects (EADDRINUSE...). Port 0 lets the kernel choose (tests). */
export function startMetricsServer(registry: Registry, address: ListenAddress): Promise<MetricsServer> {
  const server = createServer(handler(registry));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve({ port: (server.address() as AddressInfo).port, close: () => closeServer(server) });
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Prometheus keeps its connection alive between scrapes: without this, close waits for it.
    server.closeAllConnections();
  });
}

/**
 * The commands' endpoint: a bind that fails is logged and tried again every few seconds rather
 * than fatal, since metrics must never keep the data plane from starting. Returns the way to stop.
 */
export function serveMetrics(registry: Registry, address: ListenAddress, log: Log): () => Promise<void> {
  const where = formatHostPort(address.host, address.port);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: MetricsServer | undefined;
  let complained = false;
  const attempt = () => {
    startMetricsServer(registry, address).then(
      (server) => {
        if (stopped) return void server.close();
        running = server;
        log('metrics serving', { address: where });
      },
      (error: unknown) => {
        if (stopped) return;
        if (!complained) log('metrics not serving', { address: where, error: String(error), retryMs: RETRY_LISTEN_MS });
        complained = true;
        timer = setTimeout(attempt, RETRY_LISTEN_MS);
        timer.unref();
      },
    );
  };
  attempt();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running?.close();
  };
}
