// keepalived's quorum with hysteresis (check/ipwrapper.c update_quorum_state), pure. A service is
// "up" while the total weight of its healthy destinations is enough; below it, the directors
// serve only the sorry server (if any).
import type { ServicePlan } from '../../core/api/objects.js';

/**
 * The next quorum state from the healthy weight and the previous state.
 * - up stays up while the weight is at least minimum - hysteresis (and not 0);
 * - down (or never evaluated, as keepalived's start-up test) becomes up at minimum + hysteresis;
 * - a weight of 0 is never quorum, whatever the hysteresis (keepalived's `!weight_sum`).
 */
export function nextQuorumUp(quorum: ServicePlan['quorum'], healthyWeight: number, previousUp?: boolean): boolean {
  const minimum = quorum?.minimum ?? 1;
  const hysteresis = quorum?.hysteresis ?? 0;
  if (healthyWeight <= 0) return false;
  return previousUp === true ? healthyWeight >= minimum - hysteresis : healthyWeight >= minimum + hysteresis;
}
