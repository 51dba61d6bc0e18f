/** Shared builders for the pure domain tests: users, badges, visits, a StateView from arrays. */
import assert from 'node:assert/strict';
import type { AccessSettings, StateView } from '../../src/domain/access-policy.js';
import { AppError, type ErrorCode } from '../../src/domain/errors.js';
import type { Actor, Badge, Transition, User, Visit, VisitState, VisitStep } from '../../src/domain/types.js';
import type { SubmitInput } from '../../src/domain/visit-lifecycle.js';

/** A fixed wall clock: 2025-03-10 08:00:00 UTC. */
export const T0 = new Date('2025-03-10T08:00:00.000Z');
export const MIN = 60_000;
export const at = (offsetMs: number): Date => new Date(T0.getTime() + offsetMs);
export const iso = (offsetMs: number): string => at(offsetMs).toISOString();

/** Valid NIKs: Kudus (33 19 01), born 15 Aug 1985; the woman's day has 40 added. */
export const NIK_MALE = '3319011508850001';
export const NIK_FEMALE = '3319015508850002';

export const ADMIN: Actor = { id: 'u-admin', role: 'admin', name: 'Admin Satu' };
export const ADMIN2: Actor = { id: 'u-admin2', role: 'admin', name: 'Admin Dua' };
export const SUPER: Actor = { id: 'u-super', role: 'superadmin', name: 'Kasi TI' };
export const SUPER2: Actor = { id: 'u-super2', role: 'superadmin', name: 'Kasi TI Plt' };
export const SYSTEM: Actor = { id: 'system', role: 'system', name: 'door' };

export function user(id: string, overrides: Partial<User> = {}): User {
  return {
    id,
    username: id,
    displayName: `User ${id}`,
    role: 'admin',
    escort: true,
    active: true,
    passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
    createdAt: iso(-30 * 24 * 60 * MIN),
    ...overrides,
  };
}

export function staffBadge(id: string, userId: string, overrides: Partial<Badge> = {}): Badge {
  return {
    id,
    uid: `UID-${id}`.toUpperCase(),
    label: `Staff ${id}`,
    kind: 'staff',
    userId,
    visitId: null,
    active: true,
    createdAt: iso(-30 * 24 * 60 * MIN),
    ...overrides,
  };
}

/** A visitor badge; by default issued to `visitId` and active. Pass visitId null for a pool badge. */
export function visitorBadge(id: string, visitId: string | null, overrides: Partial<Badge> = {}): Badge {
  return {
    id,
    uid: `UID-${id}`.toUpperCase(),
    label: `Tamu ${id}`,
    kind: 'visitor',
    userId: null,
    visitId,
    active: visitId !== null,
    createdAt: iso(-30 * 24 * 60 * MIN),
    ...overrides,
  };
}

export function submitInput(overrides: Partial<SubmitInput> = {}): SubmitInput {
  return {
    visitor: { name: 'Budi Santoso', nik: NIK_MALE, organisation: 'PT Contoh', phone: '081234567890' },
    purpose: 'Ganti disk server aplikasi',
    window: { start: iso(60 * MIN), end: iso(180 * MIN) },
    letterNumber: '005/123/2025',
    ticketRef: 'HD-42',
    devicesIn: [{ type: 'laptop', model: 'ThinkPad T14', serial: 'PF-123' }],
    ...overrides,
  };
}

/** The step that leads into each state, for a plausible history. */
const INTO: Record<VisitState, { step: VisitStep; from: VisitState | null }> = {
  submitted: { step: 'submit', from: null },
  verified: { step: 'verify', from: 'submitted' },
  approved: { step: 'approve', from: 'verified' },
  rejected: { step: 'reject', from: 'verified' },
  badge_issued: { step: 'issue_badge', from: 'approved' },
  in_progress: { step: 'enter', from: 'badge_issued' },
  checked_out: { step: 'check_out', from: 'in_progress' },
  closed: { step: 'close', from: 'checked_out' },
  cancelled: { step: 'cancel', from: 'submitted' },
  expired: { step: 'expire', from: 'submitted' },
};

