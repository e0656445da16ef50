// The client's side of the checks, in-process: the driver runs in the client's network namespace,
// so a request costs no process spawn (one curl is about 0.3 s under TCG).
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { PORT, VIP } from './env.js';

export interface Answer {
  ok: boolean;
  /** the real server that answered: the text of the page's <h1> */
  server?: string;
  error?: string;
  /** epoch ms */
  start: number;
  end: number;
}

export function serverOf(body: string): string | undefined {
  return /<h1>([^<]*)<\/h1>/.exec(body)?.[1];
}

/**
 * How long a request whose answer a check judges may take: a stop for a hung request (one that
 * nobody will ever answer), not a bound on how fast. Under TCG on a loaded host an answer can take
 * seconds; a request is lost when it fails (refused, reset, a wrong answer) or hangs past this.
 * Where the time to an answer is the figure (the crash outage), the prober gets a short timeout
 * of its own and its failures are counted, never judged.
 */
export const ANSWER_LIMIT_MS = 10_000;

/** One GET on a new TCP connection (agent: false, so IPVS schedules every request). */
export function get(url = `http://${VIP}:${PORT}/`, timeoutMs = ANSWER_LIMIT_MS): Promise<Answer> {
  const start = Date.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (answer: Omit<Answer, 'start' | 'end'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...answer, start, end: Date.now() });
    };
    // A timer over the whole request (connect included), not a socket idle timeout.
    const timer = setTimeout(() => {
      req.destroy();
      finish({ ok: false, error: `timeout ${timeoutMs} ms` });
    }, timeoutMs);
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const server = serverOf(body);
        finish(
          res.statusCode === 200 && server ? { ok: true, server } : { ok: false, error: `HTTP ${res.statusCode}` },
        );
      });
      res.on('error', (e) => finish({ ok: false, error: e.message }));
    });
    req.on('error', (e) => finish({ ok: false, error: e.message }));
    req.end();
  });
}

export async function getMany(n: number, timeoutMs = ANSWER_LIMIT_MS): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < n; i++) answers.push(await get(undefined, timeoutMs));
  return answers;
}

/** A request loop like the lab's probe.js: a new connection every gapMs after the previous answer. */
export class Prober {
  readonly answers: Answer[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(timeoutMs: number, gapMs = 20) {
    this.loop = (async () => {
      while (this.running) {
        this.answers.push(await get(undefined, timeoutMs));
        await new Promise((resolve) => setTimeout(resolve, gapMs));
      }
    })();
  }

  async stop(): Promise<ProbeSummary> {
    this.running = false;
    await this.loop;
    return summarize(this.answers);
  }
}

export interface ProbeSummary {
  requests: number;
  failed: number;
  /** the longest time between two successful answers, ms */
  longestGapMs: number;
  /** when the longest gap started, epoch ms */
  gapFrom: number;
  servers: Record<string, number>;
  firstErrors: string[];
  /** failed requests by error ("timeout 2000 ms", "read ECONNRESET", ...) */
  errors: Record<string, number>;
}

export function summarize(answers: Answer[]): ProbeSummary {
  let longestGapMs = 0;
  let gapFrom = 0;
  let lastOk: number | undefined;
  const servers: Record<string, number> = {};
  for (const a of answers) {
    if (!a.ok) continue;
    if (lastOk !== undefined && a.end - lastOk > longestGapMs) {
      longestGapMs = a.end - lastOk;
      gapFrom = lastOk;
    }
    lastOk = a.end;
    servers[a.server!] = (servers[a.server!] ?? 0) + 1;
  }
  const failedAnswers = answers.filter((a) => !a.ok);
  return {
    requests: answers.length,
    failed: failedAnswers.length,
    longestGapMs,
    gapFrom,
    servers,
    firstErrors: failedAnswers.slice(0, 3).map((a) => `${new Date(a.start).toISOString().slice(11, 23)} ${a.error}`),
    errors: failedAnswers.reduce<Record<string, number>>((n, a) => ({ ...n, [a.error!]: (n[a.error!] ?? 0) + 1 }), {}),
  };
}

/** One TCP connection to the VIP kept open (HTTP keep-alive) for requests before and after an event. */
export class HeldConnection {
  private readonly socket: Socket;
  private buffer = '';
  private readonly ready: Promise<void>;

  constructor() {
    this.socket = connect(PORT, VIP);
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => (this.buffer += chunk));
    this.socket.on('error', () => {});
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
  }

  get localPort(): number | undefined {
    return this.socket.localPort;
  }

  /** A GET on this connection; resolves with the <h1> or rejects after timeoutMs. */
  async request(timeoutMs = ANSWER_LIMIT_MS): Promise<string> {
    await this.ready;
    this.buffer = '';
    this.socket.write(`GET / HTTP/1.1\r\nHost: ${VIP}\r\n\r\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      const length = /content-length:\s*(\d+)/i.exec(this.buffer)?.[1];
      if (end >= 0 && length !== undefined && this.buffer.length >= end + 4 + Number(length)) {
        const server = serverOf(this.buffer);
        if (!server) throw new Error(`unexpected answer: ${this.buffer.slice(0, 200)}`);
        return server;
      }
      if (this.socket.destroyed) throw new Error(`connection closed (${this.buffer.length} bytes received)`);
      if (Date.now() > deadline) throw new Error(`no answer on the held connection within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
