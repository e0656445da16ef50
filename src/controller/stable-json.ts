// JSON with object keys sorted: the API server returns objects with sorted keys, the planner builds
// them in its own order, and the two are compared to decide whether a write is needed at all.
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
