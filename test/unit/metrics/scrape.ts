// Reads a registry as Prometheus would: the text exposition, as series -> value.
import type { Registry } from 'prom-client';

/** `name{label="value",...}` -> value, for every sample of the exposition. */
export function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

export async function scrape(registry: Registry): Promise<Map<string, number>> {
  return parseExposition(await registry.metrics());
}

/** The series of one metric (names with a `{` after them, or alone). */
export function seriesOf(samples: Map<string, number>, name: string): Map<string, number> {
  return new Map([...samples].filter(([series]) => series === name || series.startsWith(`${name}{`)));
}
