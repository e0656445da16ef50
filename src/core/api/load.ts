// Parses Kubernetes manifests (multi-document YAML or JSON) into objects for local mode and the CLI,
// remembering where each object came from so that messages can name the file.
import { parseAllDocuments } from 'yaml';
import { API_VERSION, type ManifestObject } from './objects.js';
import { objectLabel, type ValidationError } from './validate/errors.js';

export interface ManifestSource {
  file: string;
  /** 0-based index of the YAML document in the file. */
  document: number;
  /** 0-based index in the items of a `kind: List` document. */
  item?: number;
}

/** The kinds lvs-operator reads, with the apiVersion each must have. */
export const KNOWN_KINDS: Readonly<Record<string, string>> = {
  VirtualService: API_VERSION,
  RealServer: API_VERSION,
  LVSNode: API_VERSION,
  Node: 'v1',
  Secret: 'v1',
};

// Objects stay plain Kubernetes objects (no extra fields that could leak into plans or the API);
// their origin is kept beside them, keyed by identity.
const sources = new WeakMap<object, ManifestSource>();

export function sourceOf(object: object): ManifestSource | undefined {
  return sources.get(object);
}

/** Records where `object` came from (also used to carry a source over to a defaulted copy). */
export function setSource(object: object, source: ManifestSource | undefined): void {
  if (source) sources.set(object, source);
}

/** `file` and, for multi-object files, the document: how load errors name a place. */
function where(source: ManifestSource): string {
  const item = source.item === undefined ? '' : `, item ${source.item + 1}`;
  return `document ${source.document + 1}${item}`;
}

function loadError(
  source: ManifestSource,
  object: string,
  field: string,
  value: unknown,
  message: string,
): ValidationError {
  return { severity: 'error', object, file: source.file, field, value, message };
}

/** Parses the files' documents; pure. Empty documents are skipped; unknown kinds are errors. */
export function loadManifestsFromTexts(files: readonly { path: string; text: string }[]): {
  objects: ManifestObject[];
  errors: ValidationError[];
} {
  const objects: ManifestObject[] = [];
  const errors: ValidationError[] = [];
  for (const { path, text } of files) {
    // A .json file is one JSON document: JSON.parse reads a 1 MB LVSNode in milliseconds where the
    // YAML parser takes seconds. When it fails, the YAML parser reads it and says where it broke.
    const json = path.toLowerCase().endsWith('.json') ? parseJson(text) : undefined;
    if (json !== undefined) {
      if (json !== null) addDocument(json, { file: path, document: 0 }, objects, errors);
      continue;
    }
    // merge keys (<<) are accepted because kubectl's YAML reader accepts them
    parseAllDocuments(text, { merge: true }).forEach((doc, document) => {
      const source: ManifestSource = { file: path, document };
      const firstError = doc.errors[0];
      if (firstError) {
        errors.push(loadError(source, where(source), '', undefined, `invalid YAML: ${firstError.message}`));
        return;
      }
      const content: unknown = doc.toJS();
      if (content === null || content === undefined) return;
      addDocument(content, source, objects, errors);
    });
  }
  return { objects, errors };
}

/** The value of a JSON text, or undefined when it is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function addDocument(
  content: unknown,
  source: ManifestSource,
  objects: ManifestObject[],
  errors: ValidationError[],
): void {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    errors.push(
      loadError(source, where(source), '', content, 'is not a Kubernetes object (a mapping with apiVersion and kind)'),
    );
    return;
  }
  const record = content as Record<string, unknown>;
  const kind = record.kind;
  // `kind: List` (and FooList), as `kubectl get -o yaml` prints several objects
  if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(record.items) && source.item === undefined) {
    record.items.forEach((item, i) => addDocument(item, { ...source, item: i }, objects, errors));
    return;
  }
  const metadata = record.metadata;
  const named = typeof metadata === 'object' && metadata !== null ? { kind, metadata } : { kind };
  const label = typeof kind === 'string' ? objectLabel(named) : where(source);
  if (typeof kind !== 'string' || !(kind in KNOWN_KINDS)) {
    const known = Object.keys(KNOWN_KINDS).join(', ');
    const what = typeof kind === 'string' ? `unknown kind ${kind}` : 'no kind';
    errors.push(
      loadError(source, label, 'kind', kind, `${what} in ${source.file} ${where(source)}; known kinds: ${known}`),
    );
    return;
  }
  sources.set(record, source);
  objects.push(record as unknown as ManifestObject);
}
