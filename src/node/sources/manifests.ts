// Local mode's source of desired state: the manifests directory, validated and planned for one
// node; or, when the directory holds the node's LVSNode, that LVSNode's spec as it is. Nothing is
// lost to bad input: an object that turns invalid, or whose file stops parsing, is replaced by its
// last valid version (the controller's rule too: src/core/plan/last-good.ts), so the data plane
// keeps its last good state while the errors are reported.
import { sourceOf } from '../../core/api/load.js';
import { loadManifestDir } from '../../io/manifest-dir.js';
import type { LVSNodeSpec, ManifestObject } from '../../core/api/objects.js';
import { formatError } from '../../core/api/validate/errors.js';
import { lastGoodKey, validateKeepingLastGood } from '../../core/plan/last-good.js';
import { plan } from '../../core/plan/plan.js';
import { formatProblem } from '../../core/plan/problems.js';

export interface PlannedNode {
  spec: LVSNodeSpec;
  /** Errors and warnings, one line each; errors mean some object kept its last good version or was left out. */
  messages: string[];
  /** The VRIDs allocated so far, for the agent's state (kept across restarts). */
  allocations: Record<string, number>;
}

export class ManifestPlanSource {
  private lastGood = new Map<string, ManifestObject>();

  constructor(
    private readonly dir: string,
    private readonly node: string,
    /** VRIDs allocated so far, by VirtualService; kept by the caller across restarts. */
    public allocations: Map<string, number> = new Map(),
  ) {}

  read(): PlannedNode {
    const loaded = loadManifestDir(this.dir);
    const brokenFiles = new Set(loaded.errors.map((e) => e.file).filter((f): f is string => f !== undefined));
    const checked = validateKeepingLastGood({
      objects: loaded.objects,
      lastGood: this.lastGood,
      unreadable: (object) => brokenFiles.has(sourceOf(object)?.file ?? ''),
    });
    this.lastGood = checked.lastGood;
    const messages = [...loaded.errors, ...checked.errors].map(formatError);
    for (const object of checked.kept)
      messages.push(`${lastGoodKey(object)}: keeping its last valid version until the errors above are fixed`);
    const set = checked.valid;
    // The node's own LVSNode (what the controller writes, and the in-cluster agent applies) is
    // taken as it is: no planning.
    const lvsNode = set.lvsNodes.find((n) => n.metadata.name === this.node);
    if (lvsNode) return { spec: lvsNode.spec ?? {}, messages, allocations: Object.fromEntries(this.allocations) };
    const result = plan(set, this.allocations);
    this.allocations = result.allocations;
    messages.push(...result.problems.map(formatProblem));
    return { spec: result.nodes.get(this.node) ?? {}, messages, allocations: Object.fromEntries(this.allocations) };
  }
}
