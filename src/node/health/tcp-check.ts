// keepalived TCP_CHECK: the real server is healthy when a TCP connection to it completes.
import { connect } from 'node:net';
import { errorMessage, startCheck, type CheckResult } from './check-result.js';

export interface TcpCheckOptions {
  /** IPv4 or IPv6 literal (no brackets). */
  address: string;
  port: number;
  /** Time allowed for the handshake (keepalived connect_timeout). */
  timeoutMs: number;
}

export function checkTcp(options: TcpCheckOptions): Promise<CheckResult> {
  const watch = startCheck();
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let socket: ReturnType<typeof connect> | undefined;
    const finish = (ok: boolean, message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // destroy, not end: we only wanted the handshake, and a FIN handshake would keep the
      // socket (and the real server's accept slot) around for nothing.
      socket?.destroy();
      resolve(watch.result(ok, message));
    };
    try {
      timer = setTimeout(() => finish(false, `no connection within ${options.timeoutMs} ms`), options.timeoutMs);
      socket = connect({ host: options.address, port: options.port });
      socket.once('connect', () => finish(true, 'connected'));
      socket.once('error', (error) => finish(false, errorMessage(error)));
    } catch (error) {
      // net.connect throws synchronously on an invalid port or address
      finish(false, errorMessage(error));
    }
  });
}
