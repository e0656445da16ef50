// Validation of objects that did not pass through an API server (local mode, the CLI): each object
// against its schema (with defaults and CEL rules), then the checks across objects. One bad object
// never blocks the good ones: an error drops only the object it is about (and a VirtualService's
// RealServers with it).
import { KNOWN_KINDS, setSource, sourceOf } from '../load.js';
import type { KubeNode, LVSNode, ManifestObject, ObjectSet, RealServer, Secret, VirtualService } from '../objects.js';
import { compareNames } from '../directors.js';
import { checkMetadata, checkNode, checkSecret } from './core-objects.js';
import { packageCrds, type CrdInfo } from './crds.js';
import { objectLabel, type ValidationError } from './errors.js';
import { nsName } from './issue.js';
import type { FieldProblem } from './errors.js';
import { compileValidators, toValidationErrors, validateAgainstCrd } from './schema.js';
import { checkRealServers } from './semantic-rs.js';
import { checkVirtualServices } from './semantic-vs.js';

export { formatError, type Severity, type ValidationError } from './errors.js';

/** Compiles the package CRDs' validators ahead of the first object (see compileValidators). */
export function prepareValidation(): void {
  compileValidators(packageCrds().values());
}

/** The objects that passed, with defaults applied, sorted by namespace/name; LVSNode plans too. */
export interface ValidObjectSet extends ObjectSet {
  lvsNodes: LVSNode[];
}

/**
 * Checks one object on its own: metadata, apiVersion, the CRD schema and its CEL rules (or the
 * hand-written checks of Node and Secret). Returns a copy with defaults applied (and the
 * namespace defaulted), which carries the original's source.
 */
export function validateObject(
  object: ManifestObject,
  crds: ReadonlyMap<string, CrdInfo> = packageCrds(),
): {
  object: ManifestObject;
  errors: ValidationError[];
} {
  const kind = (object as { kind?: unknown }).kind;
  const crd = typeof kind === 'string' ? crds.get(kind) : undefined;
  const namespaced = crd ? crd.namespaced : kind === 'Secret';
  const problems: FieldProblem[] = [];
  let copy: Record<string, unknown>;
  if (crd) {
    const result = validateAgainstCrd(crd, object);
    copy = result.object as Record<string, unknown>;
    problems.push(...result.problems);
  } else {
    copy = structuredClone(object) as unknown as Record<string, unknown>;
    if (kind === 'Node') problems.push(...checkNode(copy));
    else if (kind === 'Secret') problems.push(...checkSecret(copy));
    else
      problems.push({
        path: ['kind'],
        value: kind,
        message: `unknown kind; known kinds: ${Object.keys(KNOWN_KINDS).join(', ')}`,
      });
  }
  // metadata first: the schema leaves metadata free-form, so these are its only checks (and
  // when metadata is not an object at all, the schema's own type error would only repeat it)
  const metadataProblems = checkMetadata(copy, namespaced);
  if (metadataProblems.some((p) => p.path.length === 1)) {
    problems.splice(0, problems.length, ...problems.filter((p) => p.path.join('.') !== 'metadata'));
  }
  problems.unshift(...metadataProblems);
  const apiVersion = typeof kind === 'string' ? (crd?.apiVersion ?? KNOWN_KINDS[kind]) : undefined;
  if (apiVersion !== undefined && copy.apiVersion !== apiVersion) {
    problems.unshift({
      path: ['apiVersion'],
      value: copy.apiVersion,
      message: `must be ${apiVersion} for kind ${String(kind)}`,
    });
  }
  setSource(copy, sourceOf(object));
  const label = objectLabel(copy as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } });
  return {
    object: copy as unknown as ManifestObject,
    errors: toValidationErrors(problems, label, sourceOf(object)?.file),
  };
}

type Validated = ReturnType<typeof validateObject>;

