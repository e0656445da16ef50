// Reads a directory of manifests (`lvs-operator local --manifests`, the CLI's validate and plan);
// the parsing itself is the pure core's.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifestsFromTexts } from '../core/api/load.js';
import type { ManifestObject } from '../core/api/objects.js';
import type { ValidationError } from '../core/api/validate/errors.js';

/** Reads every *.yaml, *.yml and *.json file of `dir` (not its subdirectories), sorted by name. */
export function loadManifestDir(dir: string): { objects: ManifestObject[]; errors: ValidationError[] } {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ya?ml|json)$/i.test(e.name))
    .map((e) => e.name)
    .sort();
  return loadManifestsFromTexts(
    names.map((name) => ({ path: join(dir, name), text: readFileSync(join(dir, name), 'utf8') })),
  );
}
