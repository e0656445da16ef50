// What every checker returns. Checkers never throw: a check that cannot even start (a bad
// address, an invalid header) is a failed check with the reason in `message`, so the scheduler
// has one path for every kind of failure.
import { performance } from 'node:perf_hooks';

export interface CheckResult {
  ok: boolean;
  /** Why it passed or failed, for LVSNode status (`connected`, `HTTP 503, expected 200`, ...). */
  message: string;
  /** Milliseconds from the start of the check to its verdict. */
  latencyMs: number;
}

/** A stopwatch started now; `result` stamps a verdict with the time since. */
export function startCheck(): { result(ok: boolean, message: string): CheckResult } {
  const started = performance.now();
  return {
    result: (ok, message) => ({ ok, message, latencyMs: Math.round((performance.now() - started) * 10) / 10 }),
  };
}

export function errorMessage(error: unknown): string {
  // trimmed: OpenSSL messages end in a newline, and status messages are one line
  return (error instanceof Error ? error.message : String(error)).trim();
}
