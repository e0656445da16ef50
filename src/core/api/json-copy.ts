// A deep copy of a JSON value. Our own walk rather than structuredClone: objects here come from
// JSON or YAML and are plain data, and structuredClone serializes them (a 10,000-destination plan:
// 17 ms against 3 ms for this walk, measured on this machine). What is not a plain object or
// array (a Date a YAML parser made) goes through structuredClone. Pure.

/** dropNulls: leave out object keys whose value is null (the API server prunes them). */
export function copyJson<T>(value: T, options: { dropNulls?: boolean } = {}): T {
  return copy(value, options.dropNulls ?? false) as T;
}

function copy(value: unknown, dropNulls: boolean): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => copy(v, dropNulls));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (!(dropNulls && v === null)) out[key] = copy(v, dropNulls);
  return out;
}
