// Checks an object against its CRD's openAPIV3Schema with ajv, applying the schema's defaults the
// way the API server does, then runs the CRD's CEL rules on the defaulted object.
import { isIPv4, isIPv6 } from 'node:net';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { evaluateCelRules } from './cel.js';
import { schemaHas, type CrdInfo, type SchemaNode } from './crds.js';
import { copyJson } from '../json-copy.js';
import { joinPath, valueAt, type FieldProblem, type PathSegment, type ValidationError } from './errors.js';

/**
 * The schema as ajv should see it: without the x-kubernetes-* keywords (ajv's strict mode rejects
 * unknown keywords; CEL rules are evaluated separately), and with `additionalProperties: false`
 * on every object that lists its properties, because kubectl's strict field validation (its
 * default) rejects unknown fields rather than letting the API server prune them silently: a typo
 * such as `spec.sheduler` must not quietly become the default scheduler.
 */
export function schemaForAjv(node: SchemaNode): SchemaNode {
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-')) continue;
    if (key === 'properties') {
      const props = value as Record<string, SchemaNode>;
      out.properties = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, schemaForAjv(v)]));
    } else if ((key === 'items' || key === 'additionalProperties') && typeof value === 'object' && value !== null) {
      out[key] = schemaForAjv(value as SchemaNode);
    } else if (key === 'anyOf') {
      out.anyOf = (value as SchemaNode[]).map(schemaForAjv);
    } else {
      out[key] = value;
    }
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  // x-kubernetes-list-type: set means no duplicates; `map` (keys unique) is checked by listMapProblems
  if (node['x-kubernetes-list-type'] === 'set') out.uniqueItems = true;
  return out;
}

/** Items of an `x-kubernetes-list-type: map` list must differ in their list-map-keys, as the API server demands. */
export function listMapProblems(node: SchemaNode, value: unknown, path: PathSegment[] = []): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!schemaHas(node, 'listMap')) return problems;
  if (Array.isArray(value)) {
    const keys = node['x-kubernetes-list-map-keys'];
    if (node['x-kubernetes-list-type'] === 'map' && Array.isArray(keys)) {
      const seen = new Set<string>();
      value.forEach((item, i) => {
        const id = JSON.stringify(keys.map((k) => valueAt(item, [String(k)])));
        if (seen.has(id))
          problems.push({
            path: [...path, i],
            value: item,
            message: `duplicate entry (same ${keys.join(', ')} as an earlier one)`,
          });
        seen.add(id);
      });
    }
    if (node.items)
      value.forEach((item, i) => problems.push(...listMapProblems(node.items as SchemaNode, item, [...path, i])));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const sub = node.properties?.[key];
      if (sub) problems.push(...listMapProblems(sub, child, [...path, key]));
    }
  }
  return problems;
}

function makeAjv(): Ajv {
  // useDefaults: a missing property with a default gets it, and the new value is then validated
  // (and defaulted) by its own schema, so `default: {}` cascades into nested defaults exactly as the
  // API server's structural defaulting does; absent parents without a default stay absent.
  const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: true });
  addFormats.default(ajv, ['date-time', 'date', 'int32', 'int64', 'float', 'double', 'byte']);
  // node:net decides what an IP address is, as the planner does (src/plan/directors.ts), so an
  // address the schema accepts is one the planner can classify. Zones (fe80::1%eth0) are not
  // addresses Kubernetes accepts, and IPVS cannot use them.
  ajv.addFormat('ipv4', (s: string) => isIPv4(s));
  ajv.addFormat('ipv6', (s: string) => isIPv6(s) && !s.includes('%'));
  return ajv;
}

const validators = new WeakMap<CrdInfo, ValidateFunction>();

function validatorFor(crd: CrdInfo): ValidateFunction {
  let validate = validators.get(crd);
  if (!validate) {
    validate = makeAjv().compile(schemaForAjv(crd.schema));
    validators.set(crd, validate);
  }
  return validate;
}

/**
 * Compiles the validator of each CRD now rather than on the first object. Compiling is the one
 * heavy synchronous step of validation (0.14 s for our CRDs on a real CPU, 37 s on the e2e's busy
 * emulated node): the controller does it before it first answers /healthz, inside its startup
 * probe's allowance, so that its first reconcile cannot stall the event loop past the liveness
 * probe's timeout (the real kubelets restarted the controller for exactly that).
 */
