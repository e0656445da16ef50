// What a command gives back: its output and its exit status. Commands never exit the process
// themselves (only src/cli.ts does), so tests run them in-process.
import { isUsageError } from '../io/flags.js';
import { USAGE } from './usage.js';

/** 0 success, 1 invalid input (messages on stderr), 2 usage error. */
export type ExitCode = 0 | 1 | 2;

export interface CommandResult {
  code: ExitCode;
  stdout: string;
  stderr: string;
}

export function lines(messages: readonly string[]): string {
  return messages.map((m) => `${m}\n`).join('');
}

/**
 * What every command, short or long-running, gives back for an error it throws: a usage error
 * (a UsageError, or parseArgs's refusal of an option) prints the usage and exits 2; anything else
 * is bad input the command could not get past (an unreadable directory, a config it cannot
 * render, a state directory it cannot create): say what and exit 1.
 */
export function failed(error: unknown): CommandResult {
  const message = `lvs-operator: ${(error as Error).message}\n`;
  return isUsageError(error)
    ? { code: 2, stdout: '', stderr: `${message}\n${USAGE}` }
    : { code: 1, stdout: '', stderr: message };
}
