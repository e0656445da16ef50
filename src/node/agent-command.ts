// `lvs-operator agent --node NAME`: the node agent in the cluster (compose.ts). It watches its own
// LVSNode (a field selector on the name: it reads no other), applies it as local mode applies its
// files, and writes what it applied and sees into the LVSNode's status. The data plane, VRRP and
// the health checks do not depend on the API server: while it is unreachable the last plan stays
// applied.
import type { LVSNode } from '../core/api/objects.js';
import { jsonLog as log } from '../io/log.js';
import { KubeClient } from '../kube/client.js';
import { Informer } from '../kube/informer.js';
import { LVS_NODES } from '../kube/resources.js';
import { runNodeAgent } from './compose.js';
import { parseNodeAgentArgs, type NodeAgentOptions } from './flags.js';
import { ClusterPlanSource } from './sources/lvsnode.js';
import { StatusWriter } from './sources/lvsnode-status.js';
import { leavingNode, parseNodeLabels } from './sources/node-membership.js';
import { writeStatusFile } from './status-file.js';

export interface ClusterAgentOptions extends NodeAgentOptions {
  kubeconfig?: string;
  /** The labels that place the agent on its node (the DaemonSet's affinity): a node with none left means a SIGTERM is for good. */
  nodeLabels?: string[];
}

export function parseAgentArgs(argv: string[]): ClusterAgentOptions {
  const { options, source } = parseNodeAgentArgs('agent', argv, [{ flag: 'kubeconfig' }, { flag: 'node-labels' }]);
  const nodeLabels = source['node-labels'] === undefined ? undefined : parseNodeLabels(source['node-labels']);
  return { ...options, kubeconfig: source.kubeconfig, nodeLabels };
}

export async function runClusterAgent(options: ClusterAgentOptions): Promise<number> {
  const client = await KubeClient.load(options.kubeconfig);
  return runNodeAgent(options, () => {
    const plan = new ClusterPlanSource(options.stateDir);
    const status = new StatusWriter(client, options.node, log);
    const informer = new Informer<LVSNode>(client, LVS_NODES, { fieldSelector: `metadata.name=${options.node}`, log });
    return {
      plan,
      report: (s) => {
        status.write(s);
        // A copy readable on the node without the API server.
        if (options.statusFile) writeStatusFile(options.statusFile, s);
      },
      watch: (changed) => {
        informer.onChange(() => {
          plan.update(informer.get(options.node));
          changed();
        });
        informer.start();
        return () => informer.stop();
      },
      origin: { server: client.server.origin },
      leaving: options.nodeLabels && (() => leavingNode(client, options.node, options.nodeLabels!, log)),
      // The report of the pass that cleared the node lets the controller delete its LVSNode.
      settled: () => status.settled(5_000),
      stop: () => status.stop(),
    };
  });
}
