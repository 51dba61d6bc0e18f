/**
 * The server-room access procedure (SOP "Permohonan Akses Ruang Server") as a pure state machine.
 * Every function takes the current visit, the actor, the input and `now`, and returns the next
 * visit; it never mutates its arguments and throws AppError when the step is not allowed.
 */

import { AppError } from './errors.js';
import { ktpReceived } from './ktp-custody.js';
import { checkNik } from './nik.js';
import { cleanFreeText, cleanOptional } from './personal-data.js';
import type { Actor, Badge, Device, Role, User, Visit, VisitStep } from './types.js';
import { advance, guard, normaliseDevice, requireReason, STEP_RULES, serialKey } from './visit-steps.js';

export { STEP_RULES } from './visit-steps.js';

export interface SubmitInput {
  visitor: { name: string; nik: string; organisation: string; phone: string };
  purpose: string;
  window: { start: string; end: string };
  letterNumber: string;
  ticketRef?: string | null;
  devicesIn?: Device[];
}

function parseWindow(w: { start: string; end: string }): { start: Date; end: Date } {
  const start = new Date(w.start);
  const end = new Date(w.end);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) {
    throw new AppError('window_invalid', { rule: 'not_a_date' });
  }
  if (end.getTime() <= start.getTime()) throw new AppError('window_invalid', { rule: 'end_before_start' });
  return { start, end };
}

export function submitVisit(
  id: string,
  input: SubmitInput,
  actor: Actor,
  now: Date,
  opts: { maxWindowDays?: number } = {},
): Visit {
  guard(null, 'submit', actor);
  const nik = checkNik(input.visitor.nik);
  if (!nik.ok) throw new AppError('nik_invalid', { rule: nik.rule, message: nik.message });
  const { start, end } = parseWindow(input.window);
  if (end.getTime() <= now.getTime()) throw new AppError('window_invalid', { rule: 'window_in_past' });
  const maxDays = opts.maxWindowDays ?? 7;
  if (end.getTime() - start.getTime() > maxDays * 86_400_000)
    throw new AppError('window_invalid', { rule: 'window_too_long', maxDays });
  const devicesIn = (input.devicesIn ?? []).map(normaliseDevice);
  const serials = new Set<string>();
  for (const d of devicesIn) {
    const key = serialKey(d);
    if (serials.has(key)) {
      throw new AppError('validation_failed', {
        field: 'devicesIn',
        rule: 'duplicate_serial',
        serial: d.serial,
      });
    }
    serials.add(key);
  }
  const at = now.toISOString();
  const visit: Visit = {
    id,
    state: 'submitted',
    visitor: {
      ...input.visitor,
      name: cleanFreeText(input.visitor.name),
      organisation: cleanFreeText(input.visitor.organisation),
    },
    purpose: cleanFreeText(input.purpose, { multiline: true }),
    window: { start: start.toISOString(), end: end.toISOString() },
    letterNumber: cleanFreeText(input.letterNumber),
    ticketRef: cleanOptional(input.ticketRef) || null,
    devicesIn,
    devicesOut: [],
    badgeId: null,
    escortIds: [],
    verification: null,
    decision: null,
    firstEntryAt: null,
    checkOut: null,
    history: [{ step: 'submit', from: null, to: 'submitted', at, by: { id: actor.id, name: actor.name } }],
    createdAt: at,
    updatedAt: at,
  };
  return visit;
}

export interface VerifyInput {
  formComplete: boolean;
  ktpHeld: boolean;
  /** Where the held KTP is kept (tray, drawer): required, the custody ledger lists it until returned. */
  ktpTray?: string | null;
  note?: string | null;
}

/** Step 2: the admin checks the form is complete and physically holds a genuine KTP. */
export function verifyVisit(visit: Visit, input: VerifyInput, actor: Actor, now: Date): Visit {
  guard(visit, 'verify', actor);
  const missing: string[] = [];
  if (!input.formComplete) missing.push('formComplete');
  if (!input.ktpHeld) missing.push('ktpHeld');
  if (missing.length) throw new AppError('precondition_failed', { step: 'verify', missing });
  const ktp = ktpReceived(input.ktpTray, actor, now);
  const nik = checkNik(visit.visitor.nik);
  if (!nik.ok) throw new AppError('nik_invalid', { rule: nik.rule, message: nik.message });
  const next = advance(visit, 'verify', 'verified', actor, now, cleanOptional(input.note, true) || undefined);
  return {
    ...next,
    verification: {
      formComplete: true,
      ktpHeld: true,
      nikChecked: true,
      by: actor.id,
      at: now.toISOString(),
    },
    ktp,
  };
}

