// The imported objects as one multi-document YAML stream, in an order that diffs well:
// Nodes, Secrets, VirtualServices, RealServers, each sorted by name (byte order, not locale).
import { stringify } from 'yaml';
import type { ManifestObject } from '../../api/objects.js';

const KIND_ORDER = ['Node', 'Secret', 'VirtualService', 'RealServer'];

export function sortManifestObjects(objects: readonly ManifestObject[]): ManifestObject[] {
  const rank = (o: ManifestObject): number => {
    const i = KIND_ORDER.indexOf(o.kind);
    return i < 0 ? KIND_ORDER.length : i;
  };
  return [...objects].sort((a, b) => {
    const byKind = rank(a) - rank(b);
    if (byKind !== 0) return byKind;
    const [x, y] = [a.metadata.name ?? '', b.metadata.name ?? ''];
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** Each object as a `---` document; lines are never folded, so that values stay greppable. */
export function toYaml(objects: readonly ManifestObject[]): string {
  return sortManifestObjects(objects)
    .map((o) => `---\n${stringify(o, { lineWidth: 0 })}`)
    .join('');
}