export function compileValidators(crds: Iterable<CrdInfo>): void {
  for (const crd of crds) validatorFor(crd);
}

/**
 * Validates (a deep copy of) `object` against the CRD. The copy comes back with defaults applied;
 * problems name their path inside the object.
 */
export function validateAgainstCrd(crd: CrdInfo, object: unknown): { object: unknown; problems: FieldProblem[] } {
  const copy = copyWithoutNulls(object);
  const validate = validatorFor(crd);
  const problems = validate(copy) ? [] : ajvProblems(validate.errors ?? [], copy);
  problems.push(...listMapProblems(crd.schema, copy));
  const schemaErrorPaths = problems.map((p) => p.path);
  problems.push(...evaluateCelRules(crd.schema, copy, schemaErrorPaths));
  return { object: copy, problems };
}

/**
 * The API server prunes null values of non-nullable fields before defaulting (none of our fields
 * is nullable), so `vrrp:` with nothing after it in YAML means "absent" and gets the default.
 */
function copyWithoutNulls(value: unknown): unknown {
  return copyJson(value, { dropNulls: true });
}

/** `/spec/directors/nodeSelector/a~1b` -> ['spec', 'directors', 'nodeSelector', 'a/b'], indices as numbers. */
export function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const path: PathSegment[] = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const seg: PathSegment = Array.isArray(cur) && /^\d+$/.test(key) ? Number(key) : key;
    path.push(seg);
    cur = valueAt(cur, [seg]);
  }
  return path;
}

const FORMAT_NAMES: Record<string, string> = { ipv4: 'IPv4 address', ipv6: 'IPv6 address' };

function ajvProblems(errors: readonly ErrorObject[], data: unknown): FieldProblem[] {
  // An anyOf failure also reports each failed branch; keep the one summary instead.
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  const isBranchOfAnyOf = (e: ErrorObject) =>
    anyOfs.some((a) => a !== e && a.instancePath === e.instancePath && e.schemaPath.startsWith(`${a.schemaPath}/`));
  const problems: FieldProblem[] = [];
  for (const e of errors) {
    if (isBranchOfAnyOf(e)) continue;
    const path = pointerToPath(e.instancePath, data);
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'required':
        problems.push({ path: [...path, String(params.missingProperty)], value: undefined, message: 'is required' });
        break;
      case 'additionalProperties': {
        const field = [...path, String(params.additionalProperty)];
        problems.push({ path: field, value: valueAt(data, field), message: 'unknown field' });
        break;
      }
      case 'enum':
        problems.push({
          path,
          value: e.data,
          message: `must be one of ${(params.allowedValues as unknown[]).join(', ')}`,
        });
        break;
      case 'anyOf': {
        const branches = (e.schema as SchemaNode[]).map((b) => (typeof b.format === 'string' ? b.format : undefined));
        const formats = branches.every((f) => f !== undefined) ? branches.map((f) => FORMAT_NAMES[f] ?? f) : undefined;
        const message = formats ? `must be an ${formats.join(' or an ')}` : 'must match one of the allowed forms';
        problems.push({ path, value: e.data, message });
        break;
      }
      case 'format':
        problems.push({
          path,
          value: e.data,
          message: `must be a valid ${FORMAT_NAMES[String(params.format)] ?? params.format}`,
        });
        break;
      case 'pattern':
        problems.push({ path, value: e.data, message: `must match the pattern ${String(params.pattern)}` });
        break;
      case 'type':
        problems.push({ path, value: e.data, message: `must be of type ${String(params.type)}` });
        break;
      default:
        problems.push({ path, value: e.data, message: e.message ?? `fails ${e.keyword}` });
    }
  }
  return problems;
}

/** Labels field problems with the object and file they belong to. */
export function toValidationErrors(
  problems: readonly FieldProblem[],
  object: string,
  file: string | undefined,
): ValidationError[] {
  return problems.map((p) => ({
    severity: 'error',
    object,
    ...(file !== undefined ? { file } : {}),
    field: joinPath(p.path),
    value: p.value,
    message: p.message,
  }));
}
