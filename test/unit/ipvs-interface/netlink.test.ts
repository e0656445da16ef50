// NetlinkIpvs's own logic over a scripted kernel: batches and their one ACK, errors put on their
// operations by sequence number, ENOBUFS (a fresh socket, the unanswered operations reported as
// unknown), and what rejects. The real kernel's bytes are replayed in test/unit/ipvs-netlink.
import { describe, expect, it } from 'vitest';
import { GENL_ID_CTRL } from '../../../src/core/ipvs/netlink/constants.js';
import {
  decodeGenl,
  decodeMessages,
  encodeGenl,
  encodeMessage,
  NLM_F_ACK,
  NLMSG_ERROR,
  u16,
  type NetlinkMessage,
} from '../../../src/core/ipvs/netlink/wire.js';
import type { IpvsOperation } from '../../../src/core/ipvs/operations.js';
import { NetlinkIpvs, type NetlinkTransport } from '../../../src/node/ipvs/netlink.js';
import { NetlinkSocketError } from '../../../src/node/ipvs/netlink-socket.js';

const FAMILY = 0x24;

function errorMessage(seq: number, errno: number): Buffer {
  const payload = Buffer.alloc(20);
  payload.writeInt32LE(-errno, 0);
  return encodeMessage({ type: NLMSG_ERROR, flags: 0, seq, pid: 0, payload });
}

/** A kernel that answers the family request, refuses what `refuse` says, and ACKs what asks. */
class ScriptedKernel implements NetlinkTransport {
  readonly sent: NetlinkMessage[][] = [];
  private queue: Buffer[] = [];
  closed = false;
  constructor(
    private readonly refuse: (cmd: number, index: number) => number = () => 0,
    private readonly failRecv?: () => NetlinkSocketError | undefined,
  ) {}
  private handled = 0;
  send(datagram: Buffer): void {
    const messages = decodeMessages(datagram);
    this.sent.push(messages);
    for (const m of messages) {
      if (m.type === GENL_ID_CTRL) {
        const reply = encodeGenl(1, 2, [{ type: 1, value: u16(FAMILY) }]);
        this.queue.push(encodeMessage({ type: GENL_ID_CTRL, flags: 0, seq: m.seq, pid: 0, payload: reply }));
        this.queue.push(errorMessage(m.seq, 0));
        continue;
      }
      const errno = this.refuse(decodeGenl(m.payload).cmd, this.handled++);
      if (errno || m.flags & NLM_F_ACK) this.queue.push(errorMessage(m.seq, errno));
    }
  }
  recv(): Buffer {
    const failure = this.failRecv?.();
    if (failure) throw failure;
    const next = this.queue.shift();
    if (!next) throw new NetlinkSocketError('recv (timed out)', 11);
    return next;
  }
  tryRecv(): Buffer | undefined {
    return this.queue.shift();
  }
  close(): void {
    this.closed = true;
  }
}

const web = { protocol: 'TCP' as const, address: '192.0.2.1', port: 80 };
const adds = (n: number): IpvsOperation[] =>
  Array.from({ length: n }, (_, i) => ({
    kind: 'add-destination' as const,
    service: web,
    destination: { address: `10.0.${i >> 8}.${i & 0xff}`, port: 80, forwarding: 'DR' as const, weight: 1 },
  }));

describe('NetlinkIpvs.apply', () => {
  it('sends at most batchSize messages per send, asks an ACK of the last only, and yields between batches', async () => {
    const kernel = new ScriptedKernel();
    let yields = 0;
    const ipvs = new NetlinkIpvs({ batchSize: 128, open: () => kernel, yieldToLoop: async () => void yields++ });
    const { results } = await ipvs.apply(adds(300));
    expect(results.every((r) => r.error === undefined)).toBe(true);
    const batches = kernel.sent.slice(1); // the first is the family request
    expect(batches.map((b) => b.length)).toEqual([128, 128, 44]);
    expect(batches.map((b) => b.filter((m) => m.flags & NLM_F_ACK).length)).toEqual([1, 1, 1]);
    expect(batches.every((b) => b[b.length - 1]!.flags & NLM_F_ACK)).toBe(true);
    expect(yields).toBe(2);
  });

  it('puts each refusal on its own operation, the last one included', async () => {
    const kernel = new ScriptedKernel((_cmd, i) => (i === 1 ? 17 : i === 3 ? 3 : 0));
    const ipvs = new NetlinkIpvs({ open: () => kernel });
    const { results } = await ipvs.apply(adds(4));
    expect(results.map((r) => r.error?.split(':')[0])).toEqual([
      undefined,
      'EEXIST (File exists)',
      undefined,
      'ESRCH (No such process)',
    ]);
  });

  it('after ENOBUFS: the answers still queued are drained, the unanswered operations are unknown, and a fresh socket serves the next call', async () => {
    let failNow = false;
    const first = new ScriptedKernel(
      (_cmd, i) => (i === 0 ? 17 : 0),
      () => (failNow ? new NetlinkSocketError('recv', 105) : undefined),
    );
    const second = new ScriptedKernel();
    const sockets = [first, second];
    const ipvs = new NetlinkIpvs({ open: () => sockets.shift()! });
    await ipvs.apply([]); // nothing to send: no socket yet
    const original = first.recv.bind(first);
    let reads = 0;
    first.recv = () => {
      if (reads++ >= 3) failNow = true; // the family reply and its ACK, then the EEXIST, then ENOBUFS
      return original();
    };
    const { results } = await ipvs.apply(adds(4));
    expect(results.map((r) => r.error)).toEqual([
      expect.stringMatching(/^EEXIST/), // read before the overrun
      'ENOBUFS (No buffer space available): the kernel dropped the reply; the operation may or may not have been applied',
      'ENOBUFS (No buffer space available): the kernel dropped the reply; the operation may or may not have been applied',
      undefined, // the last one's ACK, drained after the overrun
    ]);
    expect(first.closed).toBe(true);
    const again = await ipvs.apply(adds(2));
    expect(again.results.every((r) => r.error === undefined)).toBe(true);
    expect(second.sent).toHaveLength(1); // the family id was kept: only the batch went to the new socket
  });

  it('rejects when IPVS is not there (no family), without trying any operation', async () => {
    const kernel = new ScriptedKernel();
    kernel.send = (d) => {
      const [m] = decodeMessages(d);
      (kernel as unknown as { queue: Buffer[] }).queue.push(errorMessage(m!.seq, 2));
    };
    const ipvs = new NetlinkIpvs({ open: () => kernel });
    await expect(ipvs.apply(adds(1))).rejects.toThrow('the generic netlink family IPVS (is ip_vs loaded?): ENOENT');
  });

  it('sync daemon refusals throw with the errno name', async () => {
    const kernel = new ScriptedKernel(() => 17);
    const ipvs = new NetlinkIpvs({ open: () => kernel });
    await expect(ipvs.startSyncDaemon({ role: 'master', interface: 'eth0', syncID: 1 })).rejects.toThrow(
      'master sync daemon: EEXIST (File exists)',
    );
  });
});
