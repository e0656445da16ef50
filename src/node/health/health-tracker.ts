// The agent's view of health checking: which destinations are up, and the IPVS table that
// follows from it (inhibited or removed failures, the sorry server, quorum). Implemented by
// src/health; an interface here so the loop can be tested with a fake.
import type { DestinationHealth, ServicePlan } from '../../core/api/objects.js';
import type { IpvsTable } from '../../core/ipvs/model.js';

export interface HealthTracker {
  /** Starts, reconfigures or stops checks to match the planned services. */
  update(services: ServicePlan[]): void;
  /** The table to program: the plan with health applied. */
  table(services: ServicePlan[]): IpvsTable;
  snapshot(): DestinationHealth[];
  /** Called at once on every up/down transition. */
  onChange(listener: () => void): void;
  stop(): void;
}
