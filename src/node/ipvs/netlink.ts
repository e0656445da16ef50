// The IPVS interface over generic netlink (family "IPVS", version 1): what ipvsadm does, without
// a process per call and with one answer per operation. One socket is kept open and the
// family's id resolved once; the messages are built and read by src/core/ipvs/netlink (pure),
// and the socket is netlink-socket.ts (koffi).
//
// Writes: every operation is one message, sent in batches of at most `batchSize` per send().
// The kernel answers a failed message whatever its flags, and a successful one only if it asks
// (NLM_F_ACK): only a batch's last message asks, so a batch costs one reply to receive plus one
// per failure, not one per operation (a recv() per ACK made 10,000 operations cost seconds
// under TCG; 512 ACKed messages per send overran the receive buffer in the prototype). Each
// answer carries its request's sequence number, so an error lands on its own operation, by
// name (EEXIST, ESRCH, ENOENT...), and the others still apply.
// If the kernel drops replies (ENOBUFS), what is still queued is drained and the socket reopened,
// so no stray answer can answer a later request; the operations whose answer was lost are
// reported as unknown, and the caller reads the table again (converge.ts does whenever an
// operation failed).
//
// Reads are dumps: GET_SERVICE, then GET_DEST per service (the kernel dumps destinations per
// service only), with thresholds, connection counts and counters in the same replies. The
// kernel works inside send() and recv(), which block: the loop yields to the event loop between
// batches and dumps so health checks keep their timing during a cold start.
import { canonicalTable } from '../../core/ipvs/canonical.js';
import { IPVS_CMD } from '../../core/ipvs/netlink/constants.js';
import {
  decodeDaemon,
  decodeDestination,
  decodeFamilyId,
  decodeInfo,
  decodeService,
  serviceFamily,
  type DecodedDestination,
} from '../../core/ipvs/netlink/decode.js';
import {
  delDaemonMessage,
  destinationDump,
  getFamilyMessage,
  ipvsDump,
  ipvsRequest,
  newDaemonMessage,
  operationMessage,
} from '../../core/ipvs/netlink/encode.js';
import { ENOBUFS, errnoText, operationError } from '../../core/ipvs/netlink/errors.js';
import { decodeErrno, decodeMessages, NLMSG_DONE, NLMSG_ERROR, NLMSG_OVERRUN } from '../../core/ipvs/netlink/wire.js';
import { destinationKey, serviceKey, type IpvsService } from '../../core/ipvs/model.js';
import type {
  DestinationState,
  DestinationStats,
  IpvsApplyResult,
  IpvsInterface,
  IpvsOperation,
  IpvsOperationResult,
  IpvsReadOptions,
  IpvsTable,
  SyncDaemon,
} from './interface.js';
import { NetlinkSocket, NetlinkSocketError } from './netlink-socket.js';

/** What NetlinkIpvs needs of a socket; tests hand in a scripted kernel. */
export interface NetlinkTransport {
  send(datagram: Buffer): void;
  recv(): Buffer;
  /** A datagram already queued, or undefined; without it nothing is drained after ENOBUFS. */
  tryRecv?(): Buffer | undefined;
  close(): void;
}

export interface NetlinkIpvsOptions {
  /** Messages per send(); 128 kept the prototype's ACKs within the receive buffer. */
  batchSize?: number;
  /** Opens a socket (default: a NetlinkSocket). Called again after ENOBUFS. */
  open?: () => NetlinkTransport;
  /** Lets the event loop run between batches (default: setImmediate). */
  yieldToLoop?: () => Promise<void>;
  /** The first sequence number less one (default: from the clock); tests replaying captured bytes fix it. */
  firstSeq?: number;
}

/** A read's view of one dumped service: the service (destinations filled in) and what else each destination said. */
interface DumpedService {
  service: IpvsService;
  destinations: DecodedDestination[];
}

/** The kernel answered a request with an error (errno > 0). */
export class NetlinkRequestError extends Error {
  override readonly name = 'NetlinkRequestError';
  constructor(
    what: string,
    readonly errno: number,
  ) {
    super(`${what}: ${errnoText(errno)}`);
  }
}

const DEFAULT_BATCH = 128;
const setImmediateYield = () => new Promise<void>((resolve) => setImmediate(resolve));

export class NetlinkIpvs implements IpvsInterface {
  /** The dumps carry IPVS_DEST_ATTR_U_THRESH / L_THRESH. */
  readonly readsThresholds = true;
  private socket: NetlinkTransport | undefined;
  private familyId: number | undefined;
  private seq: number;
  private readonly batchSize: number;
  private readonly open: () => NetlinkTransport;
  private readonly yieldToLoop: () => Promise<void>;

