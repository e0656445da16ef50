// What the agent must remember across restarts, in its state directory: which IPVS services and
// addresses it created (it owns only those), the sysctl values it replaced (to restore them), the
// VRIDs allocated, the generation of the plan it applied, and what left the plan but is still kept
// (draining destinations, a real server's retiring VIPs, tunnels and sysctls) since when, so that a
// restarted agent goes on with the same timeouts. Written atomically (src/io/write-file-atomic.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/write-file-atomic.js';
import type { AddressPlan, SysctlPlan, TunnelPlan } from '../core/api/objects.js';
import type { Retiring } from './retiring.js';

/** One kind of a real server's items: what the last pass applied, and which of it left the plan since when. */
export interface RetiringRecord<T> {
  applied: T[];
  since: Record<string, Retiring<T>>;
}

/** What left the plan and is still kept. */
export interface KeptState {
  /** Destinations kept at weight 0 while their connections end: drainKey -> epoch ms they left the plan. */
  draining: Record<string, number>;
  addresses: RetiringRecord<AddressPlan>;
  tunnels: RetiringRecord<TunnelPlan>;
  sysctls: RetiringRecord<SysctlPlan>;
}

export interface AgentState {
  /** Bumped whenever the plan changes. */
  generation: number;
  /** The generation of the last pass that converged everything. */
  appliedGeneration: number;
  /** SHA-256 (hex) of the JSON of the last plan applied, to tell a new plan from the same one (local mode; the in-cluster agent goes by its LVSNode's generation). */
  specDigest: string;
  ownedServices: string[];
  ownedAddresses: AddressPlan[];
  /** sysctl name -> the value it had before the agent first changed it. */
  sysctlOriginals: Record<string, string>;
  allocations: Record<string, number>;
  /** Whether the agent started the IPVS sync daemons (so it stops them when the plan drops them). */
  syncDaemons: boolean;
  kept: KeptState;
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
  kept: {
    draining: {},
    addresses: { applied: [], since: {} },
    tunnels: { applied: [], since: {} },
    sysctls: { applied: [], since: {} },
  },
};

/** A state file written by an agent of before (no kept, or part of it) reads as nothing kept. */
export function readState(stateDir: string): AgentState {
  try {
    const read = JSON.parse(readFileSync(join(stateDir, 'agent-state.json'), 'utf8')) as Partial<AgentState>;
    const empty = structuredClone(EMPTY_STATE);
    return { ...empty, ...read, kept: { ...empty.kept, ...read.kept } };
  } catch {
    return structuredClone(EMPTY_STATE);
  }
}

export function writeState(stateDir: string, state: AgentState): void {
  writeFileAtomic(join(stateDir, 'agent-state.json'), JSON.stringify(state, null, 2) + '\n');
}
