#!/usr/bin/env node
// The lvs-operator command. The only place that exits the process.
import { runCli } from './cli/main.js';
import { UsageError } from './cli/io.js';
import { USAGE } from './cli/usage.js';
import { parseLocalArgs, runLocal } from './local/command.js';

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'local') {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(USAGE);
      return 0;
    }
    let options;
    try {
      options = parseLocalArgs(argv.slice(1));
    } catch (error) {
      const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
      process.stderr.write(`lvs-operator: ${(error as Error).message}\n${usage ? `\n${USAGE}` : ''}`);
      return usage ? 2 : 1;
    }
    const code = await runLocal(options);
    // The agent is done once runLocal returns. A read of keepalived's notify FIFO can still sit
    // in libuv's thread pool (opening a FIFO blocks until a writer appears) and would keep the
    // process alive, so local mode exits explicitly.
    process.exit(code);
  }
  const result = runCli(argv);
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return result.code;
}

process.exitCode = await main(process.argv.slice(2));