function historyTo(state: VisitState): Transition[] {
  const chain: VisitState[] = [];
  let s: VisitState | null = state;
  while (s) {
    chain.unshift(s);
    s = INTO[s].from;
  }
  return chain.map((to, i) => ({
    step: INTO[to].step,
    from: INTO[to].from,
    to,
    at: iso(i * MIN),
    by: { id: 'u-admin', name: 'Admin Satu' },
  }));
}

/** A visit in any state with a consistent-enough record; window T0+1h .. T0+3h by default. */
export function visit(id: string, state: VisitState = 'submitted', overrides: Partial<Visit> = {}): Visit {
  const past = (s: VisitState[]) => s.includes(state);
  const verifiedOrLater = past([
    'verified',
    'approved',
    'rejected',
    'badge_issued',
    'in_progress',
    'checked_out',
    'closed',
  ]);
  const decided = past(['approved', 'rejected', 'badge_issued', 'in_progress', 'checked_out', 'closed']);
  const issued = past(['badge_issued', 'in_progress', 'checked_out', 'closed']);
  return {
    id,
    state,
    visitor: { name: 'Budi Santoso', nik: NIK_MALE, organisation: 'PT Contoh', phone: '081234567890' },
    purpose: 'Ganti disk server aplikasi',
    window: { start: iso(60 * MIN), end: iso(180 * MIN) },
    letterNumber: '005/123/2025',
    ticketRef: null,
    devicesIn: [{ type: 'laptop', model: 'ThinkPad T14', serial: 'PF-123' }],
    devicesOut: [],
    badgeId: issued ? `b-${id}` : null,
    escortIds: issued ? ['u-escort'] : [],
    verification: verifiedOrLater
      ? { formComplete: true, ktpHeld: true, nikChecked: true, by: 'u-admin', at: iso(MIN) }
      : null,
    decision: decided
      ? {
          approved: state !== 'rejected',
          by: 'u-super',
          at: iso(2 * MIN),
          reason: state === 'rejected' ? 'no' : null,
        }
      : null,
    firstEntryAt: past(['in_progress', 'checked_out', 'closed']) ? iso(61 * MIN) : null,
    checkOut: null,
    history: historyTo(state),
    createdAt: iso(0),
    updatedAt: iso(0),
    ...overrides,
  };
}

export function settings(overrides: Partial<AccessSettings> = {}): AccessSettings {
  return {
    escortWindowSeconds: 10,
    escortScope: 'visit',
    staffSoloEntry: true,
    windowGraceMinutes: 15,
    antiPassback: 'hard',
    ...overrides,
  };
}

export function makeView(data: { users?: User[]; badges?: Badge[]; visits?: Visit[] }): StateView {
  const users = new Map((data.users ?? []).map((u) => [u.id, u]));
  const badges = new Map((data.badges ?? []).map((b) => [b.uid, b]));
  const badgesById = new Map((data.badges ?? []).map((b) => [b.id, b]));
  const visits = new Map((data.visits ?? []).map((v) => [v.id, v]));
  return {
    badgeByUid: (uid) => badges.get(uid),
    badge: (id) => badgesById.get(id),
    user: (id) => users.get(id),
    visit: (id) => visits.get(id),
  };
}

/** Freezes an object graph so that any mutation by the code under test throws (ESM is strict). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/** Asserts that `fn` throws an AppError with `code` and (a subset of) `details`; returns the error. */
export function throwsApp(fn: () => unknown, code: ErrorCode, details?: Record<string, unknown>): AppError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof AppError, `expected AppError '${code}', got ${String(caught)}`);
  assert.equal(
    caught.code,
    code,
    `expected code '${code}', got '${caught.code}' (${JSON.stringify(caught.details)})`,
  );
  if (details) {
    for (const [k, v] of Object.entries(details)) assert.deepEqual(caught.details?.[k], v, `details.${k}`);
  }
  return caught;
}
