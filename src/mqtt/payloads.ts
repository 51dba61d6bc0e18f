/**
 * Builds the published payloads from journal events and door snapshots. Event data already leaves
 * out NIK and phone numbers; `scrubPersonalData` is the second line of defence at the edge: it also
 * masks numbers embedded in free text ("NIK 3319014507900003 salah" → "NIK [redacted] salah").
 */
import type { JournalEvent } from '../domain/events.js';
import type { DoorSnapshot } from '../door/door-controller.js';
import type { AccessMessage, EventMessage, StateMessage } from './types.js';

const PERSONAL_KEYS = new Set(['nik', 'phone', 'phonenumber', 'nohp', 'telepon', 'ktp']);
export const REDACTED = '[redacted]';

/** The shortest thing redacted is a phone number: 0, 8, then 7 more digits. */
const MIN_DIGITS = 9;
/**
 * A run of digits, optionally led by `+`, whose digits may be split by up to three spaces or
 * dashes each ("0812-3456-7890", "+62 812 3456 7890", "3319 0145 0790 0003"). Not preceded or
 * followed by a digit, so a run is always whole.
 */
const RUN_RE = /(?<!\d)\+?\d(?:[ \t-]{0,3}\d)*(?!\d)/g;
const GROUP_SPLIT_RE = /[ \t-]+/;
/** Indonesian phone numbers: +62, 62 or 0, then 8, then 7 to 12 more digits. */
const PHONE_RE = /^(?:\+?62|0)8\d{7,12}$/;
/** A whole-string id (UUID, hex hash) is never personal data, even if its digits line up. */
const ID_RE = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?=\d*[a-f])[0-9a-f]{32,})$/i;

/**
 * Whether a run spells a NIK or a phone number: any 16 or more digits together (a NIK, or two
 * numbers written side by side), or any stretch of its groups that reads as a phone number — so
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

/** `s` with every NIK- or phone-shaped run inside it replaced by the mask. */
export function scrubString(s: string): string {
  // Fast path: fewer characters than the shortest phone number, or no nine digits in a row (with
  // separators): most strings (ids, names, short reasons) stop here with one scan.
  if (s.length < MIN_DIGITS || !/\d(?:[ \t-]{0,3}\d){8}/.test(s)) return s;
  if (ID_RE.test(s)) return s;
  return s.replace(RUN_RE, (run) => (isPersonalRun(run) ? REDACTED : run));
}

/**
 * A copy of `value` without NIK/phone keys, and with every NIK- or phone-shaped number inside any
 * string (free text too: reason, note, purpose, by) replaced by `[redacted]`.
 */
export function scrubPersonalData(value: unknown): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (Array.isArray(value)) return value.map(scrubPersonalData);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (PERSONAL_KEYS.has(k.toLowerCase().replace(/[_-]/g, ''))) continue;
      out[k] = scrubPersonalData(v);
    }
    return out;
  }
  return value;
}

export function eventMessage(ev: JournalEvent): EventMessage {
  return {
    id: ev.id,
    seq: ev.seq,
    type: ev.type,
    at: ev.at,
    door: ev.door,
    data: scrubPersonalData(ev.data ?? {}) as Record<string, unknown>,
  };
}

const ACCESS_TYPES: Record<string, AccessMessage['event_type']> = {
  'access.granted': 'granted',
  'access.denied': 'denied',
  'access.awaiting_escort': 'awaiting_escort',
  'access.exit': 'exit',
};

/** The Home Assistant event-entity message for access events; null for every other type. */
export function accessMessage(ev: JournalEvent): AccessMessage | null {
  const kind = ACCESS_TYPES[ev.type];
  if (!kind) return null;
  const d = ev.data ?? {};
  const msg: AccessMessage = { event_type: kind, id: ev.id, seq: ev.seq, at: ev.at };
  if (typeof d.name === 'string') msg.name = scrubPersonalData(d.name) as string;
  if (typeof d.reason === 'string') msg.reason = scrubString(d.reason);
  if (typeof d.reader === 'string') msg.reader = d.reader;
  return msg;
}

export function stateMessage(s: DoorSnapshot, now: Date): StateMessage {
  const inside = s.inside.map((o) => {
    const base = {
      badgeId: o.badgeId,
      kind: o.kind,
      name: scrubPersonalData(o.name) as string,
      visitId: o.visitId,
      userId: o.userId,
      since: o.since,
    };
    if (o.kind !== 'visitor') return base;
    const escorts = o.escortedBy ?? [];
    const escorted = s.inside.some(
      (p) => p.kind === 'staff' && p.userId !== null && escorts.includes(p.userId),
    );
    return { ...base, escortedBy: escorts, escorted };
  });
  return {
    door: s.door,
    lock: s.lock,
    contact: s.contact,
    mode: s.mode,
    occupied: inside.length > 0,
    inside,
    pending: s.pending.length,
    alarms: { forced: s.alarms.forced, heldOpen: s.alarms.heldOpen },
    at: now.toISOString(),
  };
}
