#!/usr/bin/env node
// The lvs-operator command. The only place that exits the process.
import { failed, runCli } from './cli/main.js';
import { USAGE } from './cli/usage.js';
import { parseLocalArgs, runLocal } from './node/local-command.js';
import { parseAgentArgs, runClusterAgent } from './node/agent-command.js';
import { parseControllerArgs, runController } from './cluster/command.js';

/** The long-running commands: each parses its own flags and runs until a signal. */
const DAEMONS: Record<string, (argv: string[]) => Promise<number>> = {
  local: (argv) => runLocal(parseLocalArgs(argv)),
  agent: (argv) => runClusterAgent(parseAgentArgs(argv)),
  controller: (argv) => runController(parseControllerArgs(argv)),
};

async function main(argv: string[]): Promise<number> {
  const daemon = DAEMONS[argv[0] ?? ''];
  if (daemon) {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(USAGE);
      return 0;
    }
    let code: number;
    try {
      code = await daemon(argv.slice(1));
    } catch (error) {
      const result = failed(error);
      process.stderr.write(result.stderr);
      return result.code;
    }
    // The daemon is done once it returns. A read of keepalived's notify FIFO can still sit in
    // libuv's thread pool (opening a FIFO blocks until a writer appears), and sockets may linger,
    // so the process exits explicitly.
    process.exit(code);
  }
  const result = runCli(argv);
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return result.code;
}

process.exitCode = await main(process.argv.slice(2));
