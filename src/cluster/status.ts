// VirtualService and RealServer status, rebuilt from the world on every pass: the plan says which
// nodes should hold what, and each node's LVSNode says what its agent applied and sees. Pure.
import {
  objectRef,
  type LVSNode,
  type LVSNodeSpec,
  type RealServer,
  type VirtualService,
} from '../core/api/objects.js';
import type { VirtualServiceStatus } from '../core/api/generated/virtualservice.js';
import type { RealServerStatus } from '../core/api/generated/realserver.js';

export type { VirtualServiceStatus, RealServerStatus };
import { serviceKey } from '../core/ipvs/model.js';
import { mergeConditions, condition, type ConditionInput } from '../core/api/conditions.js';
import { applied, labelOf, specHolds, type Desired, type ObjectProblems } from './desired.js';
import { stableJson } from '../core/api/stable-json.js';
import type { VrrpState } from '../core/api/vrrp.js';

/** One node's side: what it should hold, what its LVSNode says, and whether the two agree. */
export interface NodeView {
  name: string;
  spec: LVSNodeSpec;
  lvsNode: LVSNode | undefined;
  /** The LVSNode holds the desired spec, and its agent applied it without error. */
  programmed: boolean;
}

/** One view per node that takes part; computed once per pass and shared by every status. */
export function nodeViews(desired: Desired, lvsNodes: readonly LVSNode[]): NodeView[] {
  const byName = new Map(lvsNodes.map((n) => [n.metadata.name ?? '', n]));
  return [...desired.specs].map(([name, spec]) => {
    const lvsNode = byName.get(name);
    const programmed =
      lvsNode !== undefined &&
      stableJson(lvsNode.spec ?? {}) === stableJson(spec) &&
      applied(lvsNode) &&
      !lvsNode.status?.lastError;
    return { name, spec, lvsNode, programmed };
  });
}

const directs = (spec: LVSNodeSpec, ref: string) => spec.ipvs?.services?.some((s) => s.owner === ref) ?? false;

function vrrpOf(view: NodeView, ref: string): { state: VrrpState; since: string } {
  const instance = view.spec.vrrp?.instances?.find((i) => i.owners.includes(ref));
  const reported = view.lvsNode?.status?.vrrp?.find((v) => v.name === instance?.name);
  return { state: reported?.state ?? 'UNKNOWN', since: reported?.since ?? '' };
}

/**
 * The directors that report MASTER for a VirtualService, the latest transition first. Two claims
 * are mostly one stale report (a crashed director's agent cannot say it lost the VIP), so the
 * latest is taken as the holder, and Degraded says there are two.
 */
function mastersOf(directors: readonly NodeView[], ref: string): string[] {
  return directors
    .filter((d) => vrrpOf(d, ref).state === 'MASTER')
    .sort((a, b) => vrrpOf(b, ref).since.localeCompare(vrrpOf(a, ref).since))
    .map((d) => d.name);
}

export function virtualServiceStatus(vs: VirtualService, desired: Desired, views: readonly NodeView[], now: string) {
  const ref = objectRef(vs);
  const generation = vs.metadata.generation;
  const problems = desired.problems.get(labelOf(vs));
  const invalid = problems !== undefined && problems.errors.length > 0;
  const vip = desired.planned.virtualServices.find((p) => objectRef(p) === ref)?.spec.address ?? vs.spec.address;
  const directors = views.filter((v) => directs(v.spec, ref));
  const parts = views.filter((v) => specHolds(v.spec, ref, vip));
  const notProgrammed = parts.filter((v) => !v.programmed);
  const states = directors.map((d) => ({ node: d.name, programmed: d.programmed, vrrpState: vrrpOf(d, ref).state }));
  const masters = mastersOf(directors, ref);
  const master = masters[0];

  // Real servers as the master sees them (or, without a master, the first director).
  const seenBy = directors.find((d) => d.name === master) ?? directors[0];
  const service = seenBy?.spec.ipvs?.services?.find((s) => s.owner === ref);
  const key = service ? serviceKey(service) : undefined;
  const planned = service?.destinations ?? [];
  const health = seenBy?.lvsNode?.status?.destinations?.filter((d) => d.service === key) ?? [];
  const healthy = planned.filter((p) => health.some((h) => h.owner === p.owner && h.healthy)).length;

  const conditions: ConditionInput[] = [];
  const errorText = problems?.errors.join('; ') ?? '';
  const programmedMessage = notProgrammed.length
    ? notProgrammed
        .map((v) => `${v.name}: ${v.lvsNode?.status?.lastError || (v.lvsNode ? 'not yet applied' : 'no LVSNode yet')}`)
        .join('; ')
    : `programmed on ${parts.map((p) => p.name).join(', ') || 'no node'}`;
  if (invalid && !problems.keptLastGood && directors.length === 0) {
    conditions.push(condition('Ready', false, 'InvalidSpec', errorText, generation));
    conditions.push(condition('Programmed', false, 'InvalidSpec', errorText, generation));
  } else {
    const programmed = notProgrammed.length === 0 && directors.length > 0;
    const reason = directors.length === 0 ? 'NoDirectors' : programmed ? 'Programmed' : 'Pending';
    const message = directors.length === 0 ? 'no Node matches spec.directors' : programmedMessage;
    let ready: [boolean, string, string];
    if (!programmed) ready = [false, reason === 'NoDirectors' ? reason : 'NotProgrammed', message];
    else if (!master) ready = [false, 'NoMaster', 'no director holds the VIP'];
    else if (healthy === 0) ready = [false, 'NoHealthyRealServers', `no healthy real server on ${master}`];
    else ready = [true, 'Ready', `${master} holds ${vip}; ${healthy}/${planned.length} real servers healthy`];
    conditions.push(condition('Ready', ...ready, generation));
    conditions.push(condition('Programmed', programmed, reason, message, generation));
  }
  const degraded: string[] = [];
  if (masters.length > 1)
    degraded.push(`more than one director reports MASTER (the latest is taken): ${masters.join(', ')}`);
  const faulty = states.filter((s) => s.vrrpState === 'FAULT').map((s) => s.node);
  if (faulty.length) degraded.push(`VRRP FAULT on ${faulty.join(', ')}`);
  if (healthy < planned.length) degraded.push(`${planned.length - healthy}/${planned.length} real servers unhealthy`);
  if (directors.length && notProgrammed.length) degraded.push(`not programmed: ${programmedMessage}`);
  conditions.push(
    degradedCondition(
      problems,
      degraded,
      'Degraded',
      'every director is programmed and every real server is healthy',
      generation,
    ),
  );
  const status: VirtualServiceStatus = {
    observedGeneration: generation,
    virtualRouterID: desired.allocations.get(ref) ?? vs.status?.virtualRouterID,
    master,
    readyRealServers: directors.length ? `${healthy}/${planned.length}` : undefined,
    directors: states,
    conditions: mergeConditions(vs.status?.conditions, conditions, now),
  };
  return dropUndefined(status);
}

