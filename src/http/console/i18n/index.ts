/**
 * The console's message catalogues: Indonesian (default) and English, one file each. `t(lang)`
 * gives the catalogue; `langFromRequest` picks the language from what a request carries.
 */
import { en } from './en.js';
import { id, type Messages } from './id.js';

export type { Messages };
export const LANGS = ['id', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'id';
/** The cookie a `?lang=` link sets, read before anything else. */
export const LANG_COOKIE = 'jk_lang';

const CATALOGUES: Record<Lang, Messages> = { id, en };

export function t(lang: Lang): Messages {
  return CATALOGUES[lang];
}

export function isLang(value: unknown): value is Lang {
  return value === 'id' || value === 'en';
}

/** BCP 47 locale for Intl formatting. */
export function locale(lang: Lang): string {
  return lang === 'id' ? 'id-ID' : 'en-GB';
}

/** One cookie's value from a raw Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A language tag from Accept-Language (`in` is the old code for Indonesian). */
function tagLang(tag: string): Lang | undefined {
  const primary = tag.trim().toLowerCase().split('-')[0];
  if (primary === 'id' || primary === 'in') return 'id';
  if (primary === 'en') return 'en';
  return undefined;
}

/** The highest-weighted language we have from an Accept-Language header; ties keep header order. */
export function langFromAcceptLanguage(header: string | undefined): Lang | undefined {
  if (!header) return undefined;
  let best: { lang: Lang; q: number } | undefined;
  for (const item of header.split(',')) {
    const [tag = '', ...params] = item.split(';');
    const lang = tagLang(tag);
    if (!lang) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { lang, q };
  }
  return best?.lang;
}

/**
 * The language of a console response. The `jk_lang` cookie wins (it is what the visitor chose
 * with the language switch), then `?lang=`, then Accept-Language, then Indonesian.
 * `cookieHeader` is the raw Cookie header.
 */
export function langFromRequest(
  cookieHeader: string | undefined,
  acceptLanguage: string | undefined,
  queryLang?: string | undefined,
): Lang {
  const fromCookie = readCookie(cookieHeader, LANG_COOKIE);
  if (isLang(fromCookie)) return fromCookie;
  if (isLang(queryLang)) return queryLang;
  return langFromAcceptLanguage(acceptLanguage) ?? DEFAULT_LANG;
}

/**
 * The Set-Cookie value a route sends when a request carries `?lang=` (then it redirects to the
 * same path without it). Not HttpOnly on purpose: it holds no secret. A year long.
 */
export function langCookie(lang: Lang, secure: boolean): string {
  return `${LANG_COOKIE}=${lang}; Path=/; Max-Age=31536000; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/** Each language named in itself, for the language switch. */
export const LANG_NAMES: Record<Lang, string> = { id: 'Bahasa Indonesia', en: 'English' };
