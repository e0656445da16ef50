// What the planner could not plan, in the shape of every lvs-operator input error: the object, the
// field path and the bad value. A problem drops only the object it names; the rest is planned.
import { formatError, type ValidationError } from '../api/validate/errors.js';

export type PlanProblem = Omit<ValidationError, 'severity' | 'file'>;

export function formatProblem(p: PlanProblem): string {
  return formatError({ severity: 'error', ...p });
}
