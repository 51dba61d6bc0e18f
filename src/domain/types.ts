/** Records held in the state store. Times are ISO-8601 strings in UTC. */

export type Role = 'admin' | 'superadmin';

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  /** May accompany visitors (and, with staffSoloEntry, enter alone). */
  escort: boolean;
  active: boolean;
  /** scrypt$N$r$p$salt$hash — never leaves the store. */
  passwordHash: string;
  createdAt: string;
  /** Who created the account (a user id, or 'setup' / 'cli'): the four-eyes rule is only as good as the accounts behind it. */
  createdBy?: string;
}

export type BadgeKind = 'staff' | 'visitor';

export interface Badge {
  id: string;
  /** Normalised credential: upper-case hex UID for NFC cards. */
  uid: string;
  label: string;
  kind: BadgeKind;
  /** Staff badges: the owner. */
  userId: string | null;
  /** Visitor badges: the visit it is issued to, null while in the pool. */
  visitId: string | null;
  active: boolean;
  createdAt: string;
  /**
   * NTAG 424 DNA badges: the master key version the card was keyed with at enrolment (or its last
   * re-keying). Absent on a badge bound by UID only.
   */
  keyVersion?: number;
  /** A visitor badge not handed back at check-out (lost, taken home): deactivated, out of the pool. */
  lost?: BadgeLoss | null;
}

export interface BadgeLoss {
  at: string;
  /** The superadmin who confirmed the check-out without the badge. */
  by: string;
  visitId: string;
  note: string;
}

export interface Device {
  type: string;
  model: string;
  serial: string;
}

export interface DeviceOut extends Device {
  /** Set when the device was not brought in and an admin confirmed it with a note. */
  unexpected?: { confirmedBy: string; note: string };
}

/** A device brought in and left in the room (a server being installed), confirmed with a note. */
export interface DeviceLeft extends Device {
  note: string;
  confirmedBy: string;
}

/**
 * The KTP custody ledger entry of a visit (SOP 2 and 5): received at verification and kept in a
 * named tray until handed back, at check-out or later (then with the reason it was kept).
 */
export interface KtpCustody {
  tray: string;
  receivedAt: string;
  /** User ids, like every `by` on a visit. */
  receivedBy: string;
  returnedAt: string | null;
  returnedBy: string | null;
  /** Why it was not handed back at check-out; null when it was. */
  keptReason: string | null;
}

export const VISIT_STATES = [
  'submitted',
  'verified',
  'approved',
  'rejected',
  'badge_issued',
  'in_progress',
  'checked_out',
  'closed',
  'cancelled',
  'expired',
] as const;
export type VisitState = (typeof VISIT_STATES)[number];

export const TERMINAL_STATES: readonly VisitState[] = ['closed', 'rejected', 'cancelled', 'expired'];

export type VisitStep =
  | 'submit'
  | 'verify'
  | 'approve'
  | 'reject'
  | 'issue_badge'
  | 'enter'
  | 'check_out'
  | 'close'
  | 'cancel'
  | 'expire';

export interface Actor {
  /** User id, or 'system' for steps the door or the clock takes. */
  id: string;
  role: Role | 'system';
  name: string;
}

/** Who did it, as recorded in transitions and journal events: no role, no secrets. */
export function actorRef(a: Actor): { id: string; name: string } {
  return { id: a.id, name: a.name };
}

export interface Transition {
  step: VisitStep;
  from: VisitState | null;
  to: VisitState;
  at: string;
  by: { id: string; name: string };
  reason?: string;
}

export interface Visitor {
  name: string;
  nik: string;
  organisation: string;
  phone: string;
}

export interface Visit {
  id: string;
  state: VisitState;
  visitor: Visitor;
  purpose: string;
  window: { start: string; end: string };
  letterNumber: string;
  ticketRef: string | null;
  devicesIn: Device[];
  devicesOut: DeviceOut[];
  badgeId: string | null;
  escortIds: string[];
  verification: {
    formComplete: boolean;
    ktpHeld: boolean;
    nikChecked: boolean;
    by: string;
    at: string;
  } | null;
  decision: { approved: boolean; by: string; at: string; reason: string | null } | null;
  firstEntryAt: string | null;
  /** The last exit at the door of this visit's badge (access.exit). Absent on older records. */
  lastExitAt?: string | null;
  checkOut: {
    exitAt: string;
    badgeReturned: boolean;
    ktpReturned: boolean;
    by: string;
    note: string | null;
  } | null;
  /** KTP custody; absent or null on records verified before the ledger existed. */
  ktp?: KtpCustody | null;
  /** Devices brought in and confirmed left inside at check-out. */
  devicesLeft?: DeviceLeft[];
  /** Submitted by the helpdesk intake: sha256 of its canonical body, to tell a retry from a conflict. */
  intakeHash?: string;
  history: Transition[];
  createdAt: string;
  updatedAt: string;
}

export type DoorMode = 'normal' | 'lockdown' | 'emergency_release';
export const DOOR_MODES: readonly DoorMode[] = ['normal', 'lockdown', 'emergency_release'];

export type ReaderRole = 'entry' | 'exit';
