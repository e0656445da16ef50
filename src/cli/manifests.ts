// Loading and validating a manifests directory: the shared first step of validate, plan and render.
import { loadManifestDir } from '../io/manifest-dir.js';
import type { ObjectSet } from '../core/api/objects.js';
import { formatError, type ValidationError } from '../core/api/validate/errors.js';
import { validateObjects } from '../core/api/validate/index.js';
import { plan, type PlanResult } from '../core/plan/plan.js';
import { formatProblem } from '../core/plan/problems.js';

export interface CheckedManifests {
  valid: ObjectSet;
  /** One line per problem, errors and warnings, for stderr. */
  messages: string[];
  /** True when any object was rejected: the command still works on the others, then exits 1. */
  hasErrors: boolean;
}

export function checkManifests(dir: string): CheckedManifests {
  const loaded = loadManifestDir(dir);
  const { valid, errors } = validateObjects(loaded.objects);
  const all: ValidationError[] = [...loaded.errors, ...errors];
  return { valid, messages: all.map(formatError), hasErrors: all.some((e) => e.severity === 'error') };
}

/** Validates, then plans the valid objects; planning problems count as errors too. */
export function planManifests(dir: string): CheckedManifests & { result: PlanResult } {
  const checked = checkManifests(dir);
  const result = plan(checked.valid);
  return {
    ...checked,
    result,
    messages: [...checked.messages, ...result.problems.map(formatProblem)],
    hasErrors: checked.hasErrors || result.problems.length > 0,
  };
}
