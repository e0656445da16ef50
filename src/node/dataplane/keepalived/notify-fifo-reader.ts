// Reads keepalived's notify FIFO continuously, line by line, across keepalived restarts.
//
// How the FIFO behaves (checked with keepalived 2.2.7): the VRRP process opens it O_RDWR, so
// keepalived never blocks or fails on it whether a reader is there or not, and lines written
// while no agent reads stay in the pipe (up to 64 KiB) until the next reader comes: a restarted
// agent reads the transitions it missed. A reader sees EOF only when the last writer closes it,
// i.e. when keepalived's VRRP process exits; it then opens the FIFO again and waits for the next
// keepalived.
//
// The FIFO is opened O_RDONLY|O_NONBLOCK and wrapped in a net.Socket: libuv then polls it with
// epoll instead of parking a thread-pool thread in a blocking read() forever. A fresh O_RDONLY
// open sees no hang-up until a writer has come and gone, so reopening does not spin.
import { close as closeFd, constants, open as openFd } from 'node:fs';
import { lstat, unlink } from 'node:fs/promises';
import { Socket } from 'node:net';
import { promisify } from 'node:util';
import type { RunCommand } from '../command.js';
import { runChecked } from '../command.js';

const REOPEN_DELAY_MS = 100;
// A raw fd, not a FileHandle: the socket owns the fd, and a FileHandle would close it again when
// collected.
const openRaw = promisify(openFd);

/** Creates the FIFO (mode 0600) unless a FIFO is already there; anything else there is replaced. */
export async function ensureFifo(run: RunCommand, path: string): Promise<void> {
  const existing = await lstat(path).catch(() => undefined);
  if (existing?.isFIFO()) return;
  if (existing) await unlink(path);
  await runChecked(run, ['mkfifo', '-m', '0600', path]);
}

export class NotifyFifoReader {
  private socket: Socket | undefined;
  private partial = '';
  private closed = true;
  private reopenTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly handlers: {
      onLine: (line: string) => void;
      /** The last writer closed the FIFO: keepalived's VRRP process exited. */
      onWriterGone?: () => void;
      onError?: (error: Error) => void;
    },
  ) {}

  /** Starts reading; resolves once the FIFO is open. The FIFO must exist (ensureFifo). */
  async start(): Promise<void> {
    if (!this.closed) return;
    this.closed = false;
    try {
      await this.open();
    } catch (err) {
      this.closed = true;
      throw err;
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reopenTimer);
    this.socket?.destroy();
    this.socket = undefined;
  }

  private async open(): Promise<void> {
    const fd = await openRaw(this.path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (this.closed) return closeFd(fd, () => {});
    const socket = new Socket({ fd, readable: true, writable: false });
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.take(chunk));
    socket.on('end', () => {
      this.lost(socket);
      this.handlers.onWriterGone?.();
    });
    socket.on('error', (err) => {
      this.handlers.onError?.(err);
      this.lost(socket);
    });
  }

  private take(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) if (line) this.handlers.onLine(line);
  }

  /** EOF (keepalived exited) or an error: open again for the next keepalived. */
  private lost(socket: Socket): void {
    socket.destroy();
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.partial = ''; // a writer that died mid-line leaves no half line to glue onto the next one
    this.reopenLater();
  }

  private reopenLater(): void {
    if (this.closed) return;
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      this.open().catch((err: Error) => {
        this.handlers.onError?.(err);
        this.reopenLater();
      });
    }, REOPEN_DELAY_MS);
  }
}
