// metav1.Condition handling: a condition keeps its lastTransitionTime while its status stays the
// same (reason and message may change), as kubebuilder's meta.SetStatusCondition does.
import type { VirtualServiceStatus } from './generated/virtualservice.js';
/** metav1.Condition, as the CRDs' status schemas give it (the same for every kind). */
export type Condition = NonNullable<VirtualServiceStatus['conditions']>[number];

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/** The new conditions, in the given order, carrying over lastTransitionTime where status did not change. */
export function mergeConditions(
  previous: readonly Condition[] | undefined,
  next: readonly ConditionInput[],
  now: string,
): Condition[] {
  return next.map((c) => {
    const before = previous?.find((p) => p.type === c.type);
    const since = before && before.status === c.status ? before.lastTransitionTime : now;
    return { ...c, message: truncate(c.message), lastTransitionTime: since };
  });
}

/** The CRDs cap a message at 32768 characters. */
const MAX_MESSAGE = 32_768;
function truncate(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 3)}...` : message;
}

export function condition(
  type: string,
  ok: boolean,
  reason: string,
  message: string,
  generation: number | undefined,
): ConditionInput {
  return { type, status: ok ? 'True' : 'False', reason, message, observedGeneration: generation };
}
