#!/usr/bin/env node
// The lvs-operator command. The only place that exits the process.
//
// Each command's code is imported when that command runs: the agent on a node holds only what it
// uses (no planner, YAML parser or kubeconfig loader in the in-cluster agent), which is most of
// its resident memory (issue 15). The bundle keeps these imports lazy.
import { failed } from './cli/io.js';
import { USAGE } from './cli/usage.js';

/** The long-running commands: each parses its own flags and runs until a signal. */
const DAEMONS: Record<string, (argv: string[]) => Promise<number>> = {
  local: async (argv) => {
    const { parseLocalArgs, runLocal } = await import('./node/local-command.js');
    return runLocal(parseLocalArgs(argv));
  },
  agent: async (argv) => {
    const { parseAgentArgs, runClusterAgent } = await import('./node/agent-command.js');
    return runClusterAgent(parseAgentArgs(argv));
  },
  controller: async (argv) => {
    const { parseControllerArgs, runController } = await import('./cluster/command.js');
    return runController(parseControllerArgs(argv));
  },
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
  const { runCli } = await import('./cli/main.js');
  const result = runCli(argv);
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return result.code;
}

process.exitCode = await main(process.argv.slice(2));
