// An AF_NETLINK socket (NETLINK_GENERIC) through libc with koffi: socket, bind, send, recv,
// setsockopt, close. The only file that calls native code; what goes over it is built and read
// by src/core/ipvs/netlink (pure).
//
// Calls are synchronous, on purpose: koffi's async calls run on worker threads, where errno is
// not the caller's, and ENOBUFS must be told apart from a timeout. The kernel handles a generic
// netlink request inside send() itself, so the caller keeps batches small and yields to the
// event loop between them (netlink.ts). recv() has a timeout (SO_RCVTIMEO) so a reply that never
// comes cannot hang the agent.
// The namespace, not `import { createRequire }`: the bundle's banner declares that name already.
import * as nodeModule from 'node:module';

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0x80000;
const NETLINK_GENERIC = 16;
const SOL_SOCKET = 1;
const SO_SNDBUF = 7;
const SO_RCVBUF = 8;
const SO_RCVTIMEO = 20;
/** Above the rmem_max sysctl: needs CAP_NET_ADMIN, which the agent has; SO_RCVBUF is the fallback. */
const SO_RCVBUFFORCE = 33;
const SOL_NETLINK = 270;
/** Error ACKs without the request they answer: a batch of failures stays small in the receive buffer. */
const NETLINK_CAP_ACK = 10;
const EAGAIN = 11;
const MSG_DONTWAIT = 0x40;
const EINTR = 4;

export class NetlinkSocketError extends Error {
  override readonly name = 'NetlinkSocketError';
  constructor(
    readonly call: string,
    readonly errno: number,
  ) {
    super(`${call}: errno ${errno}`);
  }
}

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  send(fd: number, buf: Buffer, len: number, flags: number): number;
  recv(fd: number, buf: Buffer, len: number, flags: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  close(fd: number): number;
  errno(): number;
}

let libc: Libc | undefined;

/** koffi and libc, loaded on first use: the agent's other implementations and the controller never load them. */
function loadLibc(): Libc {
  if (libc) return libc;
  // createRequire: koffi is CommonJS with a native addon, and stays outside the bundle (package.json "bundle").
  const koffi = nodeModule.createRequire(import.meta.url)('koffi') as typeof import('koffi');
  const lib = koffi.load('libc.so.6');
  const fn = (decl: string) => lib.func(decl) as (...args: unknown[]) => number;
  const socket = fn('int socket(int domain, int type, int protocol)');
  const bind = fn('int bind(int fd, const void *addr, uint32_t len)');
  const send = fn('intptr_t send(int fd, const void *buf, size_t len, int flags)');
  // A Buffer given for a plain pointer is passed in place; _Out_ would copy all of it back per call.
  const recv = fn('intptr_t recv(int fd, void *buf, size_t len, int flags)');
  const setsockopt = fn('int setsockopt(int fd, int level, int name, const void *value, uint32_t len)');
  const close = fn('int close(int fd)');
  libc = {
    socket: (d, t, p) => Number(socket(d, t, p)),
    bind: (f, a, l) => Number(bind(f, a, l)),
    send: (f, b, l, fl) => Number(send(f, b, l, fl)),
    recv: (f, b, l, fl) => Number(recv(f, b, l, fl)),
    setsockopt: (f, lv, n, v, l) => Number(setsockopt(f, lv, n, v, l)),
    close: (f) => Number(close(f)),
    errno: () => koffi.errno(),
  };
  return libc;
}

export interface NetlinkSocketOptions {
  /** Bytes the kernel may queue for us (replies of a whole batch must fit). */
  receiveBuffer?: number;
  /** How long one recv() waits for the kernel. */
  receiveTimeoutMs?: number;
}

/** A bound generic netlink socket; one datagram per send and per recv. */
export class NetlinkSocket {
  private fd: number;
  private readonly buf = Buffer.alloc(256 * 1024);

  constructor(options: NetlinkSocketOptions = {}) {
    const c = loadLibc();
    this.fd = c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
    if (this.fd < 0) throw new NetlinkSocketError('socket(AF_NETLINK)', c.errno());
    try {
      this.configure(c, options);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  private configure(c: Libc, options: NetlinkSocketOptions): void {
    const int = (v: number) => {
      const b = Buffer.alloc(4);
      b.writeInt32LE(v);
      return b;
    };
    const rcvbuf = int(options.receiveBuffer ?? 4 * 1024 * 1024);
    if (c.setsockopt(this.fd, SOL_SOCKET, SO_RCVBUFFORCE, rcvbuf, 4) < 0)
      c.setsockopt(this.fd, SOL_SOCKET, SO_RCVBUF, rcvbuf, 4);
    c.setsockopt(this.fd, SOL_SOCKET, SO_SNDBUF, int(1024 * 1024), 4);
    c.setsockopt(this.fd, SOL_NETLINK, NETLINK_CAP_ACK, int(1), 4);
    const timeout = options.receiveTimeoutMs ?? 5000;
    const timeval = Buffer.alloc(16); // struct timeval on 64-bit Linux: two longs
    timeval.writeBigInt64LE(BigInt(Math.floor(timeout / 1000)), 0);
    timeval.writeBigInt64LE(BigInt((timeout % 1000) * 1000), 8);
    if (c.setsockopt(this.fd, SOL_SOCKET, SO_RCVTIMEO, timeval, 16) < 0)
      throw new NetlinkSocketError('setsockopt(SO_RCVTIMEO)', c.errno());
    // struct sockaddr_nl { family; pad; pid = 0: the kernel picks; groups = 0 }
    const addr = Buffer.alloc(12);
    addr.writeUInt16LE(AF_NETLINK, 0);
    if (c.bind(this.fd, addr, addr.length) < 0) throw new NetlinkSocketError('bind(AF_NETLINK)', c.errno());
  }

  get closed(): boolean {
    return this.fd < 0;
  }

  /** Sends one datagram (any number of messages); the kernel has handled them all when this returns. */
  send(datagram: Buffer): void {
    const c = loadLibc();
    for (;;) {
      const n = c.send(this.fd, datagram, datagram.length, 0);
      if (n >= 0) return;
      const errno = c.errno();
      if (errno !== EINTR) throw new NetlinkSocketError('send', errno);
    }
  }

  /** One datagram (a copy). Throws NetlinkSocketError with errno 105 (ENOBUFS) when replies were dropped, 11 on timeout. */
  recv(): Buffer {
    const c = loadLibc();
    for (;;) {
      const n = c.recv(this.fd, this.buf, this.buf.length, 0);
      if (n >= 0) return Buffer.from(this.buf.subarray(0, n));
      const errno = c.errno();
      if (errno !== EINTR) throw new NetlinkSocketError(errno === EAGAIN ? 'recv (timed out)' : 'recv', errno);
    }
  }

  /** One datagram already queued, or undefined when none is (MSG_DONTWAIT): to drain what a failure left. */
  tryRecv(): Buffer | undefined {
    const c = loadLibc();
    for (;;) {
      const n = c.recv(this.fd, this.buf, this.buf.length, MSG_DONTWAIT);
      if (n >= 0) return Buffer.from(this.buf.subarray(0, n));
      const errno = c.errno();
      if (errno === EAGAIN) return undefined;
      if (errno !== EINTR) throw new NetlinkSocketError('recv', errno);
    }
  }

  close(): void {
    if (this.fd >= 0) loadLibc().close(this.fd);
    this.fd = -1;
  }
}