/**
 * validateObject's results for objects that an API server versioned: the same resourceVersion of
 * an object is the same content, so the controller checks each version once, not on every
 * reconcile (at 1,000 VirtualServices x 10 RealServers the checks of each object on its own are
 * most of the time; the checks across objects still run every time). Objects without a
 * resourceVersion (manifest files) are always checked. Results are frozen: they are shared by
 * every pass that meets the same version. The caller sweeps after each pass, so that only the
 * versions asked for since the last sweep are kept.
 */
export class ValidationMemo {
  private entries = new Map<string, Validated>();
  private asked = new Set<string>();

  static keyOf(object: ManifestObject): string | undefined {
    const meta = object.metadata as { resourceVersion?: unknown; uid?: unknown } | undefined;
    if (typeof meta?.resourceVersion !== 'string' || meta.resourceVersion === '') return undefined;
    return `${String(object.kind)} ${meta.uid ?? ''} ${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}@${meta.resourceVersion}`;
  }

  validate(object: ManifestObject): Validated {
    const key = ValidationMemo.keyOf(object);
    if (key === undefined) return validateObject(object);
    this.asked.add(key);
    let result = this.entries.get(key);
    if (!result) {
      result = deepFreeze(validateObject(object));
      this.entries.set(key, result);
    }
    return result;
  }

  /** Forgets every version not asked for since the last sweep. */
  sweep(): void {
    for (const key of this.entries.keys()) if (!this.asked.has(key)) this.entries.delete(key);
    this.asked.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export function validateObjects(
  objects: readonly ManifestObject[],
  memo?: ValidationMemo,
): {
  valid: ValidObjectSet;
  errors: ValidationError[];
} {
  const errors: ValidationError[] = [];
  const byKind = {
    VirtualService: [] as VirtualService[],
    RealServer: [] as RealServer[],
    Node: [] as KubeNode[],
    Secret: [] as Secret[],
    LVSNode: [] as LVSNode[],
  };
  const rejectedVirtualServices = new Set<string>();
  const rejectedNodes = new Set<string>();
  const seen = new Map<string, ManifestObject>();
  for (const original of objects) {
    const { object, errors: own } = memo ? memo.validate(original) : validateObject(original);
    errors.push(...own);
    const ref = `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
    if (own.some((e) => e.severity === 'error')) {
      // remembered so that dependants can say why their reference fails
      if (object.kind === 'VirtualService') rejectedVirtualServices.add(ref);
      if (object.kind === 'Node') rejectedNodes.add(object.metadata?.name ?? '');
      continue;
    }
    // only valid objects compete for an identity: an invalid first copy does not hide a valid one
    const identity = `${object.kind} ${ref}`;
    const earlier = seen.get(identity);
    if (earlier) {
      errors.push(duplicateOf(object, sourceOf(earlier)?.file));
      continue;
    }
    seen.set(identity, object);
    (byKind[object.kind] as ManifestObject[]).push(object);
  }
  const byRef = <T extends ManifestObject>(list: T[]) => list.sort((a, b) => compareNames(nsName(a), nsName(b)));
  const nodes = byRef(byKind.Node);
  const secrets = byRef(byKind.Secret);
  const vsResult = checkVirtualServices(byRef(byKind.VirtualService), nodes, secrets);
  errors.push(...vsResult.errors);
  vsResult.rejected.forEach((ref) => rejectedVirtualServices.add(ref));
  const rsResult = checkRealServers(byRef(byKind.RealServer), {
    virtualServices: vsResult.accepted,
    rejectedVirtualServices,
    nodes,
    rejectedNodes,
  });
  errors.push(...rsResult.errors);
  return {
    valid: {
      virtualServices: vsResult.accepted,
      realServers: rsResult.accepted,
      nodes,
      secrets,
      lvsNodes: byRef(byKind.LVSNode),
    },
    errors,
  };
}

function duplicateOf(object: ManifestObject, earlierFile: string | undefined): ValidationError {
  const file = sourceOf(object)?.file;
  return {
    severity: 'error',
    object: objectLabel(object),
    ...(file !== undefined ? { file } : {}),
    field: 'metadata.name',
    value: object.metadata.name,
    message: `is defined twice; the first definition${earlierFile ? ` (in ${earlierFile})` : ''} is kept`,
  };
}
