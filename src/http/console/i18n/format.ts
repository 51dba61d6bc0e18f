/**
 * Dates, times and durations for the console, in the site's time zone (the controller's clock is
 * UTC; the office reads WIB). Intl formatters are cached: building one is slow on a Pi.
 */
import type { DenyReason } from '../../../domain/access-policy.js';
import type { VisitState } from '../../../domain/types.js';
import { type Lang, locale, t } from './index.js';

export const DEFAULT_TIME_ZONE = 'Asia/Jakarta';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(loc: string, tz: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${loc}|${tz}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(loc, { ...options, timeZone: tz });
    formatters.set(key, f);
  }
  return f;
}

function parse(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "4 Mar 2025, 09.05" (id-ID) / "4 Mar 2025, 09:05" (en-GB); '—' for a missing or bad value. */
export function formatDateTime(iso: string | null | undefined, lang: Lang, tz = DEFAULT_TIME_ZONE): string {
  const d = parse(iso);
  if (!d) return t(lang).common.none;
  return formatter(locale(lang), tz, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export function formatDate(iso: string | null | undefined, lang: Lang, tz = DEFAULT_TIME_ZONE): string {
  const d = parse(iso);
  if (!d) return t(lang).common.none;
  return formatter(locale(lang), tz, { dateStyle: 'medium' }).format(d);
}

export function formatTime(iso: string | null | undefined, lang: Lang, tz = DEFAULT_TIME_ZONE): string {
  const d = parse(iso);
  if (!d) return t(lang).common.none;
  return formatter(locale(lang), tz, { timeStyle: 'short' }).format(d);
}

/** "1 j 5 mnt" / "1 h 5 min": the two largest units; never negative (a clock skew shows 0). */
export function formatDuration(ms: number, lang: Lang): string {
  const d = t(lang).duration;
  const total = Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 1000)) : 0;
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (days > 0) return hours > 0 ? `${d.days(days)} ${d.hours(hours)}` : d.days(days);
  if (hours > 0) return minutes > 0 ? `${d.hours(hours)} ${d.minutes(minutes)}` : d.hours(hours);
  if (minutes > 0) return seconds > 0 ? `${d.minutes(minutes)} ${d.seconds(seconds)}` : d.minutes(minutes);
  return d.seconds(seconds);
}

/**
 * "12:05" or "1:02:03": the language-neutral clock the live timers show. console.js renders the
 * same format, so the server's first value and the ticking value look alike. Never negative.
 */
export function formatClock(ms: number): string {
  const total = Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 1000)) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

/** Offset of `tz` from UTC at `at`, in milliseconds (WIB: +7 h). */
function tzOffsetMs(at: Date, tz: string): number {
  const parts = formatter('en-US', tz, {
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * A `<input type="datetime-local">` value ("2025-03-04T09:05"), read as wall time in `tz`, to an
 * ISO-8601 UTC string; null when it is not a valid value.
 */
export function localInputToIso(value: string, tz = DEFAULT_TIME_ZONE): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(wall);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  // Two passes settle the offset across a DST change (none in WIB, but the zone is configurable).
  let utc = wall - tzOffsetMs(new Date(wall), tz);
  utc = wall - tzOffsetMs(new Date(utc), tz);
  return new Date(utc).toISOString();
}

/** An ISO instant as a `datetime-local` value in `tz`, for refilling a form; '' when invalid. */
export function isoToLocalInput(iso: string | null | undefined, tz = DEFAULT_TIME_ZONE): string {
  const d = parse(iso);
  if (!d) return '';
  const local = new Date(d.getTime() + tzOffsetMs(d, tz));
  return local.toISOString().slice(0, 16);
}

export function stateLabel(state: VisitState, lang: Lang): string {
  return t(lang).state[state];
}

export function denyReasonLabel(reason: DenyReason, lang: Lang): string {
  return t(lang).deny[reason];
}
