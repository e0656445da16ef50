// `lvs-operator import-keepalived FILE... [--node NAME] [--namespace NS]`, the pure part: keepalived
// configs in, Kubernetes objects and warnings out. File access is injected (readFile, glob), so the
// CLI passes fs functions and the tests pass a map.
//
// Errors: a syntax error stops at once; otherwise every refused or invalid keyword of every file is
// collected, and one KeepalivedConfigError (with .problems) lists them all. Nothing else is thrown.
import type { ManifestObject } from '../../api/objects.js';
import { KeepalivedConfigError, Problems } from './errors.js';
import { isDnsLabel, isDnsSubdomain } from './names.js';
import { parseKeepalivedConfig, type ConfigSource } from './parser.js';
import { readDirector } from './read-director.js';
import { buildObjects } from './build-objects.js';
import { sortManifestObjects } from './to-yaml.js';

export { KeepalivedConfigError, type ConfigProblem } from './errors.js';
export { IGNORED_KEYWORDS, MAPPED_KEYWORDS, REFUSED_KEYWORDS, SCRIPT_KEYWORDS } from './keywords.js';
export { KEEPALIVED_CHECK_DEFAULTS } from './read-checker.js';
export { KEEPALIVED_VRRP_DEFAULTS } from './read-vrrp.js';
export { parseKeepalivedConfig, type ConfigNode, type ConfigSource } from './parser.js';
export { toYaml, sortManifestObjects } from './to-yaml.js';

/** A config given with its text; a bare path is read through `readFile`. */
export interface KeepalivedFile {
  path: string;
  text: string;
}

export interface ImportOptions extends ConfigSource {
  /** The director's Node name; only with a single file. Default: router_id, else the file name. */
  node?: string;
  /** Namespace of the VirtualServices, RealServers and Secrets. Default: `default`. */
  namespace?: string;
}

export interface ImportResult {
  /** Nodes, Secrets, VirtualServices, RealServers, each sorted by name. */
  objects: ManifestObject[];
  /** `file:line: message` for everything imported differently from how it reads, or not at all. */
  warnings: string[];
}

/** Each file is one director's whole keepalived.conf. Throws KeepalivedConfigError only. */
export function importKeepalived(files: readonly (string | KeepalivedFile)[], options: ImportOptions): ImportResult {
  const namespace = options.namespace ?? 'default';
  checkOptions(files.length, options.node, namespace);
  const warnings: string[] = [];
  const problems = new Problems();
  const directors = files.map((file) => {
    const { path, text } = typeof file === 'string' ? { path: file, text: readTopFile(file, options) } : file;
    const parsed = parseKeepalivedConfig(path, text, options);
    warnings.push(...parsed.warnings);
    return readDirector(parsed, options.node, problems);
  });
  problems.throwIfAny();
  const objects = buildObjects(directors, namespace, problems);
  problems.throwIfAny();
  return { objects: sortManifestObjects(objects), warnings: [...warnings, ...problems.warnings] };
}

function checkOptions(fileCount: number, node: string | undefined, namespace: string): void {
  if (fileCount === 0) throw new KeepalivedConfigError({ message: 'no keepalived.conf given' });
  if (node !== undefined && fileCount > 1) {
    throw new KeepalivedConfigError({
      message:
        '--node names the director of a single file; with several files each is named by its router_id or file name',
    });
  }
  if (node !== undefined && !isDnsSubdomain(node))
    throw new KeepalivedConfigError({ message: `--node ${JSON.stringify(node)} is not a valid Node name` });
  if (!isDnsLabel(namespace))
    throw new KeepalivedConfigError({ message: `--namespace ${JSON.stringify(namespace)} is not a valid namespace` });
}

function readTopFile(path: string, source: ConfigSource): string {
  try {
    return source.readFile(path);
  } catch (e) {
    throw new KeepalivedConfigError({
      file: path,
      message: `cannot read: ${e instanceof Error ? e.message : String(e)}`,
    });
  }
}