export interface DecideOptions {
  /** Four-eyes rule: the verifier may not decide the same request. */
  separationOfDuties: boolean;
}

/** Step 3: the Head of the IT section approves or rejects. */
export function decideVisit(
  visit: Visit,
  approved: boolean,
  reason: string | null | undefined,
  actor: Actor,
  now: Date,
  opts: DecideOptions,
): Visit {
  const step: VisitStep = approved ? 'approve' : 'reject';
  guard(visit, step, actor);
  if (opts.separationOfDuties && visit.verification?.by === actor.id) {
    throw new AppError('separation_of_duties', { verifiedBy: visit.verification.by });
  }
  const why = approved ? cleanOptional(reason, true) || null : requireReason(reason);
  const next = advance(visit, step, approved ? 'approved' : 'rejected', actor, now, why ?? undefined);
  return { ...next, decision: { approved, by: actor.id, at: now.toISOString(), reason: why } };
}

/**
 * Step 3 (approved branch): the admin hands over a server-room badge from the pool and names the
 * escorts. The badge must be an unissued visitor badge; every escort an active escort-capable user.
 */
export function issueBadge(
  visit: Visit,
  badge: Badge,
  escorts: User[],
  actor: Actor,
  now: Date,
): { visit: Visit; badge: Badge } {
  guard(visit, 'issue_badge', actor);
  if (badge.kind !== 'visitor' || badge.visitId !== null || badge.active || badge.lost) {
    throw new AppError('badge_unavailable', { badgeId: badge.id, kind: badge.kind, issuedTo: badge.visitId });
  }
  if (escorts.length === 0) throw new AppError('escort_invalid', { rule: 'at_least_one_escort' });
  for (const e of escorts) {
    if (!e.active || !e.escort)
      throw new AppError('escort_invalid', { userId: e.id, rule: 'not_escort_capable' });
  }
  if (new Date(visit.window.end).getTime() <= now.getTime()) {
    throw new AppError('precondition_failed', { step: 'issue_badge', rule: 'window_over' });
  }
  const next = advance(visit, 'issue_badge', 'badge_issued', actor, now);
  return {
    visit: { ...next, badgeId: badge.id, escortIds: [...new Set(escorts.map((e) => e.id))] },
    badge: { ...badge, visitId: visit.id, active: true },
  };
}

/** Step 4 begins: the door records the first entry. */
export function recordFirstEntry(visit: Visit, now: Date): Visit {
  const system: Actor = { id: 'system', role: 'system', name: 'door' };
  guard(visit, 'enter', system);
  return { ...advance(visit, 'enter', 'in_progress', system, now), firstEntryAt: now.toISOString() };
}

export { type CheckOutInput, checkOutVisit, type DeviceReconciliation } from './check-out.js';

export function closeVisit(visit: Visit, actor: Actor, now: Date, note?: string | null): Visit {
  guard(visit, 'close', actor);
  return advance(visit, 'close', 'closed', actor, now, cleanOptional(note, true) || undefined);
}

/** Withdrawn by the visitor or the office; a badge already issued goes back to the pool. */
export function cancelVisit(
  visit: Visit,
  badge: Badge | null,
  reason: string | null | undefined,
  actor: Actor,
  now: Date,
): { visit: Visit; badge: Badge | null } {
  guard(visit, 'cancel', actor);
  const why = requireReason(reason);
  return {
    visit: advance(visit, 'cancel', 'cancelled', actor, now, why),
    badge: badge ? { ...badge, visitId: null, active: false } : null,
  };
}

/** A no-show: the window (plus grace) ended before a badge was issued. */
export function isExpired(visit: Visit, now: Date, graceMinutes: number): boolean {
  return (
    STEP_RULES.expire.from.includes(visit.state) &&
    new Date(visit.window.end).getTime() + graceMinutes * 60_000 < now.getTime()
  );
}

export function expireVisit(visit: Visit, now: Date, graceMinutes = 0): Visit {
  const system: Actor = { id: 'system', role: 'system', name: 'clock' };
  guard(visit, 'expire', system);
  if (!isExpired(visit, now, graceMinutes)) {
    throw new AppError('precondition_failed', {
      step: 'expire',
      rule: 'window_not_over',
      windowEnd: visit.window.end,
    });
  }
  return advance(visit, 'expire', 'expired', system, now, 'window ended before a badge was issued');
}

/** The steps a given actor could take next; the console uses it to show buttons. */
export function availableSteps(visit: Visit, role: Role): VisitStep[] {
  return (Object.keys(STEP_RULES) as VisitStep[]).filter(
    (s) => STEP_RULES[s].from.includes(visit.state) && STEP_RULES[s].roles.includes(role),
  );
}
