// Local mode's source of desired state: the manifests directory, validated and planned for one
// node; or, when the directory holds the node's LVSNode, that LVSNode's spec as it is. Nothing is lost to bad input: an object that turns invalid, or whose file stops parsing,
// is replaced by its last valid version, so the data plane keeps its last good state while the
// errors are reported.
import { loadManifestDir, sourceOf } from '../../core/api/load.js';
import { objectRef, type LVSNodeSpec, type ManifestObject } from '../../core/api/objects.js';
import { formatError } from '../../core/api/validate/errors.js';
import { validateObjects } from '../../core/api/validate/index.js';
import { plan } from '../../core/plan/plan.js';
import { formatProblem } from '../../core/plan/problems.js';

export interface PlannedNode {
  spec: LVSNodeSpec;
  /** Errors and warnings, one line each; errors mean some object kept its last good version or was left out. */
  messages: string[];
  /** The VRIDs allocated so far, for the agent's state (kept across restarts). */
  allocations: Record<string, number>;
}

const keyOf = (o: ManifestObject) => `${o.kind}/${objectRef(o)}`;

export class ManifestPlanSource {
  private readonly lastGood = new Map<string, ManifestObject>();

  constructor(
    private readonly dir: string,
    private readonly node: string,
    /** VRIDs allocated so far, by VirtualService; kept by the caller across restarts. */
    public allocations: Map<string, number> = new Map(),
  ) {}

  read(): PlannedNode {
    const loaded = loadManifestDir(this.dir);
    const checked = validateObjects(loaded.objects);
    const messages = [...loaded.errors, ...checked.errors].map(formatError);
    const valid: ManifestObject[] = [
      ...checked.valid.virtualServices,
      ...checked.valid.realServers,
      ...checked.valid.nodes,
      ...checked.valid.secrets,
      ...checked.valid.lvsNodes,
    ];
    const validKeys = new Set(valid.map(keyOf));
    const presentKeys = new Set(loaded.objects.map(keyOf));
    const brokenFiles = new Set(loaded.errors.map((e) => e.file).filter((f): f is string => f !== undefined));
    let kept = 0;
    for (const [key, object] of this.lastGood) {
      if (validKeys.has(key)) continue;
      const rejected = presentKeys.has(key);
      const fileBroke = brokenFiles.has(sourceOf(object)?.file ?? '');
      if (rejected || fileBroke) {
        valid.push(object);
        kept += 1;
        messages.push(`${key}: keeping its last valid version until the errors above are fixed`);
      }
    }
    this.lastGood.clear();
    for (const object of valid) this.lastGood.set(keyOf(object), object);

    // Kept versions are checked again beside today's objects (they may clash with them); without
    // any, the first validation already gave the set, and a resync does not pay for it twice.
    const set = kept ? validateObjects(valid).valid : checked.valid;
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
