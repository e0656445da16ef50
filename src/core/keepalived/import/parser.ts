// keepalived.conf text -> a tree of statements (`keyword args... { children }`), each with its
// file and line. Includes are spliced in at the token level, as keepalived does it, through an
// injected readFile/glob so that parsing stays pure (and testable without a file system).
import { posix } from 'node:path';
import { KeepalivedConfigError } from './errors.js';
import { tokenize, type Token } from './tokenizer.js';

export interface ConfigNode {
  keyword: string;
  args: string[];
  /** The statements of its `{ ... }` block; undefined when the statement has no block. */
  children: ConfigNode[] | undefined;
  file: string;
  line: number;
}

/** How the parser reaches included files. Paths are passed as the config names them, made relative to the including file. */
export interface ConfigSource {
  readFile(path: string): string;
  glob(pattern: string): string[];
}

export interface ParsedConfig {
  file: string;
  nodes: ConfigNode[];
  warnings: string[];
}

/** keepalived's include and its checking variants; all are read the same way here. */
const INCLUDE_KEYWORDS = new Set(['include', 'includer', 'includem', 'includew', 'includeb', 'includea']);
/** Bounds, so that a hostile or broken config cannot make the importer run away. */
const MAX_INCLUDE_DEPTH = 16;
const MAX_TOKENS = 2_000_000;

export function parseKeepalivedConfig(file: string, text: string, source: ConfigSource): ParsedConfig {
  const warnings: string[] = [];
  const budget = { tokens: 0 };
  const tokens = expandIncludes(file, text, source, [posix.normalize(file)], warnings, budget);
  return { file, nodes: buildTree(tokens), warnings };
}

function fail(at: { file: string; line: number }, message: string): KeepalivedConfigError {
  return new KeepalivedConfigError({ file: at.file, line: at.line, message });
}

function expandIncludes(
  file: string,
  text: string,
  source: ConfigSource,
  stack: string[],
  warnings: string[],
  budget: { tokens: number },
): Token[] {
  const tokens = tokenize(text, file);
  budget.tokens += tokens.length;
  if (budget.tokens > MAX_TOKENS) throw fail({ file, line: 1 }, `configuration too large (over ${MAX_TOKENS} tokens)`);
  const out: Token[] = [];
  let atStatementStart = true;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'word') {
      out.push(t);
      atStatementStart = true;
      continue;
    }
    if (atStatementStart) rejectPreprocessorSyntax(t);
    if (!(atStatementStart && INCLUDE_KEYWORDS.has(t.text))) {
      out.push(t);
      atStatementStart = false;
      continue;
    }
    const args: string[] = [];
    while (tokens[i + 1]?.kind === 'word') args.push((tokens[++i] as { text: string }).text);
    const next = tokens[i + 1];
    if (next && next.kind !== 'eol') throw fail(t, `${t.text} must stand on a line of its own`);
    if (args.length !== 1) throw fail(t, `${t.text} takes one file name or pattern, got ${args.length}`);
    for (const included of resolveInclude(t, args[0]!, source, stack, warnings)) {
      const childText = readIncluded(t, included, source);
      const childTokens = expandIncludes(
        included,
        childText,
        source,
        [...stack, posix.normalize(included)],
        warnings,
        budget,
      );
      // A loop, not push(...spread): spreading a huge array overflows the call stack.
      for (const ct of childTokens) out.push(ct);
    }
  }
  return out;
}

/** keepalived's $VAR=value definitions, @conditional lines and ~SEQ() loops are not carried over. */
function rejectPreprocessorSyntax(t: Token & { kind: 'word' }): void {
  if (t.text.startsWith('$')) throw fail(t, `parameter substitution (${t.text}) is not supported by the importer`);
  if (t.text.startsWith('@')) throw fail(t, `conditional configuration (${t.text}) is not supported by the importer`);
  if (t.text.startsWith('~SEQ')) throw fail(t, `~SEQ loops are not supported by the importer`);
}

function resolveInclude(
  at: Token,
  pattern: string,
  source: ConfigSource,
  stack: string[],
  warnings: string[],
): string[] {
  if (stack.length > MAX_INCLUDE_DEPTH) throw fail(at, `includes nested deeper than ${MAX_INCLUDE_DEPTH}`);
  // keepalived changes into the including file's directory, so relative patterns are relative to it.
  const resolved = posix.isAbsolute(pattern) ? pattern : posix.join(posix.dirname(at.file), pattern);
  let matches: string[];
  try {
    matches = [...source.glob(resolved)].sort();
  } catch (e) {
    throw fail(at, `cannot list ${resolved}: ${describe(e)}`);
  }
  if (matches.length === 0) warnings.push(`${at.file}:${at.line}: include ${pattern} matches no file`);
  for (const match of matches) {
    const normal = posix.normalize(match);
    if (stack.includes(normal)) throw fail(at, `include cycle: ${[...stack, normal].join(' -> ')}`);
  }
  return matches;
}

function readIncluded(at: Token, path: string, source: ConfigSource): string {
  try {
    return source.readFile(path);
  } catch (e) {
    throw fail(at, `cannot read included file ${path}: ${describe(e)}`);
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Statements end at a line end or a brace. A `{` opens the block of the statement on its line, or
 * of the statement just before it (braces on the next line); a block may span included files.
 */
function buildTree(tokens: readonly Token[]): ConfigNode[] {
  const root: ConfigNode[] = [];
  const open: ConfigNode[] = [];
  let current: ConfigNode | undefined;
  let previous: ConfigNode | undefined;
  for (const t of tokens) {
    if (t.kind === 'word') {
      if (current) {
        current.args.push(t.text);
      } else {
        current = { keyword: t.text, args: [], children: undefined, file: t.file, line: t.line };
        (open.at(-1)?.children ?? root).push(current);
        previous = undefined;
      }
    } else if (t.kind === 'eol') {
      if (current) previous = current;
      current = undefined;
    } else if (t.kind === 'open') {
      const owner = current ?? previous;
      if (!owner || owner.children) throw fail(t, "unexpected '{'");
      owner.children = [];
      open.push(owner);
      current = previous = undefined;
    } else {
      if (open.length === 0) throw fail(t, "unexpected '}'");
      open.pop();
      current = previous = undefined;
    }
  }
  const unclosed = open.at(-1);
  if (unclosed) throw fail(unclosed, `'{' of ${unclosed.keyword} is never closed`);
  return root;
}
