// Builds a ValidationError about one object, naming it and the file it came from.
import { sourceOf } from '../load.js';
import type { ObjectMeta } from '../objects.js';
import { objectLabel, type Severity, type ValidationError } from './errors.js';

export function issue(
  severity: Severity,
  object: { kind: string; metadata: ObjectMeta },
  field: string,
  value: unknown,
  message: string,
): ValidationError {
  const file = sourceOf(object)?.file;
  return { severity, object: objectLabel(object), ...(file !== undefined ? { file } : {}), field, value, message };
}

/** `namespace/name`, the identity of a namespaced object. */
export function nsName(o: { metadata: ObjectMeta }): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}
