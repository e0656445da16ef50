// The in-cluster agent's plan: its LVSNode's spec, as the informer last saw it. The last plan is
// also kept on disk, so that an agent that starts while the API server is unreachable keeps the
// node as it was (rather than tearing it down for want of a plan), and catches up once it answers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/write-file-atomic.js';
import type { LVSNode, LVSNodeSpec } from '../../core/api/objects.js';

interface KeptPlan {
  generation: number;
  spec: LVSNodeSpec;
}

export class ClusterPlanSource {
  private kept: KeptPlan | undefined;
  private readonly file: string;

  constructor(stateDir: string) {
    this.file = join(stateDir, 'plan.json');
    try {
      this.kept = JSON.parse(readFileSync(this.file, 'utf8')) as KeptPlan;
    } catch {
      this.kept = undefined;
    }
  }

  /**
   * What the API server says now: the node's LVSNode, or undefined once a list has shown there is
   * none (the node takes part in nothing: an empty plan).
   */
  update(lvsNode: LVSNode | undefined): void {
    const next: KeptPlan = { generation: lvsNode?.metadata.generation ?? 0, spec: lvsNode?.spec ?? {} };
    const text = JSON.stringify(next);
    if (this.kept && JSON.stringify(this.kept) === text) return;
    this.kept = next;
    writeFileAtomic(this.file, text + '\n');
  }

  /** The plan to apply; undefined when there is none yet (nothing is touched then). */
  read(): { spec: LVSNodeSpec; messages: string[]; generation: number } | undefined {
    return this.kept && { spec: this.kept.spec, messages: [], generation: this.kept.generation };
  }
}
