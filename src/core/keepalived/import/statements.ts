// Walking a block of statements and reading their arguments, with an error (file and line) for
// every keyword or value the importer cannot carry over.
import { isIPv4, isIPv6 } from 'node:net';
import type { Problems, SourceLocation } from './errors.js';
import { classifyKeyword, REFUSED_KEYWORDS, SCRIPT_KEYWORDS, type BlockContext } from './keywords.js';
import type { ConfigNode } from './parser.js';

/**
 * Calls `handle` for every mapped statement of a block, in order. Ignored statements are skipped
 * (with a warning when they ran a script); refused and unknown ones are errors.
 */
export function forEachMapped(
  context: BlockContext,
  nodes: readonly ConfigNode[] | undefined,
  problems: Problems,
  handle: (node: ConfigNode) => void,
): void {
  for (const node of nodes ?? []) {
    const kind = classifyKeyword(context, node.keyword);
    if (kind === 'mapped') {
      handle(node);
    } else if (kind === 'ignored') {
      warnIgnored(context, node, problems);
    } else if (kind === 'refused') {
      problems.error(node, `${node.keyword} is not supported: ${REFUSED_KEYWORDS[node.keyword]}`);
    } else {
      problems.error(node, `unknown keyword ${JSON.stringify(node.keyword)} in ${describeContext(context)}`);
    }
  }
}

/** Ignored keywords a user may depend on: each gets a warning at its line. */
function warnIgnored(context: BlockContext, node: ConfigNode, problems: Problems): void {
  if (SCRIPT_KEYWORDS.includes(node.keyword)) {
    problems.warn(node, `${node.keyword} is ignored: lvs-operator runs no keepalived scripts`);
  } else if (node.keyword === 'alpha') {
    // virtual_server's alpha takes no value; a real server's or a checker's takes an optional <BOOL>.
    const on = context === 'virtual_server' || readBool(node, problems, 'alpha', node.args[0]) === true;
    if (on)
      problems.warn(
        node,
        'alpha is not carried over: keepalived starts these real servers down until their first check passes; lvs-operator has no such setting and counts a real server up until its check fails (keepalived without alpha)',
      );
  }
}

function describeContext(context: BlockContext): string {
  switch (context) {
    case 'top':
      return 'the top level';
    case 'tcp_check':
      return 'TCP_CHECK';
    case 'http_check':
      return 'HTTP_GET/SSL_GET';
    default:
      return context;
  }
}

/**
 * The statement's arguments when it has at least `min` and no block; else an error. keepalived's
 * handlers read the words they know and ignore the rest, so words beyond `max` are dropped with a
 * warning that names them.
 */
export function argsOf(node: ConfigNode, problems: Problems, min: number, max = min): string[] | undefined {
  if (node.children !== undefined) {
    problems.error(node, `${node.keyword} takes no { } block`);
    return undefined;
  }
  if (node.args.length < min) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    problems.error(node, `${node.keyword} takes ${want} argument${want === '1' ? '' : 's'}, got ${node.args.length}`);
    return undefined;
  }
  if (node.args.length > max) {
    const extra = node.args.slice(max).join(' ');
    problems.warn(
      node,
      `${node.keyword}: keepalived reads ${max === 0 ? 'no value' : `only ${node.args.slice(0, max).join(' ')}`} and ignores ${JSON.stringify(extra)}, and so does the import`,
    );
    return node.args.slice(0, max);
  }
  return node.args;
}

/** The block of a statement that must have one (and the arguments it may carry). */
export function blockOf(
  node: ConfigNode,
  problems: Problems,
  minArgs = 0,
  maxArgs = minArgs,
): ConfigNode[] | undefined {
  if (node.children === undefined) {
    problems.error(node, `${node.keyword} needs a { } block`);
    return undefined;
  }
  if (node.args.length < minArgs || node.args.length > maxArgs) {
    problems.error(
      node,
      `${node.keyword} takes ${minArgs === maxArgs ? minArgs : `${minArgs} to ${maxArgs}`} arguments before its block, got ${node.args.length}`,
    );
    return undefined;
  }
  return node.children;
}

/** A whole decimal number within [min, max]. */
export function readInteger(
  at: SourceLocation,
  problems: Problems,
  what: string,
  text: string,
  min: number,
  max: number,
): number | undefined {
  if (!/^-?\d{1,12}$/.test(text) || Number(text) < min || Number(text) > max) {
    problems.error(at, `${what} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
    return undefined;
  }
  return Number(text);
}

/** A keepalived <TIMER>: seconds, possibly with a fraction, within [min, max]. */
export function readSeconds(
  at: SourceLocation,
  problems: Problems,
  what: string,
  text: string,
  min: number,
  max: number,
): number | undefined {
  if (!/^(\d{1,12}(\.\d{0,9})?|\.\d{1,9})$/.test(text) || Number(text) < min || Number(text) > max) {
    problems.error(at, `${what} must be a number of seconds from ${min} to ${max}, got ${JSON.stringify(text)}`);
    return undefined;
  }
  return Number(text);
}

/**
 * keepalived <BOOL> (check_true_false): on|off|true|false|yes|no, lower case only; a missing value
 * means true. keepalived logs any other value and ignores the statement: undefined, with a warning.
 */
export function readBool(
  at: SourceLocation,
  problems: Problems,
  what: string,
  text: string | undefined,
): boolean | undefined {
  if (text === undefined) return true;
  if (['on', 'true', 'yes'].includes(text)) return true;
  if (['off', 'false', 'no'].includes(text)) return false;
  problems.warn(
    at,
    `${what} ${JSON.stringify(text)} is not on|off|true|false|yes|no (keepalived compares case-sensitively): keepalived logs an invalid parameter and ignores the line, and so does the import`,
  );
  return undefined;
}

/** An IP address in canonical form (IPv6 compressed and lower case), so that equal addresses compare equal. */
export function readAddress(at: SourceLocation, problems: Problems, what: string, text: string): string | undefined {
  const address = canonicalAddress(text);
  if (address === undefined) problems.error(at, `${what} must be an IPv4 or IPv6 address, got ${JSON.stringify(text)}`);
  return address;
}

export function canonicalAddress(text: string): string | undefined {
  if (isIPv4(text)) return text;
  if (!isIPv6(text) || text.includes('%')) return undefined;
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}

export function isV6(address: string): boolean {
  return address.includes(':');
}

export function readPort(at: SourceLocation, problems: Problems, what: string, text: string): number | undefined {
  return readInteger(at, problems, what, text, 1, 65535);
}

/** Keeps the first location of each kind of statement, to report a repeated one. */
export function once(seen: Map<string, SourceLocation>, node: ConfigNode, problems: Problems): boolean {
  const first = seen.get(node.keyword);
  if (first) {
    problems.error(node, `${node.keyword} is given twice (first at ${first.file}:${first.line})`);
    return false;
  }
  seen.set(node.keyword, node);
  return true;
}
