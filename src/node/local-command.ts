// `lvs-operator local --manifests DIR --node NAME`: the node agent fed from files (compose.ts),
// the same agent the in-cluster one runs from its LVSNode. Its status goes to a file only.
import { watch } from 'node:fs';
import { runNodeAgent } from './compose.js';
import { parseNodeAgentArgs, type NodeAgentOptions } from './flags.js';
import { ManifestPlanSource } from './sources/manifests.js';
import { writeStatusFile } from './status-file.js';

export interface LocalOptions extends NodeAgentOptions {
  manifests: string;
  /** The status file is local mode's only report: by default beside the state. */
  statusFile: string;
}

export function parseLocalArgs(argv: string[]): LocalOptions {
  const { options, source } = parseNodeAgentArgs('local', argv, [{ flag: 'manifests', required: 'DIR' }]);
  return {
    ...options,
    manifests: source.manifests!,
    statusFile: options.statusFile ?? `${options.stateDir}/status.json`,
  };
}

export function runLocal(options: LocalOptions): Promise<number> {
  return runNodeAgent(options, (state) => ({
    plan: new ManifestPlanSource(options.manifests, options.node, new Map(Object.entries(state.allocations))),
    report: (status) => writeStatusFile(options.statusFile, status),
    watch: (changed) => {
      const watcher = watch(options.manifests, changed);
      return () => watcher.close();
    },
    origin: { manifests: options.manifests },
  }));
}
