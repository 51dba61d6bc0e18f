/**
 * The KTP custody ledger (SOP 2 and 5): a KTP is received at verification into a named tray and
 * stays listed until it is handed back — at check-out, or later with the reason it was kept.
 * Returning it late is a ledger entry, never a blocked visit.
 */
import { AppError } from './errors.js';
import { cleanFreeText, cleanOptional } from './personal-data.js';
import type { Actor, KtpCustody, Visit, VisitState } from './types.js';

/** States in which the visit is over for the visitor, so a KTP still held may be handed back. */
export const KTP_RETURNABLE_FROM: readonly VisitState[] = [
  'checked_out',
  'closed',
  'rejected',
  'cancelled',
  'expired',
];

/** Verification: the KTP is received into `tray`. */
export function ktpReceived(tray: string | null | undefined, actor: Actor, now: Date): KtpCustody {
  const t = cleanFreeText(tray ?? '');
  if (!t) throw new AppError('ktp_tray_required', { field: 'ktpTray' });
  if (t.length > 40) throw new AppError('validation_failed', { field: 'ktpTray', rule: 'max 40 characters' });
  return {
    tray: t,
    receivedAt: now.toISOString(),
    receivedBy: actor.id,
    returnedAt: null,
    returnedBy: null,
    keptReason: null,
  };
}

/** Whether the visit's KTP is still with the office. */
export function ktpHeld(v: Visit): boolean {
  return !!v.ktp && v.ktp.returnedAt === null;
}

/**
 * Check-out: handed back (`returned`) or kept with a reason. A visit verified before the ledger
 * existed has no custody record; its check-out only records the flag.
 */
export function ktpAtCheckOut(
  ktp: KtpCustody | null | undefined,
  returned: boolean,
  keptReason: string | null | undefined,
  actor: Actor,
  at: string,
): KtpCustody | null {
  if (!returned) {
    const why = cleanOptional(keptReason, true);
    if (!why) throw new AppError('reason_required', { field: 'ktpKeptReason' });
    return ktp ? { ...ktp, keptReason: why } : null;
  }
  if (!ktp || ktp.returnedAt) return ktp ?? null;
  return { ...ktp, returnedAt: at, returnedBy: actor.id };
}

/** A KTP kept past check-out (or of a visit that ended otherwise) handed back later. */
export function returnKtp(visit: Visit, actor: Actor, now: Date): Visit {
  if (actor.role !== 'admin' && actor.role !== 'superadmin') {
    throw new AppError('forbidden', { step: 'ktp_return', role: actor.role });
  }
  if (!visit.ktp || visit.ktp.returnedAt) throw new AppError('ktp_not_held', { visitId: visit.id });
  if (!KTP_RETURNABLE_FROM.includes(visit.state)) {
    throw new AppError('ktp_return_too_early', { state: visit.state, allowedFrom: KTP_RETURNABLE_FROM });
  }
  const at = now.toISOString();
  return { ...visit, ktp: { ...visit.ktp, returnedAt: at, returnedBy: actor.id }, updatedAt: at };
}
