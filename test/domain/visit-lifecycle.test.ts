import assert from 'node:assert/strict';
import { AppError } from '../../src/domain/errors.js';
import type { Actor, Badge, User, Visit, VisitState, VisitStep } from '../../src/domain/types.js';
import { VISIT_STATES } from '../../src/domain/types.js';
import {
  availableSteps,
  type CheckOutInput,
  cancelVisit,
  checkOutVisit,
  closeVisit,
  decideVisit,
  expireVisit,
  isExpired,
  issueBadge,
  recordFirstEntry,
  STEP_RULES,
  submitVisit,
  verifyVisit,
} from '../../src/domain/visit-lifecycle.js';
import {
  ADMIN,
  ADMIN2,
  at,
  deepFreeze,
  iso,
  MIN,
  NIK_FEMALE,
  SUPER,
  SUPER2,
  SYSTEM,
  submitInput,
  throwsApp,
  user,
  visit,
  visitorBadge,
} from './builders.js';

const NOW = at(5 * MIN);
const SOD = { separationOfDuties: true };
const NO_SOD = { separationOfDuties: false };
const ESCORT = deepFreeze(user('u-escort', { escort: true }));
const ESCORT2 = deepFreeze(user('u-escort2', { escort: true, role: 'superadmin' }));
const POOL_BADGE = deepFreeze(visitorBadge('b-pool', null));
const checkOutInput = (overrides: Partial<CheckOutInput> = {}): CheckOutInput => ({
  devicesOut: [{ type: 'laptop', model: 'ThinkPad T14', serial: 'PF-123' }],
  badgeReturned: true,
  ktpReturned: true,
  ...overrides,
});

/** A frozen visit in `state` (any mutation by the code under test would throw). */
const frozen = (state: VisitState, overrides: Partial<Visit> = {}) =>
  deepFreeze(visit('v1', state, overrides));

function lastTransition(v: Visit) {
  const t = v.history[v.history.length - 1];
  assert.ok(t);
  return t;
}

function assertRecorded(
  before: Visit,
  after: Visit,
  step: VisitStep,
  to: VisitState,
  actor: Actor,
  when: Date,
) {
  assert.equal(after.state, to);
  assert.equal(after.history.length, before.history.length + 1);
  assert.deepEqual(after.history.slice(0, -1), before.history);
  const t = lastTransition(after);
  assert.equal(t.step, step);
  assert.equal(t.from, before.state);
  assert.equal(t.to, to);
  assert.equal(t.at, when.toISOString());
  assert.deepEqual(t.by, { id: actor.id, name: actor.name });
  assert.equal(after.updatedAt, when.toISOString());
}

/** Takes `step` on `v` with inputs that satisfy every precondition other than state and role. */
function takeStep(step: Exclude<VisitStep, 'submit'>, v: Visit, actor: Actor = actorFor(step)): Visit {
  switch (step) {
    case 'verify':
      return verifyVisit(v, { formComplete: true, ktpHeld: true, ktpTray: 'A1' }, actor, NOW);
    case 'approve':
      return decideVisit(v, true, null, actor, NOW, NO_SOD);
    case 'reject':
      return decideVisit(v, false, 'not needed', actor, NOW, NO_SOD);
    case 'issue_badge':
      return issueBadge(v, POOL_BADGE, [ESCORT], actor, NOW).visit;
    case 'enter':
      return recordFirstEntry(v, at(61 * MIN));
    case 'check_out':
      return checkOutVisit(v, null, checkOutInput(), actor, at(90 * MIN)).visit;
    case 'close':
      return closeVisit(v, actor, NOW);
    case 'cancel':
      return cancelVisit(v, null, 'visitor withdrew', actor, NOW).visit;
    case 'expire':
      return expireVisit(v, at(181 * MIN));
  }
}

function actorFor(step: VisitStep): Actor {
  const roles = STEP_RULES[step].roles;
  if (roles.includes('admin')) return ADMIN;
  if (roles.includes('superadmin')) return SUPER;
  return SYSTEM;
}

const STEP_TARGET: Record<Exclude<VisitStep, 'submit'>, VisitState> = {
  verify: 'verified',
  approve: 'approved',
  reject: 'rejected',
  issue_badge: 'badge_issued',
  enter: 'in_progress',
  check_out: 'checked_out',
  close: 'closed',
  cancel: 'cancelled',
  expire: 'expired',
};
const STEPS = Object.keys(STEP_TARGET) as (keyof typeof STEP_TARGET)[];

