/**
 * The step table of the procedure and the helpers every step function shares: who may take which
 * step from which state, the transition record, reasons, device normalisation.
 */
import { AppError } from './errors.js';
import { cleanFreeText, stripInvisible } from './personal-data.js';
import type { Actor, Device, Role, Transition, Visit, VisitState, VisitStep } from './types.js';

/** Which states each step may start from, and who may take it. */
export const STEP_RULES: Record<
  VisitStep,
  { from: readonly VisitState[]; roles: readonly (Role | 'system')[] }
> = {
  // 'system': the helpdesk intake (POST /api/intake) submits as a system actor.
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

export function guard(visit: Visit | null, step: VisitStep, actor: Actor): void {
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

export function advance(
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

export function requireReason(reason: string | undefined | null): string {
  const r = cleanFreeText(reason ?? '', { multiline: true });
  if (!r) throw new AppError('reason_required');
  return r;
}

export function normaliseDevice<T extends Device>(d: T): T {
  // A serial is an identifier, not free text: invisible characters go, its digits stay.
  return {
    ...d,
    type: cleanFreeText(d.type),
    model: cleanFreeText(d.model),
    serial: stripInvisible(d.serial),
  };
}

export const serialKey = (d: Device) => d.serial.trim().toUpperCase();
