// What the agent must remember across restarts, in its state directory: which IPVS services and
// addresses it created (it owns only those), the sysctl values it replaced (to restore them), the
// VRIDs allocated, and the generation of the plan it applied. Written atomically (src/io/write-file-atomic.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/write-file-atomic.js';
import type { AddressPlan } from '../core/api/objects.js';

export interface AgentState {
  /** Bumped whenever the plan changes. */
  generation: number;
  /** The generation of the last pass that converged everything. */
  appliedGeneration: number;
  /** JSON of the last plan applied, to tell a new plan from the same one. */
  specDigest: string;
  ownedServices: string[];
  ownedAddresses: AddressPlan[];
  /** sysctl name -> the value it had before the agent first changed it. */
  sysctlOriginals: Record<string, string>;
  allocations: Record<string, number>;
  /** Whether the agent started the IPVS sync daemons (so it stops them when the plan drops them). */
  syncDaemons: boolean;
}

export const EMPTY_STATE: AgentState = {
  generation: 0,
  appliedGeneration: 0,
  specDigest: '',
  ownedServices: [],
  ownedAddresses: [],
  sysctlOriginals: {},
  allocations: {},
  syncDaemons: false,
};

export function readState(stateDir: string): AgentState {
  try {
    return {
      ...EMPTY_STATE,
      ...(JSON.parse(readFileSync(join(stateDir, 'agent-state.json'), 'utf8')) as Partial<AgentState>),
    };
  } catch {
    return structuredClone(EMPTY_STATE);
  }
}

export function writeState(stateDir: string, state: AgentState): void {
  writeFileAtomic(join(stateDir, 'agent-state.json'), JSON.stringify(state, null, 2) + '\n');
}
