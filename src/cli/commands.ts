// The CLI's commands as functions from parsed arguments to a CommandResult.
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { API_VERSION, type LVSNode, type LVSNodeSpec } from '../core/api/objects.js';
import { renderSave } from '../core/ipvs/save-format.js';
import { tableFromPlan } from '../core/ipvs/from-plan.js';
import { renderKeepalivedConf } from '../core/keepalived/render.js';
import { importKeepalivedFiles } from './import-keepalived.js';
import { checkManifests, planManifests } from './manifests.js';
import { lines, type CommandResult } from './io.js';
import { UsageError } from '../io/flags.js';

function result(stdout: string, messages: string[], hasErrors: boolean): CommandResult {
  return { code: hasErrors ? 1 : 0, stdout, stderr: lines(messages) };
}

export function validateCommand(manifests: string): CommandResult {
  const checked = checkManifests(manifests);
  const counts = Object.entries(checked.valid).map(([kind, list]) => `${list.length} ${kind}`);
  return result(`valid: ${counts.join(', ')}\n`, checked.messages, checked.hasErrors);
}

/** The node's plan; a node that takes part in nothing gets an empty spec and a note. */
function nodeSpec(manifests: string, node: string): { spec: LVSNodeSpec; messages: string[]; hasErrors: boolean } {
  const planned = planManifests(manifests);
  const spec = planned.result.nodes.get(node);
  const messages = spec
    ? planned.messages
    : [...planned.messages, `note: node ${node} takes part in no virtual service`];
  return { spec: spec ?? {}, messages, hasErrors: planned.hasErrors };
}

export function planCommand(manifests: string, node: string, output: string): CommandResult {
  if (output !== 'yaml' && output !== 'json') throw new UsageError(`--output must be yaml or json (got ${output})`);
  const { spec, messages, hasErrors } = nodeSpec(manifests, node);
  const lvsNode: LVSNode = { apiVersion: API_VERSION, kind: 'LVSNode', metadata: { name: node }, spec };
  const text = output === 'json' ? `${JSON.stringify(lvsNode, null, 2)}\n` : stringify(lvsNode, { lineWidth: 0 });
  return result(text, messages, hasErrors);
}

export function renderIpvsCommand(manifests: string, node: string): CommandResult {
  const { spec, messages, hasErrors } = nodeSpec(manifests, node);
  return result(renderSave(tableFromPlan(spec)), messages, hasErrors);
}

export function renderKeepalivedCommand(manifests: string, node: string): CommandResult {
  const { spec, messages, hasErrors } = nodeSpec(manifests, node);
  return result(renderKeepalivedConf(spec, { nodeName: node }), messages, hasErrors);
}

export function importKeepalivedCommand(files: string[], node: string | undefined, namespace: string): CommandResult {
  if (files.length === 0) throw new UsageError('import-keepalived needs at least one FILE');
  if (node !== undefined && files.length > 1)
    throw new UsageError(
      '--node names the director of a single FILE; with several files each is named by its router_id',
    );
  return importKeepalivedFiles(files, { node, namespace, readFile: (p) => readFileSync(p, 'utf8') });
}
