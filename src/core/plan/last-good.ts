// Validate, keep the last good version, plan: the pipeline the controller (src/cluster/desired.ts)
// and local mode (src/node/sources/manifests.ts) both run on every pass. Pure.
//
// Nothing is lost to bad input. The rule, the same for both: an object keeps its last valid
// version for as long as it has not been deleted, that is while it is present but invalid, or
// while what it came from cannot be read (local mode: a file that stops parsing, half-saved by an
// editor, may still hold it). A kept version is checked again beside today's objects, which it may
// clash with; one that does not pass is not kept after all, and is forgotten. An object that is
// gone (deleted, or removed from a file that reads) is gone with its last valid version. The last
// valid versions handed to the next pass are the objects planned: every valid one and every kept one.
import { objectRef, type ManifestObject } from '../api/objects.js';
import {
  validateObjects,
  type ValidationError,
  type ValidationMemo,
  type ValidObjectSet,
} from '../api/validate/index.js';
import { plan, type PlanResult } from './plan.js';

/** The identity of an object across passes: `Kind namespace/name` in one string. */
export const lastGoodKey = (o: ManifestObject): string => `${o.kind}/${objectRef(o)}`;

export interface LastGoodInput {
  /** The objects as they are now. */
  objects: readonly ManifestObject[];
  /** What the previous pass returned as lastGood (empty on the first). */
  lastGood: ReadonlyMap<string, ManifestObject>;
  /** Whether what this last valid version came from could not be read now (local mode's broken files). */
  unreadable?: (lastGood: ManifestObject) => boolean;
  /** The controller's memo of objects already checked, by resourceVersion (validate/index.ts). */
  memo?: ValidationMemo;
}

export interface CheckedKeepingLastGood {
  /** What to plan: today's valid objects and the last valid versions kept. */
  valid: ValidObjectSet;
  /** The problems of today's objects (errors and warnings). */
  errors: ValidationError[];
  /** The last valid versions in `valid`, of objects that are invalid or unreadable now. */
  kept: ManifestObject[];
  /** For the next pass. */
  lastGood: Map<string, ManifestObject>;
}

export function validateKeepingLastGood(input: LastGoodInput): CheckedKeepingLastGood {
  const checked = validateObjects(input.objects, input.memo);
  const valid = [...all(checked.valid)];
  const validKeys = new Set(valid.map(lastGoodKey));
  const present = new Set(input.objects.map(lastGoodKey));
  const candidates: ManifestObject[] = [];
  for (const [key, object] of input.lastGood) {
    if (validKeys.has(key)) continue;
    if (present.has(key) || input.unreadable?.(object)) candidates.push(object);
  }
  // Without a candidate the first validation already gave the set: a resync does not pay twice.
  const set = candidates.length ? validateObjects([...valid, ...candidates], input.memo).valid : checked.valid;
  const planned = new Map([...all(set)].map((o) => [lastGoodKey(o), o]));
  const kept = candidates.filter((o) => planned.has(lastGoodKey(o)));
  return { valid: set, errors: checked.errors, kept, lastGood: planned };
}

/** validateKeepingLastGood, then the plan of what it keeps. */
export function planKeepingLastGood(
  input: LastGoodInput,
  previousAllocations?: ReadonlyMap<string, number>,
): CheckedKeepingLastGood & { result: PlanResult } {
  const checked = validateKeepingLastGood(input);
  return { ...checked, result: plan(checked.valid, previousAllocations) };
}

function* all(set: ValidObjectSet): Iterable<ManifestObject> {
  yield* set.virtualServices;
  yield* set.realServers;
  yield* set.nodes;
  yield* set.secrets;
  yield* set.lvsNodes;
}
