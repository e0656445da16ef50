// What the cluster should hold, from what it holds: the planner's LVSNode specs for the world's
// valid objects, which LVSNodes must go, and the problems to report on each object. Pure.
//
// Nothing is lost to bad input: an object the checks refuse (the API server lets a few semantic
// errors through, see the invalid-object envtest) is replaced by its last valid version, by the
// rule local mode follows too (src/core/plan/last-good.ts), so every node keeps its last good plan
// while the object's condition names the field and the value. The last valid versions live in the
// controller's memory, as in local mode.
import {
  objectRef,
  type LVSNode,
  type LVSNodeSpec,
  type ManifestObject,
  type ObjectSet,
  type VirtualService,
} from '../core/api/objects.js';
import {
  formatError,
  type ValidationError,
  type ValidationMemo,
  type ValidObjectSet,
} from '../core/api/validate/index.js';
import { planKeepingLastGood } from '../core/plan/last-good.js';
import { isDeleting, type World } from './world.js';

export interface ObjectProblems {
  errors: string[];
  warnings: string[];
  /** The object is invalid and its last valid version is in use. */
  keptLastGood: boolean;
}

export interface Desired {
  /** The LVSNode spec of every node that takes part, by node name. */
  specs: Map<string, LVSNodeSpec>;
  /** LVSNodes whose node takes part no more: 'empty' until its agent has applied an empty plan, then 'delete'. */
  retire: Map<string, 'empty' | 'delete'>;
  /** VRID per VirtualService (namespace/name). */
  allocations: Map<string, number>;
  /** Problems by object label (`Kind namespace/name`). */
  problems: Map<string, ObjectProblems>;
  /** The objects the plan was made from (current valid versions, or last good ones). */
  planned: ObjectSet;
  /** Last valid version of every object, to pass to the next call. */
  lastGood: Map<string, ManifestObject>;
}

export const labelOf = (o: { kind: string; metadata: { name?: string; namespace?: string } }) =>
  `${o.kind} ${objectRef(o)}`;

export function desiredState(
  world: World,
  lastGood: ReadonlyMap<string, ManifestObject>,
  memo?: ValidationMemo,
): Desired {
  // A VirtualService being deleted is planned away: that is how its finalizer's cleanup happens.
  const live: ManifestObject[] = [
    ...world.virtualServices.filter((vs) => !isDeleting(vs)),
    ...world.realServers,
    ...world.nodes,
    ...world.secrets,
  ];
  const checked = planKeepingLastGood({ objects: live, lastGood, memo }, previousAllocations(world.virtualServices));
  memo?.sweep();
  const problems = new Map<string, ObjectProblems>();
  const problemsOf = (label: string) => {
    let p = problems.get(label);
    if (!p) problems.set(label, (p = { errors: [], warnings: [], keptLastGood: false }));
    return p;
  };
  for (const e of checked.errors) {
    const p = problemsOf(e.object);
    (e.severity === 'warning' ? p.warnings : p.errors).push(withoutObject(e));
  }
  for (const object of checked.kept) problemsOf(labelOf(object)).keptLastGood = true;

  const result = checked.result;
  for (const problem of result.problems) {
    const p = problemsOf(problem.object);
    p.errors.push(withoutObject({ ...problem, severity: 'error' }));
  }

  const nodeNames = new Set(world.nodes.map((n) => n.metadata.name));
  const retire = new Map<string, 'empty' | 'delete'>();
  for (const lvsNode of world.lvsNodes) {
    const name = lvsNode.metadata.name ?? '';
    if (result.nodes.has(name)) continue;
    retire.set(name, !nodeNames.has(name) || cleanedUp(lvsNode) ? 'delete' : 'empty');
  }
  return {
    specs: result.nodes,
    retire,
    allocations: result.allocations,
    problems,
    planned: withoutLvsNodes(checked.valid),
    lastGood: checked.lastGood,
  };
}

/** VRIDs given before, read back from the VirtualServices' status: they never move. */
export function previousAllocations(virtualServices: readonly VirtualService[]): Map<string, number> {
  const allocations = new Map<string, number>();
  for (const vs of virtualServices) {
    const vrid = vs.status?.virtualRouterID;
    if (vrid !== undefined) allocations.set(objectRef(vs), vrid);
  }
  return allocations;
}

/**
 * An LVSNode whose spec is empty and applied, and whose agent keeps nothing while directors drain:
 * it has removed everything. One whose agent never reported has nothing to remove.
 */
function cleanedUp(lvsNode: LVSNode): boolean {
  if (neverReported(lvsNode)) return true;
  return isEmptySpec(lvsNode.spec) && applied(lvsNode) && !retiring(lvsNode);
}

/** No agent has ever written this LVSNode's status: nothing of it was ever programmed. */
export function neverReported(lvsNode: LVSNode): boolean {
  return lvsNode.status?.appliedGeneration === undefined;
}

export function isEmptySpec(spec: LVSNodeSpec | undefined): boolean {
  return spec === undefined || Object.keys(spec).length === 0;
}

/**
 * An LVSNode spec holds something of a VirtualService: its IPVS service or VRRP instance (a
 * director), or its VIP on an address (a real server's lo or tunnel).
 */
export function specHolds(spec: LVSNodeSpec, ref: string, vip: string): boolean {
  return (
    (spec.ipvs?.services?.some((s) => s.owner === ref) ?? false) ||
    (spec.vrrp?.instances?.some((i) => i.owners.includes(ref)) ?? false) ||
    (spec.addresses?.some((a) => a.address.split('/')[0] === vip) ?? false)
  );
}

/** The agent keeps items that left its plan while the directors drain them (status.retiring). */
export function retiring(lvsNode: LVSNode): boolean {
  return (lvsNode.status?.retiring?.length ?? 0) > 0;
}

/** The agent has applied the object's current spec. */
export function applied(lvsNode: LVSNode): boolean {
  return (lvsNode.status?.appliedGeneration ?? 0) >= (lvsNode.metadata.generation ?? 1);
}

function withoutLvsNodes(set: ValidObjectSet): ObjectSet {
  return {
    virtualServices: [...set.virtualServices],
    realServers: [...set.realServers],
    nodes: [...set.nodes],
    secrets: [...set.secrets],
  };
}

/** `field: message (got value)`: the condition is on the object already, so it is not named again. */
function withoutObject(e: ValidationError): string {
  return formatError({ ...e, object: '', file: undefined }).replace(/^(warning: )?: /, '$1');
}
