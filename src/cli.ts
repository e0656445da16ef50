#!/usr/bin/env node
// The lvs-operator command. The only place that exits the process.
import { runCli } from './cli/main.js';

const result = runCli(process.argv.slice(2));
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.code;
