// The agent's HealthTracker (../health.ts): the health monitor's checks with keepalived's
// semantics, and the table they imply. The quorum state lives here, beside the checks it comes
// from: whether a service's quorum is up depends on the last verdict too (keepalived's
// quorum_up/quorum_down hysteresis, see quorum.ts), so each table is computed from the one before.
import type { HealthTracker } from './health-tracker.js';
import { HealthMonitor, type HealthMonitorOptions } from './health-monitor.js';
import { applyHealth, type QuorumState } from './overlay.js';

/** options: onCheck sees every verdict (metrics); clock and checker are for tests. */
export function createHealthTracker(options: HealthMonitorOptions = {}): HealthTracker {
  const monitor = new HealthMonitor(options);
  let quorumState: QuorumState = new Map();
  return {
    update: (services) => monitor.update(services),
    table: (services) => {
      const result = applyHealth(services, monitor.health(), quorumState);
      quorumState = result.quorumState;
      return result.table;
    },
    snapshot: () => monitor.snapshot(),
    onChange: (listener) => void monitor.onChange(() => listener()),
    stop: () => monitor.stop(),
  };
}
