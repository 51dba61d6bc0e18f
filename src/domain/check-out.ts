/**
 * SOP step 5, check-out: devices carried out reconciled with those brought in, the exit time, the
 * badge back and the KTP back — and the procedure's exceptions: a device carried out that was not
 * brought in, a device brought in and left inside, a badge not returned (lost, taken home: only a
 * superadmin confirms it), a KTP kept back (a ledger entry with a reason, returned later).
 */
import { AppError } from './errors.js';
import { ktpAtCheckOut } from './ktp-custody.js';
import { cleanOptional } from './personal-data.js';
import type { Actor, Badge, Device, DeviceLeft, DeviceOut, Visit } from './types.js';
import { advance, guard, normaliseDevice, serialKey } from './visit-steps.js';

export interface CheckOutInput {
  exitAt?: string | null;
  devicesOut: (Device & { confirmUnexpected?: boolean; note?: string | null })[];
  /** false: lost or taken home; needs a superadmin and `badgeNote`. */
  badgeReturned: boolean;
  badgeNote?: string | null;
  /** false: the office keeps it for now; needs `ktpKeptReason`, returned later (POST …/ktp-return). */
  ktpReturned: boolean;
  ktpKeptReason?: string | null;
  /** Every device brought in and not carried out, confirmed with a note. */
  devicesLeft?: { serial: string; note?: string | null }[];
  note?: string | null;
}

export interface DeviceReconciliation {
  /** Brought in and carried out. */
  matched: Device[];
  /** Carried out but not brought in: confirmed by an admin with a note. */
  unexpected: DeviceOut[];
  /** Brought in but not carried out: confirmed with a note. */
  leftInside: DeviceLeft[];
}

function reconcile(
  visit: Visit,
  input: CheckOutInput,
  actor: Actor,
): DeviceReconciliation & { devicesOut: DeviceOut[] } {
  const inSerials = new Map(visit.devicesIn.map((d) => [serialKey(d), d]));
  const seen = new Set<string>();
  const matched: Device[] = [];
  const unexpected: DeviceOut[] = [];
  const devicesOut: DeviceOut[] = [];
  const needConfirmation: string[] = [];
  for (const raw of input.devicesOut) {
    const d = normaliseDevice({ type: raw.type, model: raw.model, serial: raw.serial });
    const key = serialKey(d);
    if (seen.has(key))
      throw new AppError('validation_failed', {
        field: 'devicesOut',
        rule: 'duplicate_serial',
        serial: d.serial,
      });
    seen.add(key);
    if (inSerials.has(key)) {
      matched.push(d);
      devicesOut.push(d);
      continue;
    }
    const note = cleanOptional(raw.note, true);
    if (!raw.confirmUnexpected || !note) {
      needConfirmation.push(d.serial);
      continue;
    }
    const out: DeviceOut = { ...d, unexpected: { confirmedBy: actor.id, note } };
    unexpected.push(out);
    devicesOut.push(out);
  }
  if (needConfirmation.length) throw new AppError('device_unexpected', { serials: needConfirmation });

  const notes = new Map<string, string>();
  for (const c of input.devicesLeft ?? []) {
    const key = serialKey({ type: '', model: '', serial: c.serial });
    const inDevice = inSerials.get(key);
    if (!inDevice || seen.has(key)) {
      throw new AppError('validation_failed', {
        field: 'devicesLeft',
        rule: 'not_left_inside',
        serial: c.serial,
      });
    }
    const note = cleanOptional(c.note, true);
    if (note) notes.set(key, note);
  }
  const leftInside: DeviceLeft[] = [];
  const unconfirmed: string[] = [];
  for (const d of visit.devicesIn) {
    const key = serialKey(d);
    if (seen.has(key)) continue;
    const note = notes.get(key);
    if (!note) unconfirmed.push(d.serial);
    else leftInside.push({ ...d, note, confirmedBy: actor.id });
  }
  if (unconfirmed.length) throw new AppError('device_left_inside', { serials: unconfirmed });
  return { matched, unexpected, leftInside, devicesOut };
}

/** The badge after check-out: back in the pool, or deactivated and marked lost. */
function badgeAfter(
  badge: Badge | null,
  visit: Visit,
  input: CheckOutInput,
  actor: Actor,
  at: string,
): Badge | null {
  if (!badge) return null;
  if (input.badgeReturned) return { ...badge, visitId: null, active: false };
  const note = cleanOptional(input.badgeNote, true) as string;
  return { ...badge, visitId: null, active: false, lost: { at, by: actor.id, visitId: visit.id, note } };
}

export function checkOutVisit(
  visit: Visit,
  badge: Badge | null,
  input: CheckOutInput,
  actor: Actor,
  now: Date,
): { visit: Visit; badge: Badge | null; reconciliation: DeviceReconciliation } {
  guard(visit, 'check_out', actor);
  if (!input.badgeReturned) {
    if (actor.role !== 'superadmin')
      throw new AppError('badge_loss_needs_superadmin', { field: 'badgeReturned' });
    if (!cleanOptional(input.badgeNote, true)) throw new AppError('reason_required', { field: 'badgeNote' });
  }
  const exitAt = input.exitAt ? new Date(input.exitAt) : now;
  if (Number.isNaN(exitAt.getTime())) throw new AppError('validation_failed', { field: 'exitAt' });
  if (exitAt.getTime() > now.getTime() + 60_000) {
    throw new AppError('precondition_failed', { step: 'check_out', rule: 'exit_time_in_future' });
  }
  const ktp = ktpAtCheckOut(visit.ktp, input.ktpReturned, input.ktpKeptReason, actor, now.toISOString());
  const { devicesOut, ...reconciliation } = reconcile(visit, input, actor);

  const note = cleanOptional(input.note, true) || null;
  const next = advance(visit, 'check_out', 'checked_out', actor, now, note ?? undefined);
  return {
    visit: {
      ...next,
      devicesOut,
      devicesLeft: reconciliation.leftInside,
      ktp,
      checkOut: {
        exitAt: exitAt.toISOString(),
        badgeReturned: input.badgeReturned,
        ktpReturned: input.ktpReturned,
        by: actor.id,
        note,
      },
    },
    badge: badgeAfter(badge, visit, input, actor, now.toISOString()),
    reconciliation,
  };
}
