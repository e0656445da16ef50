// Splits keepalived.conf text into words, braces and line ends exactly the way keepalived 2.x
// reads it (lib/parser.c), line by line:
// 1. decomment(): the first `#` or `!` outside double quotes starts a comment; `\#` and `\!`
//    outside double quotes are the literal characters; every other backslash stays as it is
//    (keepalived has no escapes in ordinary values); a trailing `\` is glued to the last word.
// 2. read_line(): a `{` or `}` outside double quotes ends the line there, and the brace (with
//    what follows it) is read as the next line: braces are tokens even when glued to a word.
// 3. alloc_strvec_r(): words are separated by blanks; "..." is one word without its quotes and
//    with nothing unescaped; a `"` inside a word ends it. Single quotes are ordinary characters.
import { KeepalivedConfigError } from './errors.js';

export type Token =
  | { kind: 'word'; text: string; file: string; line: number }
  | { kind: 'open' | 'close' | 'eol'; file: string; line: number };

/** keepalived's WHITE_SPACE_STR: what separates words. */
const WHITE_SPACE = /[ \t\f\n\r\v]/;
/** What ends an unquoted word: white space or a double quote. */
const WORD_END = /[ \t\f\n\r\v"]/g;

export function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a BOM is not part of the first keyword
  const lines = body.split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    for (const segment of splitAtBraces(decomment(raw, file, line))) {
      if (segment === '{' || segment === '}') tokens.push({ kind: segment === '{' ? 'open' : 'close', file, line });
      else for (const word of splitWords(segment, file, line)) tokens.push({ kind: 'word', text: word, file, line });
    }
    tokens.push({ kind: 'eol', file, line });
  });
  return tokens;
}

function unterminated(file: string, line: number): KeepalivedConfigError {
  return new KeepalivedConfigError({ file, line, message: 'unterminated quoted string (")' });
}

/** keepalived's decomment(): the line without its comment, `\#` `\!` unescaped, trimmed. */
export function decomment(raw: string, file: string, line: number): string {
  let out = '';
  let quote = false;
  let continued = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '"') {
      quote = !quote;
      out += c;
    } else if (c === '\\') {
      const next = raw[i + 1];
      if (next === undefined) {
        continued = true;
        break;
      }
      out += !quote && (next === '#' || next === '!') ? next : c + next;
      i++;
    } else if (!quote && (c === '#' || c === '!')) {
      break;
    } else {
      out += c;
    }
  }
  if (quote) throw unterminated(file, line);
  out = out.replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
  return continued ? `${out}\\` : out;
}

/** read_line()'s split at the first `{` or `}` outside "...": text before it, the brace, the rest. */
function splitAtBraces(line: string): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest !== '') {
    const at = rest[0] === '{' || rest[0] === '}' ? 0 : firstBrace(rest);
    if (at === undefined) {
      out.push(rest);
      break;
    }
    if (at === 0) {
      out.push(rest[0]!);
      rest = rest.slice(1).replace(/^[ \t]+/, '');
    } else {
      out.push(rest.slice(0, at).replace(/[ \t]+$/, ''));
      rest = rest.slice(at);
    }
  }
  return out;
}

function firstBrace(text: string): number | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '}') return i;
    if (c === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) return undefined;
      i = close;
    }
  }
  return undefined;
}

/** alloc_strvec_r(): blank-separated words, "..." taken whole without its quotes. */
function splitWords(segment: string, file: string, line: number): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < segment.length) {
    if (WHITE_SPACE.test(segment[i]!)) {
      i++;
    } else if (segment[i] === '"') {
      const close = segment.indexOf('"', i + 1);
      if (close < 0) throw unterminated(file, line);
      words.push(segment.slice(i + 1, close));
      i = close + 1;
    } else {
      WORD_END.lastIndex = i;
      const end = WORD_END.exec(segment)?.index ?? segment.length;
      words.push(segment.slice(i, end));
      i = end;
    }
  }
  return words;
}
