// A TCP proxy between a client and the API server that a test can cut: `reset()` destroys every
// connection (the client sees an error), `freeze()` keeps the open ones open but passes no more of
// their bytes (a dead NAT entry or load balancer: the client sees nothing at all); new connections
// pass as before.
import { createServer, connect, type Socket, type Server } from 'node:net';

export interface CuttableProxy {
  url: string;
  reset(): void;
  freeze(): void;
  close(): Promise<void>;
}

export async function startProxy(target: URL): Promise<CuttableProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) => from.on('data', (chunk) => to.write(chunk));
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `https://127.0.0.1:${port}`,
    reset() {
      for (const [a, b] of pairs) {
        a.resetAndDestroy();
        b.destroy();
      }
      pairs.clear();
    },
    freeze() {
      for (const [a, b] of pairs) {
        a.removeAllListeners('data');
        b.removeAllListeners('data');
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [a, b] of pairs) {
          a.destroy();
          b.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
