// Command-line flags shared by every command (the CLI's and the long-running ones'): the usage
// error and the checks of flag values, each refusal naming the flag and the value. Here rather
// than in src/cli because the node agent, the controller and the metrics address parse flags
// too, and nothing may import the CLI.

/** Bad command-line input: the command prints the usage and exits 2. */
export class UsageError extends Error {}

/**
 * Whether an error is bad command-line input: a UsageError, or node:util parseArgs's TypeError
 * for an unknown or malformed option (codes ERR_PARSE_ARGS_*).
 */
export function isUsageError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
}

/** A flag the command cannot run without. */
export function required(value: string | undefined, flag: string, command: string): string {
  if (value === undefined || value === '') throw new UsageError(`${command} needs ${flag}`);
  return value;
}

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
