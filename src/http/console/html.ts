/**
 * Server-side HTML with escaping by default. Every value interpolated into `html\`…\`` is escaped
 * for both text and (quoted) attribute contexts, so a page cannot be made to run a visitor's input.
 * Trusted markup passes only as an `Html` value: the result of another `html` template, or an
 * explicit `raw()` for a fragment the code itself wrote.
 *
 * Html is a small class rather than a branded `string`: a primitive string cannot carry a mark at
 * run time, so a nested template could not be told from an untrusted string without either
 * escaping it twice or trusting every string. `String(page)` / `page.toString()` gives the text
 * to send.
 *
 * Always quote attribute values (`href="${x}"`): escaping cannot protect an unquoted attribute.
 * URLs in href/src/action go through `safeUrl()` as well, which escaping alone does not cover
 * (`javascript:` has nothing to escape).
 */
export class Html {
  readonly #text: string;

  /** Use `html` or `raw()`; the constructor is for this module. */
  constructor(text: string) {
    this.#text = text;
  }

  toString(): string {
    return this.#text;
  }
}

/**
 * What may be interpolated. `true` is left out on purpose so `${flag}` is a type error, while
 * `${cond && html\`…\`}` works: false, null and undefined render nothing.
 */
export type Interpolation =
  | Html
  | string
  | number
  | bigint
  | false
  | null
  | undefined
  | readonly Interpolation[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** Tagged template: the literal parts are trusted markup, every interpolation is escaped. */
export function html(strings: TemplateStringsArray, ...values: readonly Interpolation[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** A fragment the code itself wrote (never user input), passed through unescaped. */
export function raw(trusted: string): Html {
  return new Html(trusted);
}

/** Joins fragments with a separator (itself escaped unless it is Html). */
export function join(items: readonly Interpolation[], separator: Interpolation = ''): Html {
  const sep = render(separator);
  return new Html(
    items
      .map(render)
      .filter((s) => s !== '')
      .join(sep),
  );
}

/** What `safeUrl` returns for a refused URL: a link that goes nowhere. */
export const BLOCKED_URL = '#';

/**
 * A URL that is safe in href/src/action: relative (`/x`, `x`, `?q`, `#f`) or absolute http(s).
 * Anything else (`javascript:`, `data:`, `vbscript:`, protocol-relative `//host`) becomes '#'.
 * Browsers ignore whitespace and control characters inside a scheme (`java\tscript:`), so the
 * check looks at the URL with those removed.
 */
export function safeUrl(url: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it strips
  const probe = url.replace(/[\u0000-\u0020\u007f]/g, '');
  if (/^[/\\]{2}/.test(probe)) return BLOCKED_URL;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(probe);
  if (scheme) return /^https?$/i.test(scheme[1]!) ? url.trim() : BLOCKED_URL;
  // A colon before any / ? # would be read as a scheme by some parsers; refuse it.
  if (/^[^/?#]*:/.test(probe)) return BLOCKED_URL;
  return url.trim();
}
