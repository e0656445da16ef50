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

export function validateObjects(objects: readonly ManifestObject[]): {
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
    const { object, errors: own } = validateObject(original);
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
