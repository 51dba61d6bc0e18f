/**
 * Access decisions at the door. Pure: it reads a snapshot of state and the time it is given, and
 * returns a decision; the door controller carries it out. Exit is always allowed and is handled
 * by the controller without asking the policy.
 */
import { type AccessSettings, type Admission, canEscort } from './admission.js';
import type { EscortPairing, PairedTap } from './escort-pairing.js';
import type { Occupancy } from './occupancy.js';
import type { Badge, DoorMode, User, Visit } from './types.js';

export const DENY_REASONS = [
  'unknown_credential',
  'badge_inactive',
  'user_inactive',
  'visit_not_active',
  'outside_window',
  'escort_required',
  'not_an_escort',
  'solo_entry_disabled',
  'anti_passback',
  'lockdown',
  'journal_unavailable',
  'pass_invalid',
  // QR passes (src/domain/qr-pass.ts, src/services/pass-service.ts): one reason per failure.
  'pass_malformed',
  'pass_bad_signature',
  'pass_not_yet_valid',
  'pass_expired',
  'pass_revoked',
  'pass_unknown_visit',
  // A card read that failed (a Wiegand parity error): journalled, no decision taken.
  'card_read_error',
  // The wall clock is earlier than the latest trusted time (src/domain/clock-trust.ts).
  'clock_untrusted',
  // NFC badges (issue #10, credentialDenial below): a card that failed to prove itself genuine, and
  // a UID-only card where genuine ones are required.
  'credential_not_genuine',
  'credential_unsupported',
] as const;
export type DenyReason = (typeof DENY_REASONS)[number];

// Kept importable from here for existing callers; they live in admission.ts to keep the domain acyclic.
export type { AccessSettings, Admission };
export { canEscort };

export interface StateView {
  badgeByUid(uid: string): Badge | undefined;
  badge(id: string): Badge | undefined;
  user(id: string): User | undefined;
  visit(id: string): Visit | undefined;
}

export type Subject =
  | { kind: 'staff'; badge: Badge; user: User }
  | { kind: 'visitor'; badge: Badge; visit: Visit };

export type Decision =
  | { outcome: 'grant'; subject: Subject; admits: Admission[]; passbackViolation?: boolean }
  | { outcome: 'pending'; subject: Subject; awaiting: 'escort' | 'visitor'; expiresAtMono: number }
  | { outcome: 'deny'; reason: DenyReason; subject: Subject | null; detail?: string };

export interface DecideInput {
  uid: string;
  /** Wall-clock time, for visit windows. */
  now: Date;
  /** Monotonic milliseconds, for the escort window. */
  mono: number;
  mode: DoorMode;
  /** False during an untrusted-clock episode: visitors are refused (clock_untrusted). */
  clockTrusted?: boolean;
  /**
   * The latest trusted time (clock-trust.ts). A window that ended before it stays ended, whatever
   * a clock set back says.
   */
  latestTrusted?: Date;
  /** NFC taps: what the card proved, and what this site accepts (absent: not checked). */
  credential?: { proof: CredentialStrength; accept: readonly NfcAcceptance[] } | undefined;
}

/**
 * The door's access settings with what the site accepts of NFC badges; absent: not checked (a
 * door built without it, as in unit tests of other rules).
 */
export interface DoorAccessSettings extends AccessSettings {
  nfcAccept?: readonly NfcAcceptance[];
}

/** What a site accepts of NFC badges (credentials.nfc.accept). */
export type NfcAcceptance = 'ntag424' | 'uid';
/** What a card proved at its tap: genuine, its UID only, or a failed authentication. */
export type CredentialStrength = 'ntag424' | 'uid' | 'failed';

/**
 * The one rule on how well an NFC card must prove itself; the escort's card is held to it like the
 * visitor's (every tap passes here before it can pair). A genuine card also proves its UID. Where
 * genuine cards are accepted, a badge enrolled genuine (it has a key version) that answers with its
 * UID only is a copy; other UID-only cards pass only where `uid` is accepted (insecure).
 */
