/**
 * Builds the published payloads from journal events and door snapshots. Event data already leaves
 * out NIK and phone numbers; `scrubPersonalData` is the second line of defence at the edge.
 */
import type { JournalEvent } from '../domain/events.js';
import type { DoorSnapshot } from '../door/door-controller.js';
import type { AccessMessage, EventMessage, StateMessage } from './types.js';

const PERSONAL_KEYS = new Set(['nik', 'phone', 'phonenumber', 'nohp', 'telepon', 'ktp']);
const NIK_RE = /^\d{16}$/;
const PHONE_RE = /^(\+?62|0)8\d{7,12}$/;
const MAYBE_NUMBER_RE = /^[\s\d+-]+$/;

/** A copy of `value` without NIK/phone keys, and with NIK- or phone-shaped strings redacted. */
export function scrubPersonalData(value: unknown): unknown {
  if (typeof value === 'string') {
    // Only digits, spaces, dashes and a plus can spell a NIK or a phone number: most strings
    // (ids, names, reasons) fail this cheap test and skip the two full patterns.
    if (value.length < 9 || !MAYBE_NUMBER_RE.test(value)) return value;
    const compact = value.replace(/[\s-]/g, '');
    return NIK_RE.test(compact) || PHONE_RE.test(compact) ? '[redacted]' : value;
  }
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
  if (typeof d.reason === 'string') msg.reason = d.reason;
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