  constructor(options: NetlinkIpvsOptions = {}) {
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH);
    this.open = options.open ?? (() => new NetlinkSocket());
    this.yieldToLoop = options.yieldToLoop ?? setImmediateYield;
    this.seq = options.firstSeq ?? (Date.now() & 0x7fff_ffff) >>> 0;
  }

  async services(): Promise<IpvsTable> {
    const dumped = await this.readAll();
    return canonicalTable({ services: dumped.map((d) => d.service) });
  }

  async apply(ops: readonly IpvsOperation[]): Promise<IpvsApplyResult> {
    const results: IpvsOperationResult[] = [];
    for (let start = 0; start < ops.length; start += this.batchSize) {
      if (start > 0) await this.yieldToLoop();
      results.push(...this.applyBatch(ops.slice(start, start + this.batchSize)));
    }
    return { results };
  }

  async connections(options?: IpvsReadOptions): Promise<DestinationState[]> {
    return (await this.readAll(options)).flatMap(({ service, destinations }) =>
      destinations.map((d) => ({
        service: serviceKey(service),
        destination: destinationKey(d.destination),
        weight: d.destination.weight,
        activeConnections: d.activeConnections,
        inactiveConnections: d.inactiveConnections,
      })),
    );
  }

  async stats(options?: IpvsReadOptions): Promise<DestinationStats[]> {
    return (await this.readAll(options)).flatMap(({ service, destinations }) =>
      destinations.map((d) => ({
        service: serviceKey(service),
        destination: destinationKey(d.destination),
        ...d.counters,
      })),
    );
  }

  async syncDaemons(): Promise<SyncDaemon[]> {
    const family = this.family();
    const seq = this.nextSeq();
    return this.dump(ipvsDump(family, seq, IPVS_CMD.GET_DAEMON), seq, 'GET_DAEMON').flatMap(
      (p) => decodeDaemon(p) ?? [],
    );
  }

  async startSyncDaemon(daemon: SyncDaemon): Promise<void> {
    const seq = this.nextSeq();
    const errno = this.request(newDaemonMessage(this.family(), seq, daemon), seq);
    if (errno) throw new NetlinkRequestError(`${daemon.role} sync daemon`, errno);
  }

  async stopSyncDaemon(role: SyncDaemon['role']): Promise<void> {
    const seq = this.nextSeq();
    const errno = this.request(delDaemonMessage(this.family(), seq, role), seq);
    if (errno) throw new NetlinkRequestError(`${role} sync daemon`, errno);
  }

  /** GET_INFO: the kernel's IPVS version and connection table size (a probe that IPVS is there). */
  async info(): Promise<{ version: string; connTableSize: number }> {
    const seq = this.nextSeq();
    const replies = this.dump(ipvsRequest(this.family(), seq, IPVS_CMD.GET_INFO), seq, 'GET_INFO', true);
    if (!replies[0]) throw new Error('GET_INFO: no reply');
    return decodeInfo(replies[0]);
  }

  /** Closes the socket; the next call opens another. */
  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0 || 1;
    return this.seq;
  }

  private sock(): NetlinkTransport {
    this.socket ??= this.open();
    return this.socket;
  }

  /** The IPVS family's id, asked of the controller once per process (it only changes if ip_vs is reloaded). */
  private family(): number {
    if (this.familyId !== undefined) return this.familyId;
    const seq = this.nextSeq();
    const replies = this.dump(getFamilyMessage(seq), seq, 'the generic netlink family IPVS (is ip_vs loaded?)', true);
    if (!replies[0]) throw new Error('CTRL_CMD_GETFAMILY IPVS: no reply');
    this.familyId = decodeFamilyId(replies[0]);
    return this.familyId;
  }

  /**
   * One batch in one send(). Only the last message asks for an ACK: the others are answered
   * only if they fail, and the last one's answer comes after all of theirs. Each answer is
   * found by its sequence number; an operation without one succeeded.
   */
  private applyBatch(ops: readonly IpvsOperation[]): IpvsOperationResult[] {
    const family = this.family();
    const seqs = ops.map(() => this.nextSeq());
    const last = seqs[seqs.length - 1]!;
    const answers = new Map<number, number>();
    try {
      const messages = ops.map((op, i) => operationMessage(family, seqs[i]!, op, seqs[i] === last));
      this.sock().send(Buffer.concat(messages));
      while (!answers.has(last)) this.collectAcks(new Set(seqs), answers);
    } catch (error) {
      // Replies lost (ENOBUFS) or the socket failed: what is still queued is read (the answers
      // that were not dropped), then a fresh socket for what follows, and the unanswered
      // operations reported as such (they may or may not have been applied).
      this.drain(new Set(seqs), answers);
      this.close();
      const why = lostReplyReason(error);
      return ops.map((op, i) => {
        const errno = answers.get(seqs[i]!);
        return errno === undefined ? { op, error: why } : result(op, errno);
      });
    }
    return ops.map((op, i) => result(op, answers.get(seqs[i]!) ?? 0));
  }

  /** Reads one datagram of ACKs into `answers` (seq -> errno, 0 = done); ignores what answers no request of the batch. */
  private collectAcks(seqs: Set<number>, answers: Map<number, number>): void {
    for (const m of decodeMessages(this.sock().recv())) {
      if (m.type === NLMSG_OVERRUN) throw new NetlinkSocketError('recv (NLMSG_OVERRUN)', ENOBUFS);
      if (m.type === NLMSG_ERROR && seqs.has(m.seq)) answers.set(m.seq, decodeErrno(m.payload));
    }
  }

  /** Reads what the socket still holds into `answers`, until nothing is queued; never throws. */
  private drain(seqs: Set<number>, answers: Map<number, number>): void {
    try {
      for (let d = this.socket?.tryRecv?.(); d; d = this.socket?.tryRecv?.()) {
        for (const m of decodeMessages(d)) {
          if (m.type === NLMSG_ERROR && seqs.has(m.seq)) answers.set(m.seq, decodeErrno(m.payload));
        }
      }
    } catch {
      // the socket is closed next anyway
    }
  }

  /** Sends one request and returns its errno (0 = done). */
  private request(message: Buffer, seq: number): number {
    const answers = new Map<number, number>();
    try {
      this.sock().send(message);
      while (!answers.has(seq)) this.collectAcks(new Set([seq]), answers);
    } catch (error) {
      this.close();
      throw error;
    }
    return answers.get(seq)!;
  }

  /**
   * The payloads answering one request: a dump's parts up to NLMSG_DONE, or (single) the one
   * reply of a request that is not a dump. An error answer throws NetlinkRequestError.
   */
  private dump(message: Buffer, seq: number, what: string, single = false): Buffer[] {
    const payloads: Buffer[] = [];
    try {
      this.sock().send(message);
      for (;;) {
        for (const m of decodeMessages(this.sock().recv())) {
          if (m.seq !== seq) continue;
          if (m.type === NLMSG_DONE) return payloads;
          if (m.type === NLMSG_ERROR) {
            const errno = decodeErrno(m.payload);
            if (errno) throw new NetlinkRequestError(what, errno);
            if (single) return payloads; // the ACK after a single reply
            continue;
          }
          payloads.push(m.payload);
        }
      }
    } catch (error) {
      // Whatever the kernel had still queued for this request must not answer the next one.
      if (!(error instanceof NetlinkRequestError)) this.close();
      throw error;
    }
  }

  /** Every TCP/UDP/SCTP service with its destinations, by dumps; yields between services. */
  private async readAll(options?: IpvsReadOptions): Promise<DumpedService[]> {
    const deadline = options?.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    const family = this.family();
    const seq = this.nextSeq();
    const services = this.dump(ipvsDump(family, seq, IPVS_CMD.GET_SERVICE), seq, 'GET_SERVICE');
    const out: DumpedService[] = [];
    for (const payload of services) {
      const service = decodeService(payload);
      if (!service) continue; // a firewall-mark service: not ours, not read
      if (out.length % 16 === 15) await this.yieldToLoop();
      if (Date.now() > deadline) throw new Error(`reading the IPVS table took more than ${options?.timeoutMs} ms`);
      const dseq = this.nextSeq();
      const af = serviceFamily(payload);
      const replies = this.dump(destinationDump(family, dseq, service), dseq, `GET_DEST ${serviceKey(service)}`);
      const destinations = replies.flatMap((p) => decodeDestination(p, af) ?? []);
      service.destinations = destinations.map((d) => d.destination);
      out.push({ service, destinations });
    }
    return out;
  }
}

function result(op: IpvsOperation, errno: number): IpvsOperationResult {
  return errno ? { op, error: operationError(op, errno) } : { op };
}

function lostReplyReason(error: unknown): string {
  if (error instanceof NetlinkSocketError && error.errno === ENOBUFS)
    return `${errnoText(ENOBUFS)}: the kernel dropped the reply; the operation may or may not have been applied`;
  return `no reply from the kernel (${(error as Error).message}); the operation may or may not have been applied`;
}
