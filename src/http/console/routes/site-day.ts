/** Calendar days in the site's time zone, for "today's visits" and the register's date range. */
import { localInputToIso } from '../i18n/format.js';

/** yyyy-mm-dd of `at` in `timeZone`. */
export function siteDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/** The instant a site day (yyyy-mm-dd) starts, ISO; null for anything that is not such a day. */
export function dayStart(day: string, timeZone: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  return localInputToIso(`${day}T00:00`, timeZone);
}

/** The instant the day after `day` starts (the exclusive end of a range ending on `day`). */
export function dayEnd(day: string, timeZone: string): string | null {
  const start = dayStart(day, timeZone);
  if (!start) return null;
  const next = siteDate(new Date(Date.parse(start) + 36 * 3600_000), timeZone);
  return dayStart(next, timeZone);
}
