// What the planner could not plan, named the way every lvs-operator error is: the object, the
// field path and the bad value. A problem drops only the object it names; the rest is planned.

export interface PlanProblem {
  /** Kind and namespace/name, e.g. "VirtualService default/web". */
  object: string;
  /** Path of the offending field, e.g. "spec.vrrp.virtualRouterID". */
  field: string;
  value: unknown;
  message: string;
}

export function formatProblem(p: PlanProblem): string {
  return `${p.object}: ${p.field}: ${p.message} (got ${JSON.stringify(p.value)})`;
}
