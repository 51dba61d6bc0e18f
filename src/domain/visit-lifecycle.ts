/**
 * The server-room access procedure (SOP "Permohonan Akses Ruang Server") as a pure state machine.
 * Every function takes the current visit, the actor, the input and `now`, and returns the next
 * visit; it never mutates its arguments and throws AppError when the step is not allowed.
 */

import { AppError } from './errors.js';
import { checkNik } from './nik.js';
import { cleanFreeText, cleanOptional, stripInvisible } from './personal-data.js';
import type {
  Actor,
  Badge,
  Device,
  DeviceOut,
  Role,
  Transition,
  User,
  Visit,
  VisitState,
  VisitStep,
} from './types.js';

/** Which states each step may start from, and who may take it. */
export const STEP_RULES: Record<
  VisitStep,
  { from: readonly VisitState[]; roles: readonly (Role | 'system')[] }
> = {
  // 'system': the public request form (SOP step 1 is filled in by the visitor).
  submit: { from: [], roles: ['admin', 'superadmin', 'system'] },
  verify: { from: ['submitted'], roles: ['admin', 'superadmin'] },
  approve: { from: ['verified'], roles: ['superadmin'] },
  reject: { from: ['verified'], roles: ['superadmin'] },
  issue_badge: { from: ['approved'], roles: ['admin', 'superadmin'] },
  enter: { from: ['badge_issued'], roles: ['system'] },
  check_out: { from: ['badge_issued', 'in_progress'], roles: ['admin', 'superadmin'] },
  close: { from: ['checked_out'], roles: ['admin', 'superadmin'] },
  cancel: { from: ['submitted', 'verified', 'approved', 'badge_issued'], roles: ['admin', 'superadmin'] },
  expire: { from: ['submitted', 'verified', 'approved'], roles: ['system'] },
};

export interface SubmitInput {
  visitor: { name: string; nik: string; organisation: string; phone: string };
  purpose: string;
  window: { start: string; end: string };
  letterNumber: string;
  ticketRef?: string | null;
  devicesIn?: Device[];
}

function guard(visit: Visit | null, step: VisitStep, actor: Actor): void {
  const rule = STEP_RULES[step];
  if (!rule.roles.includes(actor.role)) {
    throw new AppError('forbidden', { step, role: actor.role, allowed: rule.roles });
  }
  if (visit && !rule.from.includes(visit.state)) {
    throw new AppError(
      'illegal_step',
      { step, state: visit.state, allowedFrom: rule.from },
      `step '${step}' is not allowed from state '${visit.state}'`,
    );
  }
}

function advance(
  visit: Visit,
  step: VisitStep,
  to: VisitState,
  actor: Actor,
  now: Date,
  reason?: string,
): Visit {
  const at = now.toISOString();
  const t: Transition = { step, from: visit.state, to, at, by: { id: actor.id, name: actor.name } };
  if (reason) t.reason = cleanFreeText(reason, { multiline: true });
  return { ...visit, state: to, history: [...visit.history, t], updatedAt: at };
}

function requireReason(reason: string | undefined | null): string {
  const r = cleanFreeText(reason ?? '', { multiline: true });
  if (!r) throw new AppError('reason_required');
  return r;
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

export function submitVisit(id: string, input: SubmitInput, actor: Actor, now: Date): Visit {
  guard(null, 'submit', actor);
  const nik = checkNik(input.visitor.nik);
  if (!nik.ok) throw new AppError('nik_invalid', { rule: nik.rule, message: nik.message });
  const { start, end } = parseWindow(input.window);
  if (end.getTime() <= now.getTime()) throw new AppError('window_invalid', { rule: 'window_in_past' });
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

function normaliseDevice<T extends Device>(d: T): T {
  // A serial is an identifier, not free text: invisible characters go, its digits stay.
  return {
    ...d,
    type: cleanFreeText(d.type),
    model: cleanFreeText(d.model),
    serial: stripInvisible(d.serial),
  };
}

export interface VerifyInput {
  formComplete: boolean;
  ktpHeld: boolean;
  note?: string | null;
}

/** Step 2: the admin checks the form is complete and physically holds a genuine KTP. */
export function verifyVisit(visit: Visit, input: VerifyInput, actor: Actor, now: Date): Visit {
  guard(visit, 'verify', actor);
  const missing: string[] = [];
  if (!input.formComplete) missing.push('formComplete');
  if (!input.ktpHeld) missing.push('ktpHeld');
  if (missing.length) throw new AppError('precondition_failed', { step: 'verify', missing });
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
  if (badge.kind !== 'visitor' || badge.visitId !== null || badge.active) {
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

export interface CheckOutInput {
  exitAt?: string | null;
  devicesOut: (Device & { confirmUnexpected?: boolean; note?: string | null })[];
  badgeReturned: boolean;
  ktpReturned: boolean;
  note?: string | null;
}

export interface DeviceReconciliation {
  /** Brought in and carried out. */
  matched: Device[];
  /** Carried out but not brought in: confirmed by an admin with a note. */
  unexpected: DeviceOut[];
  /** Brought in but not carried out. */
  leftInside: Device[];
}

const serialKey = (d: Device) => d.serial.trim().toUpperCase();

/**
 * Step 5: the admin records devices carried out with serial numbers, the exit time, and swaps the
 * badge back for the KTP. A device not brought in (say, a server disk) needs an explicit
 * confirmation with a note.
 */
export function checkOutVisit(
  visit: Visit,
  badge: Badge | null,
  input: CheckOutInput,
  actor: Actor,
  now: Date,
): { visit: Visit; badge: Badge | null; reconciliation: DeviceReconciliation } {
  guard(visit, 'check_out', actor);
  const missing: string[] = [];
  if (!input.badgeReturned) missing.push('badgeReturned');
  if (!input.ktpReturned) missing.push('ktpReturned');
  if (missing.length) throw new AppError('precondition_failed', { step: 'check_out', missing });
  const exitAt = input.exitAt ? new Date(input.exitAt) : now;
  if (Number.isNaN(exitAt.getTime())) throw new AppError('validation_failed', { field: 'exitAt' });
  if (exitAt.getTime() > now.getTime() + 60_000) {
    throw new AppError('precondition_failed', { step: 'check_out', rule: 'exit_time_in_future' });
  }

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
  const leftInside = visit.devicesIn.filter((d) => !seen.has(serialKey(d)));

  const next = advance(
    visit,
    'check_out',
    'checked_out',
    actor,
    now,
    cleanOptional(input.note, true) || undefined,
  );
  return {
    visit: {
      ...next,
      devicesOut,
      checkOut: {
        exitAt: exitAt.toISOString(),
        badgeReturned: true,
        ktpReturned: true,
        by: actor.id,
        note: cleanOptional(input.note, true) || null,
      },
    },
    badge: badge ? { ...badge, visitId: null, active: false } : null,
    reconciliation: { matched, unexpected, leftInside },
  };
}

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
