/**
 * Personal data in free text (Law 27/2022): a NIK or a phone number typed into a name, a purpose
 * or a note must not reach the journal, MQTT or the logs, in whatever format it was typed
 * ("3319.0145.0790.0003", "3319/0145/0790/0003", full-width or Javanese digits, a zero-width
 * space between groups). Every free-text field is cleaned at input with `cleanFreeText`; the
 * MQTT edge scrubs again with `scrubText` as a second line of defence.
 *
 * Cleaning also removes control, bidirectional-override and zero-width characters, which could
 * otherwise spoof a console or dashboard line ("U+202E" turning a name around, CR/LF forging a
 * second line, ESC sequences in a terminal).
 */

export const REDACTED = '[redacted]';

/** The shortest thing redacted is a phone number: 0, 8, then 7 more digits. */
const MIN_DIGITS = 9;

/**
 * C0/C1 controls, zero-width characters, bidi embeddings/overrides/isolates, the BOM, and line /
 * paragraph separators. (Tab and line feed are handled by the callers.)
 */
const INVISIBLE_RE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u2028-\u202E\u2060-\u206F\uFEFF]/g;

/** Whether `s` holds any character `cleanFreeText` would remove (for refusing identifiers). */
export function hasInvisibleCharacters(s: string): boolean {
  INVISIBLE_RE.lastIndex = 0;
  return INVISIBLE_RE.test(s) || /[\t\n\r]/.test(s);
}

const ND_RE = /\p{Nd}/u;

/**
 * Any Unicode decimal digit as its ASCII digit: Unicode keeps each script's digits as a
 * contiguous run of ten, so the value is the distance from the run's zero.
 */
function asciiDigit(ch: string): string {
  const cp = ch.codePointAt(0) as number;
  if (cp >= 48 && cp <= 57) return ch;
  let zero = cp;
  while (zero > 0 && ND_RE.test(String.fromCodePoint(zero - 1))) zero--;
  return String((cp - zero) % 10);
}

/** Every decimal digit in `s`, in any script (full-width, Arabic-Indic, Javanese…), as ASCII. */
export function normaliseDigits(s: string): string {
  if (/^[\x20-\x7E]*$/.test(s)) return s;
  return s.replace(/\p{Nd}/gu, asciiDigit);
}

/**
 * A run of digits, optionally led by `+`, whose digits may be split by up to three separators
 * each: spaces (any width), dashes, dots, slashes, underscores, middle dots. Not preceded or
 * followed by a digit, so a run is always whole.
 */
const SEP = '[ \\t\\u00A0\\u1680\\u2000-\\u200A\\u202F\\u205F\\u3000.\\-\\u2010-\\u2015\\u2212/_\\u00B7\\\\]';
const RUN_RE = new RegExp(`(?<!\\d)\\+?\\d(?:${SEP}{0,3}\\d)*(?!\\d)`, 'g');
const NINE_RE = new RegExp(`\\d(?:${SEP}{0,3}\\d){8}`);
const GROUP_SPLIT_RE = new RegExp(`${SEP}+`);
/** Indonesian phone numbers: +62, 62 or 0, then 8, then 7 to 12 more digits. */
const PHONE_RE = /^(?:\+?62|0)8\d{7,12}$/;
/** A whole-string id (UUID, hex hash) is never personal data, even if its digits line up. */
const ID_RE = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?=\d*[a-f])[0-9a-f]{32,})$/i;

/**
 * Whether a run spells a NIK or a phone number: any 16 or more digits together (a NIK, or two
 * numbers side by side), or any stretch of its groups that reads as a phone number — so
 * "1 0812 3456 7890" or "0812345678 2024" are caught as well as the plain forms.
 */
function isPersonalRun(run: string): boolean {
  let digits = 0;
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  if (digits < MIN_DIGITS) return false;
  if (digits >= 16) return true;
  // Fewer than 16 digits: at most 15 groups, so this is a few hundred short tests at worst.
  const groups = run.split(GROUP_SPLIT_RE);
  for (let i = 0; i < groups.length; i++) {
    let compact = '';
    for (let j = i; j < groups.length; j++) {
      compact += groups[j];
      if (compact.length >= MIN_DIGITS && PHONE_RE.test(compact)) return true;
    }
  }
  return false;
}

/**
 * `s` with every NIK- or phone-shaped run replaced by the mask. Invisible characters are
 * dropped and digits read in any script first, so no spelling slips through.
 */
export function scrubText(s: string): string {
  // Fast path: most strings (ids, names, short reasons) stop here with one scan.
  if (s.length < MIN_DIGITS) return s;
  INVISIBLE_RE.lastIndex = 0;
  const plain = normaliseDigits(s.replace(INVISIBLE_RE, ''));
  if (!NINE_RE.test(plain)) return s;
  if (ID_RE.test(plain)) return s;
  return plain.replace(RUN_RE, (run) => (isPersonalRun(run) ? REDACTED : run));
}

/**
 * A free-text field as it may be stored: invisible characters removed, whitespace runs
 * collapsed (line breaks kept only when `multiline`), trimmed, digits in ASCII, and any NIK or
 * phone number inside it masked.
 */
export function cleanFreeText(s: string, opts: { multiline?: boolean } = {}): string {
  INVISIBLE_RE.lastIndex = 0;
  let t = s.replace(/\r\n?/g, '\n').replace(INVISIBLE_RE, '');
  t = opts.multiline
    ? t
        .split('\n')
        .map((line) => line.replace(/[\t ]+/g, ' ').trim())
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
    : t.replace(/\s+/g, ' ');
  return scrubText(normaliseDigits(t.trim()));
}

/** Identifiers (serial numbers, usernames): invisible characters removed, trimmed, nothing masked. */
export function stripInvisible(s: string): string {
  INVISIBLE_RE.lastIndex = 0;
  return normaliseDigits(s.replace(INVISIBLE_RE, '').replace(/\s+/g, ' ').trim());
}

/** `cleanFreeText` for optional fields: null/undefined stay as they are. */
export function cleanOptional<T extends string | null | undefined>(s: T, multiline = false): T {
  return (typeof s === 'string' ? cleanFreeText(s, { multiline }) : s) as T;
}