describe('domain/visit-lifecycle', () => {
  describe('transition table', () => {
    it('matches the SOP: which states each step starts from', () => {
      assert.deepEqual(Object.fromEntries(STEPS.map((s) => [s, [...STEP_RULES[s].from].sort()])), {
        verify: ['submitted'],
        approve: ['verified'],
        reject: ['verified'],
        issue_badge: ['approved'],
        enter: ['badge_issued'],
        check_out: ['badge_issued', 'in_progress'],
        close: ['checked_out'],
        cancel: ['approved', 'badge_issued', 'submitted', 'verified'],
        expire: ['approved', 'submitted', 'verified'],
      });
    });

    for (const step of STEPS) {
      for (const state of VISIT_STATES) {
        const legal = STEP_RULES[step].from.includes(state);
        if (legal) {
          it(`${step}: ${state} → ${STEP_TARGET[step]} is legal and recorded`, () => {
            const v = frozen(state);
            const before = structuredClone(v);
            const next = takeStep(step, v);
            assert.equal(next.state, STEP_TARGET[step]);
            assert.equal(lastTransition(next).step, step);
            assert.equal(lastTransition(next).from, state);
            assert.deepEqual(v, before, 'input visit unchanged');
          });
        } else {
          it(`${step}: from ${state} throws illegal_step naming the state and the step`, () => {
            const v = frozen(state);
            const err = throwsApp(() => takeStep(step, v), 'illegal_step', { step, state });
            assert.equal(err.status, 409);
            assert.ok(err.message.includes(step) && err.message.includes(state), err.message);
            assert.deepEqual(err.details?.['allowedFrom'], STEP_RULES[step].from);
          });
        }
      }
    }

    it('terminal states allow no step at all', () => {
      for (const state of ['closed', 'rejected', 'cancelled', 'expired'] as const) {
        for (const step of STEPS) assert.ok(!STEP_RULES[step].from.includes(state), `${step} from ${state}`);
        assert.deepEqual(availableSteps(visit('v', state), 'superadmin'), []);
        assert.deepEqual(availableSteps(visit('v', state), 'admin'), []);
      }
    });
  });

  describe('role guard', () => {
    const cases: [Exclude<VisitStep, 'submit' | 'enter' | 'expire'>, VisitState, Actor[]][] = [
      ['verify', 'submitted', [SYSTEM]],
      ['approve', 'verified', [ADMIN, SYSTEM]],
      ['reject', 'verified', [ADMIN, SYSTEM]],
      ['issue_badge', 'approved', [SYSTEM]],
      ['check_out', 'in_progress', [SYSTEM]],
      ['close', 'checked_out', [SYSTEM]],
      ['cancel', 'submitted', [SYSTEM]],
    ];
    for (const [step, state, actors] of cases) {
      for (const actor of actors) {
        it(`${step} by ${actor.role} is forbidden`, () => {
          const err = throwsApp(() => takeStep(step, frozen(state), actor), 'forbidden', {
            step,
            role: actor.role,
          });
          assert.equal(err.status, 403);
        });
      }
    }

    it('submit by the system (the helpdesk intake) is allowed, as by admin and superadmin; the system takes no other desk step', () => {
      assert.equal(submitVisit('v1', submitInput(), SYSTEM, NOW).state, 'submitted');
      throwsApp(
        () =>
          verifyVisit(
            submitVisit('v1', submitInput(), ADMIN, NOW),
            { formComplete: true, ktpHeld: true, ktpTray: 'A1' },
            SYSTEM,
            NOW,
          ),
        'forbidden',
      );
      assert.equal(submitVisit('v1', submitInput(), ADMIN, NOW).state, 'submitted');
      assert.equal(submitVisit('v1', submitInput(), SUPER, NOW).state, 'submitted');
    });

    it('superadmin may take every admin step', () => {
      for (const [step, state] of [
        ['verify', 'submitted'],
        ['issue_badge', 'approved'],
        ['check_out', 'in_progress'],
        ['close', 'checked_out'],
        ['cancel', 'verified'],
      ] as const) {
        assert.equal(takeStep(step, frozen(state), SUPER).state, STEP_TARGET[step]);
      }
    });

    it('the role is checked before the state: an admin approving a submitted visit is forbidden', () => {
      throwsApp(() => decideVisit(frozen('submitted'), true, null, ADMIN, NOW, NO_SOD), 'forbidden');
    });

    it('availableSteps lists what each role may do next (door and clock steps are never offered)', () => {
      assert.deepEqual(availableSteps(visit('v', 'submitted'), 'admin'), ['verify', 'cancel']);
      assert.deepEqual(availableSteps(visit('v', 'verified'), 'admin'), ['cancel']);
      assert.deepEqual(availableSteps(visit('v', 'verified'), 'superadmin'), ['approve', 'reject', 'cancel']);
      assert.deepEqual(availableSteps(visit('v', 'approved'), 'admin'), ['issue_badge', 'cancel']);
      assert.deepEqual(availableSteps(visit('v', 'badge_issued'), 'admin'), ['check_out', 'cancel']);
      assert.deepEqual(availableSteps(visit('v', 'in_progress'), 'admin'), ['check_out']);
      assert.deepEqual(availableSteps(visit('v', 'checked_out'), 'admin'), ['close']);
    });
  });

  describe('submit', () => {
    it('creates a submitted visit with normalised fields and a first transition', () => {
      const input = deepFreeze(
        submitInput({
          visitor: { name: '  Siti Aminah ', nik: NIK_FEMALE, organisation: 'CV Maju', phone: '0812' },
          purpose: '  Audit  ',
          letterNumber: ' 005/7 ',
          ticketRef: '  ',
          window: { start: '2025-03-10T16:00:00+07:00', end: '2025-03-10T18:00:00+07:00' },
          devicesIn: [{ type: ' laptop ', model: ' X1 ', serial: ' SN-1 ' }],
        }),
      );
      const before = structuredClone(input);
      const v = submitVisit('v9', input, ADMIN, NOW);
      assert.deepEqual(input, before);
      assert.equal(v.id, 'v9');
      assert.equal(v.state, 'submitted');
      assert.equal(v.visitor.name, 'Siti Aminah');
      assert.equal(v.visitor.nik, NIK_FEMALE);
      assert.equal(v.purpose, 'Audit');
      assert.equal(v.letterNumber, '005/7');
      assert.equal(v.ticketRef, null);
      assert.deepEqual(v.window, { start: '2025-03-10T09:00:00.000Z', end: '2025-03-10T11:00:00.000Z' });
      assert.deepEqual(v.devicesIn, [{ type: 'laptop', model: 'X1', serial: 'SN-1' }]);
      assert.deepEqual(v.devicesOut, []);
      assert.equal(v.badgeId, null);
      assert.deepEqual(v.escortIds, []);
      assert.equal(v.verification, null);
      assert.equal(v.decision, null);
      assert.equal(v.checkOut, null);
      assert.equal(v.firstEntryAt, null);
      assert.equal(v.createdAt, NOW.toISOString());
      assert.equal(v.updatedAt, NOW.toISOString());
      assert.deepEqual(v.history, [
        {
          step: 'submit',
          from: null,
          to: 'submitted',
          at: NOW.toISOString(),
          by: { id: ADMIN.id, name: ADMIN.name },
        },
      ]);
    });

    it('keeps a ticket reference and allows no devices', () => {
      const v = submitVisit('v1', submitInput({ ticketRef: ' HD-7 ', devicesIn: undefined }), ADMIN, NOW);
      assert.equal(v.ticketRef, 'HD-7');
      assert.deepEqual(v.devicesIn, []);
    });

    it('does not share the devices array with the input', () => {
      const input = submitInput();
      const v = submitVisit('v1', input, ADMIN, NOW);
      assert.notEqual(v.devicesIn, input.devicesIn);
      assert.notEqual(v.visitor, input.visitor);
    });

    it('rejects an invalid NIK naming the rule', () => {
      const bad = submitInput({ visitor: { ...submitInput().visitor, nik: '3319013104850001' } });
      const err = throwsApp(() => submitVisit('v1', bad, ADMIN, NOW), 'nik_invalid', { rule: 'birth_date' });
      assert.equal(err.status, 400);
    });

    it('rejects windows that are not dates, empty or reversed, or already over', () => {
      const w = (start: string, end: string) => submitInput({ window: { start, end } });
      throwsApp(() => submitVisit('v1', w('nope', iso(MIN)), ADMIN, NOW), 'window_invalid', {
        rule: 'not_a_date',
      });
      throwsApp(() => submitVisit('v1', w(iso(MIN), ''), ADMIN, NOW), 'window_invalid', {
        rule: 'not_a_date',
      });
      throwsApp(() => submitVisit('v1', w(iso(60 * MIN), iso(60 * MIN)), ADMIN, NOW), 'window_invalid', {
        rule: 'end_before_start',
      });
      throwsApp(() => submitVisit('v1', w(iso(60 * MIN), iso(30 * MIN)), ADMIN, NOW), 'window_invalid', {
        rule: 'end_before_start',
      });
      throwsApp(() => submitVisit('v1', w(iso(-60 * MIN), iso(5 * MIN)), ADMIN, NOW), 'window_invalid', {
        rule: 'window_in_past',
      });
    });

    it('refuses a window longer than the maximum (365 days used to be accepted)', () => {
      const w = (days: number) =>
        submitInput({ window: { start: iso(MIN), end: iso(MIN + days * 24 * 60 * MIN) } });
      throwsApp(() => submitVisit('v1', w(365), ADMIN, NOW), 'window_invalid', {
        rule: 'window_too_long',
        maxDays: 7,
      });
      assert.equal(submitVisit('v1', w(7), ADMIN, NOW).state, 'submitted');
      throwsApp(() => submitVisit('v1', w(2), ADMIN, NOW, { maxWindowDays: 1 }), 'window_invalid', {
        rule: 'window_too_long',
        maxDays: 1,
      });
    });

    it('accepts a window that already started but has not ended', () => {
      const v = submitVisit(
        'v1',
        submitInput({ window: { start: iso(-60 * MIN), end: iso(5 * MIN + 1) } }),
        ADMIN,
        NOW,
      );
      assert.equal(v.state, 'submitted');
    });

    it('rejects the same serial brought in twice (case and spaces ignored)', () => {
      const input = submitInput({
        devicesIn: [
          { type: 'disk', model: 'A', serial: 'sn-1' },
          { type: 'disk', model: 'B', serial: ' SN-1 ' },
        ],
      });
      throwsApp(() => submitVisit('v1', input, ADMIN, NOW), 'validation_failed', {
        field: 'devicesIn',
        rule: 'duplicate_serial',
      });
    });
  });

  describe('verify', () => {
    it('submitted → verified records the verifier, the checks and an optional note', () => {
      const v = frozen('submitted');
      const next = verifyVisit(
        v,
        { formComplete: true, ktpHeld: true, ktpTray: 'A1', note: '  KTP asli  ' },
        ADMIN2,
        NOW,
      );
      assertRecorded(v, next, 'verify', 'verified', ADMIN2, NOW);
      assert.deepEqual(next.verification, {
        formComplete: true,
        ktpHeld: true,
        nikChecked: true,
        by: ADMIN2.id,
        at: NOW.toISOString(),
      });
      assert.equal(lastTransition(next).reason, 'KTP asli');
    });

    it('leaves out an empty note', () => {
      const next = verifyVisit(
        frozen('submitted'),
        { formComplete: true, ktpHeld: true, ktpTray: 'A1', note: '  ' },
        ADMIN,
        NOW,
      );
      assert.equal('reason' in lastTransition(next), false);
    });

    it('requires the form complete and the KTP physically held, naming what is missing', () => {
      const v = frozen('submitted');
      throwsApp(
        () => verifyVisit(v, { formComplete: false, ktpHeld: true }, ADMIN, NOW),
        'precondition_failed',
        {
          step: 'verify',
          missing: ['formComplete'],
        },
      );
      throwsApp(
        () => verifyVisit(v, { formComplete: true, ktpHeld: false }, ADMIN, NOW),
        'precondition_failed',
        {
          missing: ['ktpHeld'],
        },
      );
      throwsApp(
        () => verifyVisit(v, { formComplete: false, ktpHeld: false }, ADMIN, NOW),
        'precondition_failed',
        {
          missing: ['formComplete', 'ktpHeld'],
        },
      );
    });

    it('re-checks the NIK held on the visit', () => {
      const v = frozen('submitted', { visitor: { ...visit('x').visitor, nik: '3319011508850000' } });
      throwsApp(
        () => verifyVisit(v, { formComplete: true, ktpHeld: true, ktpTray: 'A1' }, ADMIN, NOW),
        'nik_invalid',
        {
          rule: 'serial',
        },
      );
    });
  });

  describe('approve / reject', () => {
    it('verified → approved by a superadmin, reason optional', () => {
      const v = frozen('verified');
      const next = decideVisit(v, true, undefined, SUPER, NOW, SOD);
      assertRecorded(v, next, 'approve', 'approved', SUPER, NOW);
      assert.deepEqual(next.decision, { approved: true, by: SUPER.id, at: NOW.toISOString(), reason: null });
      assert.equal('reason' in lastTransition(next), false);
    });

    it('an approval note is kept, trimmed', () => {
      const next = decideVisit(frozen('verified'), true, '  ok  ', SUPER, NOW, SOD);
      assert.equal(next.decision?.reason, 'ok');
      assert.equal(lastTransition(next).reason, 'ok');
    });

    it('verified → rejected with a reason, recorded on the decision and the transition', () => {
      const v = frozen('verified');
      const next = decideVisit(v, false, '  tidak ada surat  ', SUPER, NOW, SOD);
      assertRecorded(v, next, 'reject', 'rejected', SUPER, NOW);
      assert.deepEqual(next.decision, {
        approved: false,
        by: SUPER.id,
        at: NOW.toISOString(),
        reason: 'tidak ada surat',
      });
      assert.equal(lastTransition(next).reason, 'tidak ada surat');
    });

    it('reject without a reason throws reason_required', () => {
      for (const reason of [undefined, null, '', '   \n\t']) {
        const err = throwsApp(
          () => decideVisit(frozen('verified'), false, reason, SUPER, NOW, SOD),
          'reason_required',
        );
        assert.equal(err.status, 400);
      }
    });

    it('separation of duties: the superadmin who verified may not decide', () => {
      const v = frozen('verified', {
        verification: { formComplete: true, ktpHeld: true, nikChecked: true, by: SUPER.id, at: iso(MIN) },
      });
      throwsApp(() => decideVisit(v, true, null, SUPER, NOW, SOD), 'separation_of_duties', {
        verifiedBy: SUPER.id,
      });
      throwsApp(() => decideVisit(v, false, 'no', SUPER, NOW, SOD), 'separation_of_duties');
      assert.equal(decideVisit(v, true, null, SUPER2, NOW, SOD).state, 'approved');
      assert.equal(decideVisit(v, true, null, SUPER, NOW, NO_SOD).state, 'approved');
    });

    it('separation of duties follows a real verify step', () => {
      const verified = verifyVisit(
        frozen('submitted'),
        { formComplete: true, ktpHeld: true, ktpTray: 'A1' },
        SUPER,
        NOW,
      );
      throwsApp(() => decideVisit(verified, true, null, SUPER, NOW, SOD), 'separation_of_duties');
      const err = throwsApp(() => decideVisit(verified, true, null, SUPER, NOW, SOD), 'separation_of_duties');
      assert.equal(err.status, 403);
    });
  });

  describe('issue_badge', () => {
    it('approved → badge_issued binds the pool badge and the escorts (deduplicated)', () => {
      const v = frozen('approved');
      const { visit: next, badge } = issueBadge(v, POOL_BADGE, [ESCORT, ESCORT2, ESCORT], ADMIN, NOW);
      assertRecorded(v, next, 'issue_badge', 'badge_issued', ADMIN, NOW);
      assert.equal(next.badgeId, POOL_BADGE.id);
      assert.deepEqual(next.escortIds, [ESCORT.id, ESCORT2.id]);
      assert.deepEqual(badge, { ...POOL_BADGE, visitId: 'v1', active: true });
    });

    it('the badge must be an unissued visitor badge', () => {
      const v = frozen('approved');
      const staff = deepFreeze<Badge>({ ...POOL_BADGE, id: 'b-staff', kind: 'staff', userId: 'u-escort' });
      const issued = deepFreeze(visitorBadge('b-taken', 'v-other'));
      const activePool = deepFreeze(visitorBadge('b-active', null, { active: true }));
      throwsApp(() => issueBadge(v, staff, [ESCORT], ADMIN, NOW), 'badge_unavailable', {
        badgeId: 'b-staff',
      });
      throwsApp(() => issueBadge(v, issued, [ESCORT], ADMIN, NOW), 'badge_unavailable', {
        issuedTo: 'v-other',
      });
      throwsApp(() => issueBadge(v, activePool, [ESCORT], ADMIN, NOW), 'badge_unavailable');
    });

    it('needs at least one escort', () => {
      throwsApp(() => issueBadge(frozen('approved'), POOL_BADGE, [], ADMIN, NOW), 'escort_invalid', {
        rule: 'at_least_one_escort',
      });
    });

    it('every escort must be an active user with the escort flag', () => {
      const v = frozen('approved');
      const inactive = deepFreeze(user('u-gone', { active: false }));
      const plain = deepFreeze(user('u-plain', { escort: false }));
      const plainSuper = deepFreeze(user('u-boss', { escort: false, role: 'superadmin' }));
      for (const bad of [inactive, plain, plainSuper]) {
        throwsApp(() => issueBadge(v, POOL_BADGE, [ESCORT, bad], ADMIN, NOW), 'escort_invalid', {
          userId: bad.id,
          rule: 'not_escort_capable',
        });
      }
    });

    it('is refused once the window is over', () => {
      const v = frozen('approved');
      throwsApp(() => issueBadge(v, POOL_BADGE, [ESCORT], ADMIN, at(180 * MIN)), 'precondition_failed', {
        rule: 'window_over',
      });
      assert.equal(issueBadge(v, POOL_BADGE, [ESCORT], ADMIN, at(180 * MIN - 1)).visit.state, 'badge_issued');
    });
  });

  describe('enter', () => {
    it('badge_issued → in_progress on the first entry, by the system', () => {
      const v = frozen('badge_issued');
      const when = at(62 * MIN);
      const next = recordFirstEntry(v, when);
      assertRecorded(v, next, 'enter', 'in_progress', { id: 'system', role: 'system', name: 'door' }, when);
      assert.equal(next.firstEntryAt, when.toISOString());
    });

    it('a second entry is an illegal step (the door must not call it twice)', () => {
      throwsApp(() => recordFirstEntry(frozen('in_progress'), NOW), 'illegal_step', {
        step: 'enter',
        state: 'in_progress',
      });
    });
  });

  describe('check_out', () => {
    const issuedBadge = deepFreeze(visitorBadge('b-v1', 'v1'));
    const devicesIn = [
      { type: 'laptop', model: 'ThinkPad T14', serial: 'PF-123' },
      { type: 'disk', model: 'WD Red', serial: 'WD-9' },
    ];
    const OUT_AT = at(90 * MIN);

    it('in_progress → checked_out records exit, returns, note, and releases the badge', () => {
      const v = frozen('in_progress');
      const r = checkOutVisit(v, issuedBadge, checkOutInput({ note: ' selesai ' }), ADMIN, OUT_AT);
      assertRecorded(v, r.visit, 'check_out', 'checked_out', ADMIN, OUT_AT);
      assert.deepEqual(r.visit.checkOut, {
        exitAt: OUT_AT.toISOString(),
        badgeReturned: true,
        ktpReturned: true,
        by: ADMIN.id,
        note: 'selesai',
      });
      assert.equal(lastTransition(r.visit).reason, 'selesai');
      assert.deepEqual(r.badge, { ...issuedBadge, visitId: null, active: false });
      assert.deepEqual(r.reconciliation, { matched: [devicesIn[0]], unexpected: [], leftInside: [] });
      assert.deepEqual(r.visit.devicesOut, [devicesIn[0]]);
    });

    it('badge_issued → checked_out (the visitor never went in) is allowed', () => {
      const r = checkOutVisit(frozen('badge_issued'), issuedBadge, checkOutInput(), ADMIN, OUT_AT);
      assert.equal(r.visit.state, 'checked_out');
    });

    it('without a badge record, returns badge null', () => {
      assert.equal(checkOutVisit(frozen('in_progress'), null, checkOutInput(), ADMIN, OUT_AT).badge, null);
    });

    it('a badge not returned needs a superadmin and a note; the badge is deactivated and marked lost', () => {
      const v = frozen('in_progress');
      throwsApp(
        () =>
          checkOutVisit(
            v,
            issuedBadge,
            checkOutInput({ badgeReturned: false, badgeNote: 'hilang' }),
            ADMIN,
            OUT_AT,
          ),
        'badge_loss_needs_superadmin',
      );
      throwsApp(
        () => checkOutVisit(v, issuedBadge, checkOutInput({ badgeReturned: false }), SUPER, OUT_AT),
        'reason_required',
        { field: 'badgeNote' },
      );
      const r = checkOutVisit(
        v,
        issuedBadge,
        checkOutInput({ badgeReturned: false, badgeNote: ' dibawa pulang ' }),
        SUPER,
        OUT_AT,
      );
      assert.equal(r.visit.state, 'checked_out');
      assert.equal(r.visit.checkOut?.badgeReturned, false);
      assert.equal(r.badge?.active, false);
      assert.equal(r.badge?.visitId, null);
      assert.deepEqual(r.badge?.lost, {
        at: OUT_AT.toISOString(),
        by: SUPER.id,
        visitId: v.id,
        note: 'dibawa pulang',
      });
    });

    it('a KTP not returned needs a reason and stays held in the ledger', () => {
      const held = {
        tray: 'A1',
        receivedAt: iso(MIN),
        receivedBy: ADMIN.id,
        returnedAt: null,
        returnedBy: null,
        keptReason: null,
      };
      const v = frozen('in_progress', { ktp: held });
      throwsApp(
        () => checkOutVisit(v, issuedBadge, checkOutInput({ ktpReturned: false }), ADMIN, OUT_AT),
        'reason_required',
        { field: 'ktpKeptReason' },
      );
      const kept = checkOutVisit(
        v,
        issuedBadge,
        checkOutInput({ ktpReturned: false, ktpKeptReason: 'diambil besok' }),
        ADMIN,
        OUT_AT,
      );
      assert.deepEqual(kept.visit.ktp, { ...held, keptReason: 'diambil besok' });
      const back = checkOutVisit(v, issuedBadge, checkOutInput(), ADMIN2, OUT_AT);
      assert.deepEqual(back.visit.ktp, { ...held, returnedAt: OUT_AT.toISOString(), returnedBy: ADMIN2.id });
    });

    it('matches serials ignoring case and surrounding spaces; reports devices left inside', () => {
      const v = frozen('in_progress', { devicesIn });
      const r = checkOutVisit(
        v,
        null,
        checkOutInput({
          devicesOut: [{ type: 'laptop', model: 'ThinkPad T14', serial: '  pf-123 ' }],
          devicesLeft: [{ serial: devicesIn[1]!.serial.toLowerCase(), note: ' dipasang ' }],
        }),
        ADMIN,
        OUT_AT,
      );
      assert.deepEqual(r.reconciliation.matched, [
        { type: 'laptop', model: 'ThinkPad T14', serial: 'pf-123' },
      ]);
      const left = { ...devicesIn[1]!, note: 'dipasang', confirmedBy: ADMIN.id };
      assert.deepEqual(r.reconciliation.leftInside, [left]);
      assert.deepEqual(r.visit.devicesLeft, [left]);
      assert.deepEqual(r.reconciliation.unexpected, []);
    });

    it('no devices out: everything brought in is left inside, each confirmed with a note', () => {
      const v = frozen('in_progress', { devicesIn });
      throwsApp(
        () => checkOutVisit(v, null, checkOutInput({ devicesOut: [] }), ADMIN, OUT_AT),
        'device_left_inside',
        { serials: devicesIn.map((d) => d.serial) },
      );
      throwsApp(
        () =>
          checkOutVisit(
            v,
            null,
            checkOutInput({ devicesOut: [], devicesLeft: [{ serial: devicesIn[0]!.serial, note: '  ' }] }),
            ADMIN,
            OUT_AT,
          ),
        'device_left_inside',
      );
      throwsApp(
        () =>
          checkOutVisit(
            v,
            null,
            checkOutInput({ devicesOut: [], devicesLeft: [{ serial: 'NOPE', note: 'x' }] }),
            ADMIN,
            OUT_AT,
          ),
        'validation_failed',
        { field: 'devicesLeft', rule: 'not_left_inside', serial: 'NOPE' },
      );
      const devicesLeft = devicesIn.map((d) => ({ serial: d.serial, note: 'server baru' }));
      const r = checkOutVisit(v, null, checkOutInput({ devicesOut: [], devicesLeft }), ADMIN, OUT_AT);
      const left = devicesIn.map((d) => ({ ...d, note: 'server baru', confirmedBy: ADMIN.id }));
      assert.deepEqual(r.reconciliation, { matched: [], unexpected: [], leftInside: left });
      assert.deepEqual(r.visit.devicesOut, []);
    });

    it('a device not brought in needs confirmation with a note: device_unexpected lists the serials', () => {
      const v = frozen('in_progress');
      const disk = { type: 'disk', model: 'Seagate', serial: 'SG-1' };
      const variants = [
        { ...disk },
        { ...disk, confirmUnexpected: false, note: 'disk lama' },
        { ...disk, confirmUnexpected: true },
        { ...disk, confirmUnexpected: true, note: null },
        { ...disk, confirmUnexpected: true, note: '   ' },
      ];
      for (const d of variants) {
        const input = deepFreeze(
          checkOutInput({ devicesOut: [{ type: 'laptop', model: 'T14', serial: 'PF-123' }, d] }),
        );
        const err = throwsApp(
          () => checkOutVisit(v, issuedBadge, input, ADMIN, OUT_AT),
          'device_unexpected',
          {
            serials: ['SG-1'],
          },
        );
        assert.equal(err.status, 409);
      }
    });

    it('lists every unconfirmed serial at once', () => {
      const input = checkOutInput({
        devicesOut: [
          { type: 'disk', model: 'A', serial: 'D-1' },
          { type: 'disk', model: 'B', serial: 'D-2', confirmUnexpected: true, note: 'ok' },
          { type: 'disk', model: 'C', serial: 'D-3' },
        ],
      });
      throwsApp(() => checkOutVisit(frozen('in_progress'), null, input, ADMIN, OUT_AT), 'device_unexpected', {
        serials: ['D-1', 'D-3'],
      });
    });

    it('an unexpected device confirmed with a note is accepted and recorded with who confirmed it', () => {
      const v = frozen('in_progress');
      const input = deepFreeze(
        checkOutInput({
          devicesOut: [
            { type: 'laptop', model: 'ThinkPad T14', serial: 'PF-123' },
            {
              type: 'disk',
              model: 'Seagate',
              serial: ' SG-1 ',
              confirmUnexpected: true,
              note: '  disk rusak ditukar ',
            },
          ],
        }),
      );
      const before = structuredClone(input);
      const r = checkOutVisit(v, issuedBadge, input, ADMIN2, OUT_AT);
      assert.deepEqual(input, before);
      const recorded = {
        type: 'disk',
        model: 'Seagate',
        serial: 'SG-1',
        unexpected: { confirmedBy: ADMIN2.id, note: 'disk rusak ditukar' },
      };
      assert.deepEqual(r.reconciliation.unexpected, [recorded]);
      assert.deepEqual(r.reconciliation.matched, [
        { type: 'laptop', model: 'ThinkPad T14', serial: 'PF-123' },
      ]);
      assert.deepEqual(r.visit.devicesOut, [
        { type: 'laptop', model: 'ThinkPad T14', serial: 'PF-123' },
        recorded,
      ]);
      // The input-only fields never reach the record.
      for (const d of r.visit.devicesOut) {
        assert.equal('confirmUnexpected' in d, false);
        assert.equal('note' in d, false);
      }
    });

    it('a confirmation on a device that was brought in is ignored (it is simply matched)', () => {
      const r = checkOutVisit(
        frozen('in_progress'),
        null,
        checkOutInput({
          devicesOut: [
            { type: 'laptop', model: 'T14', serial: 'PF-123', confirmUnexpected: true, note: 'x' },
          ],
        }),
        ADMIN,
        OUT_AT,
      );
      assert.deepEqual(r.reconciliation.unexpected, []);
      assert.deepEqual(r.visit.devicesOut, [{ type: 'laptop', model: 'T14', serial: 'PF-123' }]);
    });

    it('rejects the same serial carried out twice (case-insensitive)', () => {
      const input = checkOutInput({
        devicesOut: [
          { type: 'laptop', model: 'T14', serial: 'PF-123' },
          { type: 'laptop', model: 'T14', serial: 'pf-123 ' },
        ],
      });
      throwsApp(() => checkOutVisit(frozen('in_progress'), null, input, ADMIN, OUT_AT), 'validation_failed', {
        field: 'devicesOut',
        rule: 'duplicate_serial',
      });
    });

    it('uses a given exit time, rejects an invalid one, and one more than a minute ahead', () => {
      const v = frozen('in_progress');
      const r = checkOutVisit(v, null, checkOutInput({ exitAt: iso(85 * MIN) }), ADMIN, OUT_AT);
      assert.equal(r.visit.checkOut?.exitAt, iso(85 * MIN));
      assert.equal(r.visit.updatedAt, OUT_AT.toISOString());
      throwsApp(
        () => checkOutVisit(v, null, checkOutInput({ exitAt: 'soon' }), ADMIN, OUT_AT),
        'validation_failed',
        {
          field: 'exitAt',
        },
      );
      const edge = new Date(OUT_AT.getTime() + 60_000).toISOString();
      assert.equal(
        checkOutVisit(v, null, checkOutInput({ exitAt: edge }), ADMIN, OUT_AT).visit.checkOut?.exitAt,
        edge,
      );
      const ahead = new Date(OUT_AT.getTime() + 60_001).toISOString();
      throwsApp(
        () => checkOutVisit(v, null, checkOutInput({ exitAt: ahead }), ADMIN, OUT_AT),
        'precondition_failed',
        {
          rule: 'exit_time_in_future',
        },
      );
    });
  });

  describe('close', () => {
    it('checked_out → closed, with an optional note', () => {
      const v = frozen('checked_out');
      const next = closeVisit(v, ADMIN, NOW, ' arsip ');
      assertRecorded(v, next, 'close', 'closed', ADMIN, NOW);
      assert.equal(lastTransition(next).reason, 'arsip');
      assert.equal('reason' in lastTransition(closeVisit(v, ADMIN, NOW)), false);
    });
  });

  describe('cancel', () => {
    for (const state of ['submitted', 'verified', 'approved'] as const) {
      it(`${state} → cancelled with a reason`, () => {
        const v = frozen(state);
        const r = cancelVisit(v, null, ' batal ', ADMIN, NOW);
        assertRecorded(v, r.visit, 'cancel', 'cancelled', ADMIN, NOW);
        assert.equal(lastTransition(r.visit).reason, 'batal');
        assert.equal(r.badge, null);
      });
    }

    it('badge_issued → cancelled releases the badge to the pool', () => {
      const badge = deepFreeze(visitorBadge('b-v1', 'v1'));
      const r = cancelVisit(frozen('badge_issued'), badge, 'visitor did not come', ADMIN, NOW);
      assert.equal(r.visit.state, 'cancelled');
      assert.deepEqual(r.badge, { ...badge, visitId: null, active: false });
      // The released badge can be issued again.
      const again = issueBadge(frozen('approved', { id: 'v2' }), r.badge as Badge, [ESCORT], ADMIN, NOW);
      assert.equal(again.badge.visitId, 'v2');
    });

    it('requires a reason', () => {
      for (const reason of [undefined, null, '', '  ']) {
        throwsApp(() => cancelVisit(frozen('submitted'), null, reason, ADMIN, NOW), 'reason_required');
      }
    });

    it('a visit in progress cannot be cancelled (it must be checked out)', () => {
      throwsApp(() => cancelVisit(frozen('in_progress'), null, 'x', ADMIN, NOW), 'illegal_step', {
        state: 'in_progress',
        step: 'cancel',
      });
    });
  });

  describe('expire', () => {
    const END = 180 * MIN;
    const GRACE = 15;

    it('isExpired only after window end + grace, and only before a badge was issued', () => {
      for (const state of VISIT_STATES) {
        const v = visit('v1', state);
        const allowed = state === 'submitted' || state === 'verified' || state === 'approved';
        assert.equal(isExpired(v, at(END + GRACE * MIN), GRACE), false, `${state} at end+grace`);
        assert.equal(isExpired(v, at(END + GRACE * MIN + 1), GRACE), allowed, `${state} 1 ms later`);
        assert.equal(isExpired(v, at(END + 1), 0), allowed, `${state} no grace`);
        assert.equal(isExpired(v, at(END), 0), false);
      }
    });

    for (const state of ['submitted', 'verified', 'approved'] as const) {
      it(`${state} → expired by the clock after the window`, () => {
        const v = frozen(state);
        const when = at(END + GRACE * MIN + 1);
        const next = expireVisit(v, when, GRACE);
        assertRecorded(v, next, 'expire', 'expired', { id: 'system', role: 'system', name: 'clock' }, when);
        assert.ok(lastTransition(next).reason);
      });
    }

    it('is refused while the window (plus grace) is not over', () => {
      const v = frozen('approved');
      throwsApp(() => expireVisit(v, NOW), 'precondition_failed', {
        step: 'expire',
        rule: 'window_not_over',
      });
      throwsApp(() => expireVisit(v, at(END)), 'precondition_failed');
      throwsApp(() => expireVisit(v, at(END + GRACE * MIN), GRACE), 'precondition_failed');
      assert.equal(expireVisit(v, at(END + 1)).state, 'expired');
    });

    it('a visit with a badge issued or in progress does not expire', () => {
      for (const state of ['badge_issued', 'in_progress', 'checked_out'] as const) {
        throwsApp(() => expireVisit(frozen(state), at(10 * END)), 'illegal_step', { step: 'expire', state });
      }
    });
  });

  describe('the whole procedure', () => {
    it('submit → verify → approve → issue_badge → enter → check_out → close, never mutating a step input', () => {
      const escorts: User[] = [ESCORT];
      let v = deepFreeze(submitVisit('v7', deepFreeze(submitInput()), ADMIN, at(0)));
      v = deepFreeze(
        verifyVisit(v, deepFreeze({ formComplete: true, ktpHeld: true, ktpTray: 'A1' }), ADMIN, at(10 * MIN)),
      );
      v = deepFreeze(decideVisit(v, true, null, SUPER, at(15 * MIN), SOD));
      const issued = issueBadge(v, POOL_BADGE, deepFreeze(escorts), ADMIN, at(50 * MIN));
      v = deepFreeze(issued.visit);
      const badge = deepFreeze(issued.badge);
      v = deepFreeze(recordFirstEntry(v, at(61 * MIN)));
      const out = checkOutVisit(v, badge, deepFreeze(checkOutInput()), ADMIN, at(120 * MIN));
      v = deepFreeze(out.visit);
      v = closeVisit(v, ADMIN2, at(125 * MIN));
      assert.equal(v.state, 'closed');
      assert.deepEqual(
        v.history.map((t) => [t.step, t.from, t.to, t.by.id]),
        [
          ['submit', null, 'submitted', ADMIN.id],
          ['verify', 'submitted', 'verified', ADMIN.id],
          ['approve', 'verified', 'approved', SUPER.id],
          ['issue_badge', 'approved', 'badge_issued', ADMIN.id],
          ['enter', 'badge_issued', 'in_progress', 'system'],
          ['check_out', 'in_progress', 'checked_out', ADMIN.id],
          ['close', 'checked_out', 'closed', ADMIN2.id],
        ],
      );
      assert.equal(out.badge?.active, false);
      assert.equal(POOL_BADGE.active, false);
    });

    it('errors are AppErrors carrying an HTTP status', () => {
      const err = throwsApp(() => closeVisit(frozen('submitted'), ADMIN, NOW), 'illegal_step');
      assert.ok(err instanceof AppError);
      assert.ok(err instanceof Error);
    });
  });
});
