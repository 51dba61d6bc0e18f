/**
 * Where a JSON text stops being JSON, as line and column. Node 20's JSON.parse says neither, and
 * its message quotes the text itself — for state.json that can be a visitor's NIK — so a damaged
 * file is described by this scanner instead: a syntax check only (RFC 8259), no values built.
 */

export interface JsonSyntaxProblem {
  /** 1-based, counted in characters of the decoded text. */
  line: number;
  column: number;
  /** What was found there, in English, without quoting the text. */
  problem: string;
}

class Stop {
  constructor(
    readonly at: number,
    readonly problem: string,
  ) {}
}

const WS = new Set([' ', '\t', '\n', '\r']);

/** Null when `text` is valid JSON; else the first place it is not, and why. */
export function jsonSyntaxError(text: string): JsonSyntaxProblem | null {
  let i = 0;
  const found = () =>
    i >= text.length
      ? 'the end of the text'
      : `character U+${text.codePointAt(i)!.toString(16).padStart(4, '0')}`;
  const fail = (what: string): never => {
    throw new Stop(i, `expected ${what}, found ${found()}`);
  };
  const ws = () => {
    while (i < text.length && WS.has(text[i]!)) i++;
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail(`'${word}'`);
      i++;
    }
  };
  const string = () => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) fail('a closing quote');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail('a character allowed in a string');
      if (c === 0x5c) {
        i++;
        const e = text[i];
        if (e === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail('a hex digit');
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) fail('an escape character');
      }
      i++;
    }
  };
  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (/[1-9]/.test(text[i] ?? '')) while (/[0-9]/.test(text[i] ?? '')) i++;
    else fail('a digit');
    if (text[i] === '.') {
      i++;
      if (!/[0-9]/.test(text[i] ?? '')) fail('a digit');
      while (/[0-9]/.test(text[i] ?? '')) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!/[0-9]/.test(text[i] ?? '')) fail('a digit');
      while (/[0-9]/.test(text[i] ?? '')) i++;
    }
  };
  // Containers are tracked on an explicit stack: a deeply nested file cannot overflow ours.
  const value = () => {
    const stack: ('{' | '[')[] = [];
    for (;;) {
      ws();
      const c = text[i];
      if (c === '{' || c === '[') {
        i++;
        ws();
        if (text[i] === (c === '{' ? '}' : ']')) {
          i++;
        } else {
          stack.push(c);
          if (c === '{') key();
          continue;
        }
      } else if (c === '"') string();
      else if (c === 't') literal('true');
      else if (c === 'f') literal('false');
      else if (c === 'n') literal('null');
      else if (c === '-' || /[0-9]/.test(c ?? '')) number();
      else fail('a value');
      // After a value: close containers or move to the next member.
      for (;;) {
        const top = stack[stack.length - 1];
        if (top === undefined) return;
        ws();
        if (text[i] === ',') {
          i++;
          if (top === '{') key();
          break;
        }
        if (text[i] === (top === '{' ? '}' : ']')) {
          i++;
          stack.pop();
          continue;
        }
        fail(top === '{' ? "',' or '}'" : "',' or ']'");
      }
    }
  };
  const key = () => {
    ws();
    if (text[i] !== '"') fail('a quoted property name');
    string();
    ws();
    if (text[i] !== ':') fail("':'");
    i++;
  };
  try {
    value();
    ws();
    if (i < text.length) fail('the end of the text');
    return null;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < err.at && k < text.length; k++) {
      if (text[k] === '\n') {
        line++;
        lineStart = k + 1;
      }
    }
    return { line, column: err.at - lineStart + 1, problem: err.problem };
  }
}

/**
 * Parses a JSON text, or says in one line what is wrong with it: `JSON syntax error at line L,
 * column C: expected …`, or `empty (0 bytes)`. Never quotes the text.
 */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  if (text.length === 0) return { ok: false, problem: 'empty (0 bytes)' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    const p = jsonSyntaxError(text);
    return {
      ok: false,
      problem: p ? `JSON syntax error at line ${p.line}, column ${p.column}: ${p.problem}` : 'not valid JSON',
    };
  }
}
