import type { DenyReason } from './access-policy.js';
import type { DoorChannel } from './door-modes.js';
import type { BadgeKind, DoorMode, Role, VisitState } from './types.js';

/**
 * Every event the journal can hold. The journal is the single source of events: MQTT, the live
 * feed and reports all read it. Payloads never hold NIK or phone numbers.
 */
export const EVENT_TYPES = [
  'system.started',
  'system.stopped',
  'journal.recovered',
  'visit.submitted',
  'visit.verified',
  'visit.approved',
  'visit.rejected',
  'visit.badge_issued',
  'visit.entered',
  'visit.checked_out',
  'visit.device_unexpected',
  'visit.closed',
  'visit.cancelled',
  'visit.expired',
  'visit.archived',
  'visit.personal_data_viewed',
  'access.granted',
  'access.denied',
  'access.awaiting_escort',
  'access.exit',
  'door.unlocked',
  'door.locked',
  'door.opened',
  'door.closed',
  'door.forced',
  'door.held_open',
  'door.exit_request',
  'door.mode_changed',
  'door.occupancy_cleared',
  'alarm.visitor_unescorted',
  'alarm.anti_passback',
  'alarm.tamper',
  'user.created',
  'user.updated',
  'badge.registered',
  'badge.updated',
  'enrolment.started',
  'enrolment.completed',
  'enrolment.refused',
  'enrolment.timed_out',
  'enrolment.cancelled',
  'pass.issued',
  'pass.revoked',
  'auth.login_failed',
  'auth.locked_out',
  'command.executed',
  'command.refused',
  'alarm.mqtt_poison',
  'alarm.bridge_fault',
  // Issue #11: a clock that jumps (clock-trust.ts), journal anchors (store/journal*.ts,
  // store/checkpoint*.ts).
  'alarm.clock_untrusted',
  'door.clock_trusted',
  'journal.pruned',
  'journal.checkpoint',
  // The procedure's exceptions and the roll call (issue #8).
  'ktp.received',
  'ktp.returned',
  'ktp.kept',
  'visit.device_left_inside',
  'badge.lost',
  'rollcall.opened',
  'rollcall.marked',
  'rollcall.closed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

type ActorRef = { id: string; name: string };
type DeviceRef = { type: string; model: string; serial: string };

/** Why the lock opened (door.unlocked) and why it locked again (door.locked). */
export type UnlockReason = 'grant' | 'exit' | 'exit_button' | 'command' | 'emergency';
export type RelockReason = 'timeout' | 'door_closed' | 'mode';

/** A reader's tap, as every access event names it (the UID shortened, see shortUid). */
export type TapData = {
  reader: string;
  direction: 'entry' | 'exit';
  /** NFC taps say how the card proved itself: 'ntag424' (genuine) or 'uid' (UID only, weak). */
  credential: 'nfc' | 'ntag424' | 'uid' | 'qr' | 'wiegand';
  uid?: string;
};

/** Who tapped: a staff member's badge or a visitor's. */
export type SubjectData =
  | { kind: 'staff'; badgeId: string; badge: string; userId: string; name: string }
  | { kind: 'visitor'; badgeId: string; badge: string; visitId: string; name: string };

/** Who one grant let in. */
export type AdmissionData = {
  badgeId: string;
  kind: 'staff' | 'visitor';
  userId: string | null;
  visitId: string | null;
  name: string;
  escortedBy?: string[];
};

/**
 * The data of every event type, one entry per EVENT_TYPES member: `EventInput` is built from it,
 * so a writer that misspells a field or forgets one fails `tsc`. Top-level shapes are type
 * literals (not interfaces) so each stays assignable to the generic `Record<string, unknown>`.
 */
export interface EventData {
  'system.started': { version: string; mode: DoorMode };
  'system.stopped': Record<string, never>;
  'journal.recovered': { file: string | undefined; droppedBytes: number; lastGoodSeq: number };
  'visit.submitted': {
    visitId: string;
    visitor: string;
    organisation: string;
    window: { start: string; end: string };
    devicesIn: number;
    by: ActorRef;
  };
  'visit.verified': { visitId: string; by: ActorRef; note?: string };
  'visit.approved': { visitId: string; by: ActorRef; reason: string | null };
  'visit.rejected': { visitId: string; by: ActorRef; reason: string | null };
  'visit.badge_issued': {
    visitId: string;
    badgeId: string;
    badge: string;
    escorts: ActorRef[];
    by: ActorRef;
  };
  'visit.entered': { visitId: string; state: VisitState; at: string };
  'visit.checked_out': {
    visitId: string;
    exitAt: string | undefined;
    devicesOut: (DeviceRef & { unexpected: boolean })[];
    devicesLeftInside: DeviceRef[];
    badgeReturned: boolean;
    ktpReturned: boolean;
    by: ActorRef;
  };
  'visit.device_unexpected': {
    visitId: string;
    device: DeviceRef;
    note: string | undefined;
    confirmedBy: ActorRef;
  };
  'visit.closed': { visitId: string; by: ActorRef };
  'visit.cancelled': { visitId: string; reason: string | null; by: ActorRef };
  'visit.expired': { visitId: string; windowEnd: string };
  'visit.archived': { visitIds: string[] };
  'visit.personal_data_viewed': { visitId: string; by: ActorRef };
  'access.granted':
    | (TapData & SubjectData & { admits: AdmissionData[] })
    | { direction: 'entry'; credential: 'command'; by: ActorRef; via: DoorChannel; reason?: string };
  'access.denied':
    | (TapData & Partial<SubjectData> & { reason: DenyReason; detail?: string })
    | {
        // A waiting tap whose escort window ran out: denied naming the reader it waited at.
        reader: string;
        direction: 'entry';
        reason: DenyReason;
        kind: 'staff' | 'visitor';
        badgeId: string;
        visitId?: string;
        userId?: string;
        name: string;
      };
  'access.awaiting_escort': TapData & SubjectData & { awaiting: 'escort' | 'visitor' };
  'access.exit': TapData & (SubjectData | { known: false }) & { wasInside: boolean };
  'door.unlocked': { reason: UnlockReason };
  'door.locked': { reason: RelockReason };
  'door.opened': { authorised: boolean };
  'door.closed': { alarmCleared?: true };
  'door.forced': { mode: DoorMode };
  'door.held_open': { seconds: number };
  'door.exit_request': { source: 'exit_button' };
  'door.mode_changed': { from: DoorMode; to: DoorMode; by: ActorRef; via: DoorChannel; reason?: string };
  'door.occupancy_cleared': { by?: ActorRef; badgeIds: string[]; reason?: 'check_out' };
  'alarm.visitor_unescorted': { visitId: string; visitor: string; escortIds: string[] };
  'alarm.anti_passback': TapData & SubjectData;
  'alarm.tamper': { input: string; active: boolean };
  'user.created': { userId: string; username: string; role: Role; escort: boolean; by: ActorRef };
  'user.updated': { userId: string; changed: string[]; by: ActorRef };
  'badge.registered': {
    badgeId: string;
    label: string;
    kind: BadgeKind;
    userId: string | null;
    uid: string;
    by: ActorRef;
    /** A genuine NFC badge: the master key version it was keyed with. */
    keyVersion?: number;
  };
  'badge.updated': { badgeId: string; active: boolean; reason: string | null; by: ActorRef };
  'enrolment.started': {
    enrolmentId: string;
    label: string;
    kind: BadgeKind;
    userId: string | null;
    timeoutSeconds: number;
    by: ActorRef;
    /** Re-keying an existing badge rather than binding a new one. */
    rekeyBadgeId?: string;
  };
  'enrolment.completed': {
    enrolmentId: string;
    badgeId: string;
    label: string;
    kind: BadgeKind;
    reader: string;
    uid: string;
    /** Genuine NFC badges: the master key version the card now holds; rekeyed: an existing badge. */
    keyVersion?: number;
    rekeyed?: true;
  };
  'enrolment.refused': { enrolmentId: string; code: string; reader: string; uid: string };
  'enrolment.timed_out': { enrolmentId: string; timeoutSeconds: number };
  'enrolment.cancelled': { enrolmentId: string; by: ActorRef };
  'pass.issued': {
    passId: string;
    visitId: string;
    badgeId: string;
    notBefore: string;
    expiresAt: string;
    by: ActorRef;
  };
  'pass.revoked': { passId: string; visitId: string; by: ActorRef; reason?: string };
  'auth.login_failed': { username: string; attempts: number };
  'auth.locked_out': {
    username: string;
    scope: 'account_source' | 'source' | 'account';
    failures: number;
    lockedSeconds: number;
  };
  'command.executed': {
    via: 'mqtt';
    command: string;
    args: { on?: boolean; reason?: unknown };
    by: ActorRef;
    transaction?: string | number;
  };
  /**
   * An MQTT request refused before or by the door rules; `operator` is the id the request named
   * (verified only when the reason is a door rule's). Journaled at a bounded rate: `suppressed`
   * counts the refusals since the last one journaled that were logged only.
   */
  'command.refused': {
    via: 'mqtt';
    command: string;
    reason: string;
    operator?: string;
    transaction?: string | number;
    suppressed?: number;
  };
  'alarm.mqtt_poison': { seq: number; id: string | null; eventType: string | null; reason: string };
  /** The firmware bridge latched faults (raised: just now; [] = a reminder, e.g. when the host is back). */
  'alarm.bridge_fault': { faults: string[]; raised: string[] };
  'alarm.clock_untrusted': { wallTime: string; trustedTime: string; toleranceSeconds: number };
  'door.clock_trusted': {
    source: 'confirmed' | 'synchronised';
    wallTime: string;
    /** The latest trusted time before: the wall clock is believed again even though earlier. */
    trustedTimeBefore: string;
    by?: ActorRef;
    reason?: string;
  };
  /** Retention removed the oldest segments: the journal now starts after `lastPrunedSeq`. */
  'journal.pruned': { lastPrunedSeq: number; lastPrunedHash: string; files: string[] };
  /** An Ed25519 signature by the device key over the head (seq, hash) before this event. */
  'journal.checkpoint': { seq: number; hash: string; signature: string; keyId: string };
  // KTP custody: where it is kept, never its number. (No field is named `ktp`: the edge scrubber drops such keys.)
  'ktp.received': { visitId: string; visitor: string; tray: string; by: ActorRef };
  'ktp.returned': { visitId: string; tray: string; late: boolean; by: ActorRef; note?: string };
  'ktp.kept': { visitId: string; tray: string | null; reason: string; by: ActorRef };
  'visit.device_left_inside': { visitId: string; device: DeviceRef; note: string; confirmedBy: ActorRef };
  'badge.lost': { badgeId: string; badge: string; visitId: string; note: string; confirmedBy: ActorRef };
  'rollcall.opened': {
    rollCallId: string;
    trigger: 'emergency_release' | 'manual';
    by: ActorRef;
    people: RollCallPersonRef[];
  };
  'rollcall.marked': { rollCallId: string; ids: string[]; safe: boolean; by: ActorRef };
  'rollcall.closed': {
    rollCallId: string;
    by: ActorRef;
    total: number;
    safe: number;
    unaccounted: RollCallPersonRef[];
  };
}

/** A person on a roll call, by badge and visit id and the name the journal already holds. */
export type RollCallPersonRef = {
  id: string;
  kind: 'staff' | 'visitor';
  name: string;
  badgeId: string | null;
  visitId: string | null;
  reason: 'inside' | 'ktp_held';
};

/** What a writer hands the journal: one event type with exactly its data shape. */
export type EventInput = { [K in EventType]: { type: K; data: EventData[K] } }[EventType];

interface JournalEnvelope {
  seq: number;
  id: string;
  at: string;
  door: string;
  /** Hash of the previous event (64 zeros for the first). */
  prev: string;
  /** sha256 of the canonical JSON (keys sorted) of every other field, prev included: store/journal-chain.ts. */
  hash: string;
}

/**
 * One event as the journal holds it, as readers that treat every event's data alike see it (the
 * hash chain, the publisher, the live feed, tests). Every `TypedJournalEvent` is one.
 */
export interface JournalEvent extends JournalEnvelope {
  type: EventType;
  data: Record<string, unknown>;
}

/** One journal event typed by its type: narrow on `type` to read its data's fields. */
export type TypedJournalEvent = {
  [K in EventType]: JournalEnvelope & { type: K; data: EventData[K] };
}[EventType];

/** Reads a journal line's data as its type's shape (the journal only holds what EventInput let in). */
export function typedEvent(ev: JournalEvent): TypedJournalEvent {
  return ev as TypedJournalEvent;
}

/**
 * An event whose data is not checked against EventData. Only for tests that need payloads no
 * writer makes (poison events, padding, counters); nothing in src/ may use it.
 */
export function uncheckedEvent(type: EventType, data: Record<string, unknown>): EventInput {
  // The one deliberate hole in the EventInput check, for tests: the shape is the caller's word.
  return { type, data } as unknown as EventInput;
}

/** Shortened UID for logs and payloads: enough to tell badges apart, not enough to clone one. */
export function shortUid(uid: string): string {
  return uid.length <= 4 ? uid : `…${uid.slice(-4)}`;
}
