// Evaluates the CRDs' x-kubernetes-validations CEL rules with @marcbachmann/cel-js, the way the
// API server does: each rule at its schema location, `self` being the (defaulted) value there.
import { parse } from '@marcbachmann/cel-js';
import { schemaHas, type CelRule, type SchemaNode } from './crds.js';
import { valueAt, type FieldProblem, type PathSegment } from './errors.js';

type Compiled = ReturnType<typeof parse>;
const compiled = new Map<string, Compiled>();

function compile(expression: string): Compiled {
  let program = compiled.get(expression);
  if (!program) {
    program = parse(expression);
    compiled.set(expression, program);
  }
  return program;
}

/**
 * Walks schema and value together and evaluates every rule whose location holds a value. A rule
 * that cannot be evaluated is a problem of its own, unless the schema already found one under its
 * location (then the value is not the shape the rule expects and the schema's message says why).
 */
export function evaluateCelRules(
  schema: SchemaNode,
  value: unknown,
  schemaErrorPaths: readonly PathSegment[][] = [],
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const walk = (node: SchemaNode, v: unknown, path: PathSegment[]): void => {
    if (v === undefined || !schemaHas(node, 'cel')) return;
    for (const rule of node['x-kubernetes-validations'] ?? []) {
      const problem = evaluateRule(rule, node, v, path, schemaErrorPaths);
      if (problem) problems.push(problem);
    }
    if (Array.isArray(v)) {
      if (node.items) v.forEach((item, i) => walk(node.items as SchemaNode, item, [...path, i]));
    } else if (v !== null && typeof v === 'object') {
      for (const [key, child] of Object.entries(v as Record<string, unknown>)) {
        const sub =
          node.properties?.[key] ??
          (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
        if (sub) walk(sub, child, [...path, key]);
      }
    }
  };
  walk(schema, value, []);
  return problems;
}

function evaluateRule(
  rule: CelRule,
  node: SchemaNode,
  value: unknown,
  path: PathSegment[],
  schemaErrorPaths: readonly PathSegment[][],
): FieldProblem | undefined {
  // Transition rules compare with the stored object; objects read from files have none.
  if (/\boldSelf\b/.test(rule.rule)) return undefined;
  const fieldPath = parseFieldPath(rule.fieldPath);
  const problemPath = [...path, ...fieldPath];
  const self = toCel(value, node);
  let result: unknown;
  try {
    result = compile(rule.rule)({ self });
  } catch (err) {
    if (schemaErrorPaths.some((p) => startsWith(p, path))) return undefined;
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return {
      path: problemPath,
      value: valueAt(value, fieldPath),
      message: `rule ${rule.rule} could not be evaluated: ${why}`,
    };
  }
  if (result === true) return undefined;
  return {
    path: problemPath,
    value: fieldPath.length ? valueAt(value, fieldPath) : value,
    message: ruleMessage(rule, self),
  };
}

function ruleMessage(rule: CelRule, self: unknown): string {
  if (rule.messageExpression) {
    try {
      const message = compile(rule.messageExpression)({ self });
      if (typeof message === 'string' && message !== '') return message;
    } catch {
      // the API server also falls back to `message` when messageExpression fails
    }
  }
  return rule.message ?? `failed rule: ${rule.rule}`;
}

/**
 * Converts JSON values to the CEL types Kubernetes gives them: `type: integer` is CEL int (a
 * BigInt in cel-js), `type: number` is double even when the value is whole (advertInterval: 1).
 */
export function toCel(value: unknown, node: SchemaNode | undefined): unknown {
  if (node?.type === 'integer' && typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map((item) => toCel(item, node?.items));
  if (value !== null && typeof value === 'object') {
    const extra = typeof node?.additionalProperties === 'object' ? node.additionalProperties : undefined;
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toCel(v, node?.properties?.[k] ?? extra)]),
    );
  }
  return value;
}

/** `.persistence.netmask` or `.a['b.c']` -> ['persistence', 'netmask'] / ['a', 'b.c']. */
export function parseFieldPath(fieldPath: string | undefined): string[] {
  if (!fieldPath) return [];
  const segments: string[] = [];
  const re = /\.([A-Za-z_][A-Za-z0-9_]*)|\['([^']*)'\]/g;
  for (let m = re.exec(fieldPath); m; m = re.exec(fieldPath)) segments.push(m[1] ?? m[2] ?? '');
  return segments;
}

function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.every((seg, i) => path[i] === seg);
}
