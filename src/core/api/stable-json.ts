// JSON with object keys sorted, so that two equal values compare equal whatever their key order:
// the API server returns objects with sorted keys, the planner builds them in its own order, and
// the validator compares settings written by hand. undefined gives 'undefined' (JSON.stringify
// would give no string at all).
export function stableJson(value: unknown): string {
  if (value === undefined) return 'undefined';
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