export function credentialDenial(
  proof: CredentialStrength,
  accept: readonly NfcAcceptance[],
  badge: Badge | undefined,
): DenyReason | null {
  if (proof === 'failed') return 'credential_not_genuine';
  if (proof === 'ntag424' || !accept.includes('ntag424')) return null;
  if (badge?.keyVersion != null) return 'credential_not_genuine';
  return accept.includes('uid') ? null : 'credential_unsupported';
}

export function resolveSubject(view: StateView, uid: string): Subject | { deny: DenyReason } {
  const badge = view.badgeByUid(uid);
  if (!badge) return { deny: 'unknown_credential' };
  if (!badge.active) return { deny: 'badge_inactive' };
  if (badge.kind === 'staff') {
    const user = badge.userId ? view.user(badge.userId) : undefined;
    if (!user?.active) return { deny: 'user_inactive' };
    return { kind: 'staff', badge, user };
  }
  const visit = badge.visitId ? view.visit(badge.visitId) : undefined;
  if (!visit) return { deny: 'visit_not_active' };
  return { kind: 'visitor', badge, visit };
}

export function admission(subject: Subject, escortedBy?: string[]): Admission {
  if (subject.kind === 'staff') {
    return {
      badgeId: subject.badge.id,
      kind: 'staff',
      userId: subject.user.id,
      visitId: null,
      name: subject.user.displayName,
    };
  }
  return {
    badgeId: subject.badge.id,
    kind: 'visitor',
    userId: null,
    visitId: subject.visit.id,
    name: subject.visit.visitor.name,
    ...(escortedBy ? { escortedBy } : {}),
  };
}

/** A visit whose badge (or pass) may open the door: issued, or already entered once. */
export function isAdmittable(visit: Visit): boolean {
  return visit.state === 'badge_issued' || visit.state === 'in_progress';
}

/** The visit window widened by the grace on both sides, in epoch milliseconds. */
export function gracedWindow(visit: Visit, graceMinutes: number): { startMs: number; endMs: number } {
  const grace = graceMinutes * 60_000;
  return {
    startMs: new Date(visit.window.start).getTime() - grace,
    endMs: new Date(visit.window.end).getTime() + grace,
  };
}

function inWindow(visit: Visit, now: Date, graceMinutes: number, latestTrusted?: Date): boolean {
  const { startMs, endMs } = gracedWindow(visit, graceMinutes);
  const t = now.getTime();
  const latest = Math.max(t, latestTrusted?.getTime() ?? t);
  return t >= startMs && latest <= endMs;
}

/** During an untrusted-clock episode: visitors never, staff as configured (default: they may). */
function untrustedClockRefuses(subject: Subject, settings: AccessSettings): boolean {
  if (subject.kind === 'visitor') return true;
  return settings.staffEntryOnUntrustedClock === false;
}

/**
 * Entry decision for one credential. Records the tap in `pairing` when it may pair with another
 * (a visitor waiting for an escort, or an escort who may admit a waiting visitor).
 */
