// Reads an examples/ directory the way a user's manifests are read, without the validator,
// so planner tests depend on the planner alone.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { toObjectSet, type ManifestObject, type ObjectSet } from '../../../src/core/api/objects.js';

const root = new URL('../../../', import.meta.url).pathname;

export function loadExample(dir: string): ObjectSet {
  const docs: ManifestObject[] = [];
  for (const file of readdirSync(join(root, dir)).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(root, dir, file), 'utf8'))) docs.push(doc.toJSON());
  }
  return toObjectSet(docs);
}
