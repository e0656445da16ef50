// Real servers for the checker tests, on loopback (IPv4 or IPv6), each on a port of its own.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A self-signed certificate made now by openssl (argv, no shell), as a real server would have one. */
export function selfSignedCert(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lvs-health-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const argv = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    argv.push('-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=lvs-operator-health-test');
    const run = spawnSync('openssl', argv, { encoding: 'utf8' });
    if (run.error) throw run.error;
    if (run.status !== 0) throw new Error(`openssl req: ${run.stderr}`);
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What the HTTP(S) test servers answer: /ok 200, /down 503, /big 200 with 1 MiB, /stall the
 * headers and then nothing, /truncated the headers and part of the body, then a closed connection.
 */
export function testHandler(seenHosts: string[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    seenHosts.push(req.headers.host ?? '');
    if (req.url === '/ok') res.end('ok\n');
    else if (req.url === '/down') res.writeHead(503).end('down\n');
    else if (req.url === '/big') res.end(Buffer.alloc(1 << 20, 'x'));
    else if (req.url === '/stall') res.writeHead(200, { 'Content-Length': '100' }).write('partial');
    else if (req.url === '/truncated') {
      res.writeHead(200, { 'Content-Length': '100' }).write('partial', () => res.socket?.destroy());
    } else res.writeHead(404).end();
  };
}

export interface Running {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** Listens on host:port (0 = any free port); close() also drops open connections. */
export function listen(server: Server, host: string, port = 0): Promise<Running> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      const address = server.address();
      if (!address || typeof address === 'string') return reject(new Error('no port'));
      resolve({
        server,
        port: address.port,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

export const tcpServer = () => createTcpServer((socket) => socket.end());
/** Accepts and then never sends a byte: an HTTP check must time out. */
export const silentServer = () => createTcpServer(() => {});
export const httpServer = (seenHosts: string[]) => createHttpServer(testHandler(seenHosts));
export const httpsServer = (seenHosts: string[], tls: { key: string; cert: string }) =>
  createHttpsServer(tls, testHandler(seenHosts));

/** A port nothing listens on: bound, then closed (connection refused). */
export async function closedPort(host: string): Promise<number> {
  const running = await listen(createTcpServer(), host);
  await running.close();
  return running.port;
}