export function realServerStatus(rs: RealServer, desired: Desired, allViews: readonly NodeView[], now: string) {
  const ref = objectRef(rs);
  const generation = rs.metadata.generation;
  const problems = desired.problems.get(labelOf(rs));
  const invalid = problems !== undefined && problems.errors.length > 0;
  const views = allViews.filter((v) =>
    v.spec.ipvs?.services?.some((s) => s.destinations?.some((d) => d.owner === ref)),
  );
  let address: string | undefined;
  const directors = views.map((v) => {
    const service = v.spec.ipvs!.services!.find((s) => s.destinations?.some((d) => d.owner === ref))!;
    const destination = service.destinations!.find((d) => d.owner === ref)!;
    address ??= destination.address;
    const key = serviceKey(service);
    const seen = v.lvsNode?.status?.destinations?.find((d) => d.service === key && d.owner === ref);
    return dropUndefined({ node: v.name, healthy: seen?.healthy, weight: seen?.weight, message: seen?.message });
  });
  const healthy = directors.filter((d) => d.healthy === true);
  const vsRef = `${rs.metadata.namespace}/${rs.spec.virtualServiceName}`;
  const master = mastersOf(views, vsRef)[0];
  const onMaster = directors.find((d) => d.node === master);
  const conditions: ConditionInput[] = [];
  const errorText = problems?.errors.join('; ') ?? '';
  if (invalid && !problems.keptLastGood && views.length === 0) {
    conditions.push(condition('Ready', false, 'InvalidSpec', errorText, generation));
  } else if (views.length === 0) {
    conditions.push(condition('Ready', false, 'NotPlanned', `no director serves VirtualService ${vsRef}`, generation));
  } else if (!onMaster) {
    conditions.push(condition('Ready', false, 'NoMaster', `no director of ${vsRef} holds the VIP`, generation));
  } else {
    const ok = onMaster.healthy === true;
    const message = ok
      ? `healthy on ${onMaster.node}, the master`
      : `${onMaster.healthy === false ? 'unhealthy' : 'not checked yet'} on ${onMaster.node}, the master${onMaster.message ? `: ${onMaster.message}` : ''}`;
    conditions.push(condition('Ready', ok, ok ? 'Healthy' : 'Unhealthy', message, generation));
  }
  const sick = directors.filter((d) => d.healthy === false);
  const degraded = sick.length ? [`unhealthy on ${sick.map((d) => d.node).join(', ')}`] : [];
  conditions.push(degradedCondition(problems, degraded, 'Unhealthy', 'healthy on every director', generation));
  const status: RealServerStatus = {
    observedGeneration: generation,
    address,
    healthyDirectors: views.length ? `${healthy.length}/${directors.length}` : undefined,
    directors,
    conditions: mergeConditions(rs.status?.conditions, conditions, now),
  };
  return dropUndefined(status);
}

/**
 * Degraded for either kind: invalid input first (reason InvalidSpec, whether the last valid version
 * is kept or not), then what else is wrong (the given reason), else AsExpected with the ok message.
 */
function degradedCondition(
  problems: ObjectProblems | undefined,
  wrong: readonly string[],
  reason: string,
  okMessage: string,
  generation: number | undefined,
): ConditionInput {
  const errors = problems?.errors.join('; ') ?? '';
  const invalid = errors !== '';
  const all = invalid
    ? [problems!.keptLastGood ? `invalid, keeping its last valid version: ${errors}` : errors, ...wrong]
    : [...wrong];
  const status = all.length > 0;
  return condition(
    'Degraded',
    status,
    invalid ? 'InvalidSpec' : status ? reason : 'AsExpected',
    all.join('; ') || okMessage,
    generation,
  );
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
