// Errors and warnings of the keepalived.conf importer. Every problem names the file and line it
// comes from, so that a user can fix the config (or see what we did not carry over) directly.

/** Where a statement came from. */
export interface SourceLocation {
  file: string;
  line: number;
}

/** One thing that stops the import. */
export interface ConfigProblem {
  file?: string;
  line?: number;
  message: string;
}

/** `file:line: message`, the way compilers say it. */
export function formatProblem(p: ConfigProblem): string {
  if (p.file === undefined) return p.message;
  return p.line === undefined ? `${p.file}: ${p.message}` : `${p.file}:${p.line}: ${p.message}`;
}

/**
 * The only error the importer throws. Parsing stops at the first syntax error; mapping collects
 * every refused or invalid keyword of all files first, so that one run lists everything to fix.
 */
export class KeepalivedConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(problems: ConfigProblem | readonly ConfigProblem[]) {
    const list = Array.isArray(problems) ? [...(problems as readonly ConfigProblem[])] : [problems as ConfigProblem];
    const message =
      list.length === 1
        ? formatProblem(list[0]!)
        : `${list.length} problems in the keepalived configuration:\n${list.map((p) => `  ${formatProblem(p)}`).join('\n')}`;
    super(message);
    this.name = 'KeepalivedConfigError';
    this.problems = list;
    this.file = list[0]?.file;
    this.line = list[0]?.line;
  }
}

/** Collects errors and warnings while the files are mapped; `throwIfAny` ends the import. */
export class Problems {
  readonly errors: ConfigProblem[] = [];
  readonly warnings: string[] = [];

  // Several virtual services can share one VRRP instance; its problems are reported once.
  private readonly seen = new Set<string>();

  error(at: SourceLocation | undefined, message: string): void {
    const problem = { file: at?.file, line: at?.line, message };
    if (this.first(`E${formatProblem(problem)}`)) this.errors.push(problem);
  }

  warn(at: SourceLocation | undefined, message: string): void {
    const text = formatProblem({ file: at?.file, line: at?.line, message });
    if (this.first(`W${text}`)) this.warnings.push(text);
  }

  private first(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  throwIfAny(): void {
    if (this.errors.length > 0) throw new KeepalivedConfigError(this.errors);
  }
}
