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
  'command.executed',
  'alarm.mqtt_poison',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface EventInput {
  type: EventType;
  data: Record<string, unknown>;
}

export interface JournalEvent {
  seq: number;
  id: string;
  at: string;
  door: string;
  type: EventType;
  data: Record<string, unknown>;
  /** Hash of the previous event (64 zeros for the first). */
  prev: string;
  /** sha256 of the canonical JSON (keys sorted) of every other field, prev included: store/journal-chain.ts. */
  hash: string;
}

/** Shortened UID for logs and payloads: enough to tell badges apart, not enough to clone one. */
export function shortUid(uid: string): string {
  return uid.length <= 4 ? uid : `…${uid.slice(-4)}`;
}
