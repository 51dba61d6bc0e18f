/**
 * Builds the published payloads from journal events and door snapshots. Event data already leaves
 * out NIK and phone numbers; `scrubPersonalData` is the second line of defence at the edge: it also
 * masks numbers embedded in free text ("NIK 3319014507900003 salah" → "NIK [redacted] salah").
 */
import type { JournalEvent } from '../domain/events.js';
import { REDACTED, scrubText } from '../domain/personal-data.js';
import type { DoorSnapshot } from '../door/door-controller.js';
import type { AccessMessage, EventMessage, StateMessage } from './types.js';

const PERSONAL_KEYS = new Set(['nik', 'phone', 'phonenumber', 'nohp', 'telepon', 'ktp']);

export { REDACTED };

const ANY_DIGIT_RE = /\p{Nd}/u;

/**
 * The one scrubber (src/domain/personal-data.ts), applied again at the edge. It masks digit runs
 * only, so a string without a digit in any script is returned as it is without the full pass
 * (which strips invisible characters and reads every script's digits first): most event fields
 * (reasons, readers, types) take one scan.
 */
export function scrubString(s: string): string {
  return ANY_DIGIT_RE.test(s) ? scrubText(s) : s;
}

/** Keys already judged: a journal holds few distinct keys, so each is normalised once. */
const personalKeyCache = new Map<string, boolean>();

function isPersonalKey(k: string): boolean {
  let personal = personalKeyCache.get(k);
  if (personal === undefined) {
    personal = PERSONAL_KEYS.has(k.toLowerCase().replace(/[_-]/g, ''));
    if (personalKeyCache.size < 1000) personalKeyCache.set(k, personal);
  }
  return personal;
}

/**
 * A copy of `value` without NIK/phone keys, and with every NIK- or phone-shaped number inside any
 * string (free text too: reason, note, purpose, by) replaced by `[redacted]`.
 */
export function scrubPersonalData(value: unknown): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (Array.isArray(value)) return value.map(scrubPersonalData);
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj)) {
      if (isPersonalKey(k)) continue;
      out[k] = scrubPersonalData(obj[k]);
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

/** The retained `<base>/<door>/journal/head` payload: the last event the broker acknowledged. */
export function journalHeadMessage(ev: Pick<JournalEvent, 'seq' | 'hash' | 'at' | 'door'>) {
  return { door: ev.door, seq: ev.seq, hash: ev.hash, at: ev.at };
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
    // An anchor outside the Pi: verify-journal --anchor SEQ:HASH checks a journal against it.
    ...(s.journal ? { journal: { seq: s.journal.seq, hash: s.journal.hash } } : {}),
    at: now.toISOString(),
  };
}
