// The one shape every problem found in input manifests takes, and how it prints.

export type Severity = 'error' | 'warning';

export interface ValidationError {
  /** 'error' drops the object; 'warning' only informs. */
  severity: Severity;
  /** Kind and namespace/name, e.g. `VirtualService default/web` (or `document 3` when unnamed). */
  object: string;
  /** The file the object came from, when it came from one. */
  file?: string;
  /** Where in the object, as a path: `spec.vrrp.priorities[0].node`; '' for the whole object. */
  field: string;
  /** The offending value (undefined when the problem is that it is missing). */
  value: unknown;
  message: string;
}

export type PathSegment = string | number;

/** A problem at a path inside one object, before it is labelled with the object and file. */
export interface FieldProblem {
  path: PathSegment[];
  value: unknown;
  message: string;
}

const MAX_VALUE_CHARS = 100;

/** One line: `file: Kind ns/name: field: message (got value)`. */
export function formatError(e: ValidationError): string {
  const parts = [e.file, e.object, e.field].filter((p): p is string => p !== undefined && p !== '');
  const prefix = e.severity === 'warning' ? 'warning: ' : '';
  const got = e.value === undefined ? '' : ` (got ${formatValue(e.value)})`;
  return `${prefix}${parts.join(': ')}: ${e.message}${got}`;
}

export function formatValue(value: unknown): string {
  const text = typeof value === 'bigint' ? String(value) : JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 3)}...` : text;
}

/** `Kind namespace/name`, as errors name objects. */
export function objectLabel(o: { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } }): string {
  const name = typeof o.metadata?.name === 'string' ? o.metadata.name : '<unnamed>';
  const ns = typeof o.metadata?.namespace === 'string' && o.metadata.namespace !== '' ? `${o.metadata.namespace}/` : '';
  return `${typeof o.kind === 'string' ? o.kind : '<no kind>'} ${ns}${name}`;
}

/**
 * Joins path segments the way kubectl prints field paths: `spec.vrrp.priorities[0].node`, with keys
 * that are not plain identifiers quoted (`spec.directors.nodeSelector["lvs-operator.io/director"]`).
 */
export function joinPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** The value at a path of segments, or undefined. */
export function valueAt(root: unknown, segments: readonly (string | number)[]): unknown {
  let cur: unknown = root;
  for (const seg of segments) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}
