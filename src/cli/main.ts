// Argument parsing and dispatch. Returns a CommandResult; only src/cli.ts touches the process.
import { parseArgs } from 'node:util';
import {
  importKeepalivedCommand,
  planCommand,
  renderIpvsCommand,
  renderKeepalivedCommand,
  validateCommand,
} from './commands.js';
import { failed, type CommandResult } from './io.js';
import { required, UsageError } from '../io/flags.js';
import { USAGE } from './usage.js';
import { VERSION } from './version.js';

const OPTIONS = {
  manifests: { type: 'string' },
  node: { type: 'string' },
  output: { type: 'string', default: 'yaml' },
  namespace: { type: 'string', default: 'default' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

function dispatch(argv: string[]): CommandResult {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') return { code: 0, stdout: USAGE, stderr: '' };
  if (values.version || command === 'version') return { code: 0, stdout: `lvs-operator ${VERSION}\n`, stderr: '' };
  switch (command) {
    case 'validate':
      if (rest.length) throw new UsageError(`validate takes no arguments (got ${rest.join(' ')})`);
      return validateCommand(required(values.manifests, '--manifests DIR', 'validate'));
    case 'plan':
      if (rest.length) throw new UsageError(`plan takes no arguments (got ${rest.join(' ')})`);
      return planCommand(
        required(values.manifests, '--manifests DIR', 'plan'),
        required(values.node, '--node NAME', 'plan'),
        values.output,
      );
    case 'render': {
      const [what, ...extra] = rest;
      if (extra.length || (what !== 'ipvs' && what !== 'keepalived'))
        throw new UsageError('render needs ipvs or keepalived');
      const manifests = required(values.manifests, '--manifests DIR', `render ${what}`);
      const node = required(values.node, '--node NAME', `render ${what}`);
      return what === 'ipvs' ? renderIpvsCommand(manifests, node) : renderKeepalivedCommand(manifests, node);
    }
    case 'import-keepalived':
      return importKeepalivedCommand(rest, values.node, values.namespace);
    case undefined:
      throw new UsageError('a command is needed');
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

export function runCli(argv: string[]): CommandResult {
  try {
    return dispatch(argv);
  } catch (error) {
    return failed(error);
  }
}