export function decideEntry(
  view: StateView,
  occupancy: Occupancy,
  pairing: EscortPairing,
  settings: AccessSettings,
  input: DecideInput,
): Decision {
  const resolved = resolveSubject(view, input.uid);
  if (input.credential) {
    const { proof, accept } = input.credential;
    const reason = credentialDenial(proof, accept, view.badgeByUid(input.uid));
    if (reason) return { outcome: 'deny', reason, subject: 'deny' in resolved ? null : resolved };
  }
  if ('deny' in resolved) return { outcome: 'deny', reason: resolved.deny, subject: null };
  const subject = resolved;

  if (subject.kind === 'visitor') {
    const visit = subject.visit;
    if (!isAdmittable(visit)) {
      return { outcome: 'deny', reason: 'visit_not_active', subject, detail: visit.state };
    }
    if (!inWindow(visit, input.now, settings.windowGraceMinutes, input.latestTrusted)) {
      return { outcome: 'deny', reason: 'outside_window', subject };
    }
  } else if (!subject.user.escort && subject.user.role !== 'superadmin') {
    return { outcome: 'deny', reason: 'not_an_escort', subject };
  }
  if (input.clockTrusted === false && untrustedClockRefuses(subject, settings)) {
    return { outcome: 'deny', reason: 'clock_untrusted', subject };
  }

  if (input.mode === 'lockdown' && !(subject.kind === 'staff' && subject.user.role === 'superadmin')) {
    return { outcome: 'deny', reason: 'lockdown', subject };
  }

  let passbackViolation = false;
  if (settings.antiPassback !== 'off' && occupancy.isInside(subject.badge.id)) {
    if (settings.antiPassback === 'hard') return { outcome: 'deny', reason: 'anti_passback', subject };
    passbackViolation = true;
  }
  const pv = passbackViolation ? { passbackViolation } : {};
  const windowMs = settings.escortWindowSeconds * 1000;
  // A pending partner admitted by this tap passed the check at its own tap (soft mode let it wait);
  // it is flagged now, when it is actually admitted.
  const partnerInside = (taps: PairedTap[]) =>
    settings.antiPassback !== 'off' && taps.some((t) => occupancy.isInside(t.badgeId));

  if (subject.kind === 'visitor') {
    // An eligible escort tapped within the window before: admit now. A pending escort (solo entry
    // off) is admitted together with the visitor by this one unlock.
    const escortTaps = pairing.recent(input.mono, windowMs).filter((t) => {
      if (t.kind !== 'staff' || !t.userId) return false;
      const u = view.user(t.userId);
      return (
        u !== undefined && view.badge(t.badgeId)?.active === true && canEscort(u, subject.visit, settings)
      );
    });
    if (escortTaps.length > 0) {
      const admits: Admission[] = [];
      const partners = escortTaps.filter((t) => t.status === 'pending');
      for (const t of partners) {
        pairing.resolve(t.badgeId);
        admits.push(t.admission);
      }
      admits.push(
        admission(
          subject,
          escortTaps.map((t) => t.userId as string),
        ),
      );
      return {
        outcome: 'grant',
        subject,
        admits,
        ...(partnerInside(partners) ? { passbackViolation: true } : pv),
      };
    }
    const tap: PairedTap = {
      badgeId: subject.badge.id,
      kind: 'visitor',
      userId: null,
      visitId: subject.visit.id,
      mono: input.mono,
      status: 'pending',
      admission: admission(subject),
    };
    pairing.record(tap);
    return { outcome: 'pending', subject, awaiting: 'escort', expiresAtMono: input.mono + windowMs };
  }

  // Staff: admit visitors waiting for this escort, if any.
  const user = subject.user;
  // A waiting visitor is checked again: the visit may have been cancelled, or the badge
  // withdrawn, in the seconds since the tap.
  const waiting = pairing.recent(input.mono, windowMs).filter((t) => {
    if (t.kind !== 'visitor' || t.status !== 'pending' || !t.visitId) return false;
    const v = view.visit(t.visitId);
    const b = view.badge(t.badgeId);
    return (
      v !== undefined &&
      b?.active === true &&
      b.visitId === v.id &&
      isAdmittable(v) &&
      inWindow(v, input.now, settings.windowGraceMinutes, input.latestTrusted) &&
      canEscort(user, v, settings)
    );
  });
  const self = admission(subject);
  const grantedTap: PairedTap = {
    badgeId: subject.badge.id,
    kind: 'staff',
    userId: user.id,
    visitId: null,
    mono: input.mono,
    status: 'granted',
    admission: self,
  };
  if (waiting.length > 0) {
    for (const t of waiting) pairing.resolve(t.badgeId);
    pairing.record(grantedTap);
    return {
      outcome: 'grant',
      subject,
      admits: [self, ...waiting.map((t) => ({ ...t.admission, escortedBy: [user.id] }))],
      ...(partnerInside(waiting) ? { passbackViolation: true } : pv),
    };
  }
  if (settings.staffSoloEntry || user.role === 'superadmin') {
    if (user.escort) pairing.record(grantedTap);
    return { outcome: 'grant', subject, admits: [self], ...pv };
  }
  pairing.record({ ...grantedTap, status: 'pending' });
  return { outcome: 'pending', subject, awaiting: 'visitor', expiresAtMono: input.mono + windowMs };
}

/** The reason a pending tap is finally denied when its window runs out. */
export function expiredPendingReason(tap: PairedTap): DenyReason {
  return tap.kind === 'visitor' ? 'escort_required' : 'solo_entry_disabled';
}
