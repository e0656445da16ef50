// What a command gives back: its output and its exit status. Commands never exit the process
// themselves (only src/cli.ts does), so tests run them in-process.

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
