// Checks of the long-running commands' numeric flags, each refusal naming the flag and the value.
import { UsageError } from '../cli/io.js';

/** A number of seconds >= 1 (fractions allowed: tests run with short periods). */
export function periodSeconds(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 1) throw new UsageError(`${flag} must be a number >= 1 (got ${value})`);
  return n;
}

/** A whole number >= 0. */
export function wholeSeconds(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a whole number >= 0 (got ${value})`);
  return n;
}

/** Refuses positional arguments for a command that takes none. */
export function noArguments(command: string, positionals: readonly string[]): void {
  if (positionals.length) throw new UsageError(`${command} takes no arguments (got ${positionals.join(' ')})`);
}
