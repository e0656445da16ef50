// Splits keepalived.conf text into words, braces and line ends, the way keepalived reads it:
// `#` and `!` start a comment anywhere outside quotes, braces are tokens even when glued to a
// word, and "..." or '...' quote (with shell-like escapes) a part of a word.
import { KeepalivedConfigError } from './errors.js';

export type Token =
  | { kind: 'word'; text: string; file: string; line: number }
  | { kind: 'open' | 'close' | 'eol'; file: string; line: number };

/** Any whitespace but the line end separates words (the regex below must agree, or the loop stalls). */
const BLANK = /\s/;
/** Characters that end an unquoted run of a word. */
const WORD_END = /[\s#!{}"']/g;

export function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a BOM is not part of the first keyword
  let word: string | undefined;
  const flushWord = (): void => {
    if (word !== undefined) tokens.push({ kind: 'word', text: word, file, line });
    word = undefined;
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      flushWord();
      tokens.push({ kind: 'eol', file, line });
      line++;
      i++;
    } else if (BLANK.test(c)) {
      flushWord();
      i++;
    } else if (c === '#' || c === '!') {
      flushWord();
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === '{' || c === '}') {
      flushWord();
      tokens.push({ kind: c === '{' ? 'open' : 'close', file, line });
      i++;
    } else if (c === '"' || c === "'") {
      const quoted = readQuoted(text, i, file, line);
      word = (word ?? '') + quoted.text;
      i = quoted.end;
    } else {
      // Take the whole unquoted run at once: building words char by char is quadratic on long lines.
      WORD_END.lastIndex = i;
      const m = WORD_END.exec(text);
      const end = m ? m.index : text.length;
      word = (word ?? '') + text.slice(i, end);
      i = end;
    }
  }
  flushWord();
  tokens.push({ kind: 'eol', file, line });
  return tokens;
}

/** The quoted part starting at `start` (a quote), without its quotes; quotes never span lines. */
function readQuoted(text: string, start: number, file: string, line: number): { text: string; end: number } {
  const quote = text[start]!;
  let out = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') break;
    if (c === quote) return { text: out, end: i + 1 };
    if (c === '\\' && i + 1 < text.length && text[i + 1] !== '\n') {
      const escaped = readEscape(text, i + 1);
      out += escaped.text;
      i = escaped.end;
      continue;
    }
    out += c;
    i++;
  }
  throw new KeepalivedConfigError({ file, line, message: `unterminated quoted string (${quote})` });
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** keepalived.conf(5): \a \b \E \f \n \r \t \v, \nnn octal, \xXX hex, \cC control, \C = C. */
function readEscape(text: string, at: number): { text: string; end: number } {
  const c = text[at]!;
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return { text: simple, end: at + 1 };
  const octal = /^[0-7]{1,3}/.exec(text.slice(at, at + 3));
  if (octal) return { text: String.fromCharCode(parseInt(octal[0], 8) & 0xff), end: at + octal[0].length };
  if (c === 'x') {
    const hex = /^[0-9a-fA-F]{1,2}/.exec(text.slice(at + 1, at + 3));
    if (hex) return { text: String.fromCharCode(parseInt(hex[0], 16)), end: at + 1 + hex[0].length };
  }
  if (c === 'c' && at + 1 < text.length && text[at + 1] !== '\n') {
    return { text: String.fromCharCode(text.charCodeAt(at + 1) & 0x1f), end: at + 2 };
  }
  return { text: c, end: at + 1 };
}
