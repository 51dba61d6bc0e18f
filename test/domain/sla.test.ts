import assert from 'node:assert/strict';
import { slaSummary, visitSla } from '../../src/domain/sla.js';
import type { Transition, Visit, VisitState, VisitStep } from '../../src/domain/types.js';
import { at, deepFreeze, iso, MIN, visit } from './builders.js';

const TARGETS = deepFreeze({ submitToVerifyMinutes: 15, verifyToDecisionMinutes: 10 });
const SEC = 1000;

/** A visit whose history takes each [step, to, offsetMs] in turn. */
function timed(id: string, steps: [VisitStep, VisitState, number][]): Visit {
  let from: VisitState | null = null;
  const history: Transition[] = steps.map(([step, to, ms]) => {
    const t: Transition = { step, from, to, at: iso(ms), by: { id: 'u', name: 'u' } };
    from = to;
    return t;
  });
  return deepFreeze(visit(id, from ?? 'submitted', { history }));
}

const submitted = (ms = 0): [VisitStep, VisitState, number] => ['submit', 'submitted', ms];
const verified = (ms: number): [VisitStep, VisitState, number] => ['verify', 'verified', ms];
const approved = (ms: number): [VisitStep, VisitState, number] => ['approve', 'approved', ms];
const rejected = (ms: number): [VisitStep, VisitState, number] => ['reject', 'rejected', ms];

describe('domain/sla', () => {
  describe('visitSla', () => {
    it('measures each step and the time spent in every state of a whole visit', () => {
      const v = timed('v1', [
        submitted(0),
        verified(12 * MIN),
        approved(20 * MIN),
        ['issue_badge', 'badge_issued', 30 * MIN],
        ['enter', 'in_progress', 61 * MIN],
        ['check_out', 'checked_out', 120 * MIN],
        ['close', 'closed', 125 * MIN],
      ]);
      const r = visitSla(v, TARGETS, at(200 * MIN));
      assert.deepEqual(r, {
        visitId: 'v1',
        state: 'closed',
        secondsInState: {
          submitted: 720,
          verified: 480,
          approved: 600,
          badge_issued: 1860,
          in_progress: 3540,
          checked_out: 300,
          closed: 4500,
        },
        submitToVerifySeconds: 720,
        verifyToDecisionSeconds: 480,
        breaches: [],
      });
    });

    it('the current state counts up to now', () => {
      const r = visitSla(timed('v', [submitted(0), verified(5 * MIN)]), TARGETS, at(8 * MIN));
      assert.deepEqual(r.secondsInState, { submitted: 300, verified: 180 });
      assert.equal(r.verifyToDecisionSeconds, null);
    });

    it('submit→verify: exactly the target is met, one second more is a breach', () => {
      assert.deepEqual(
        visitSla(timed('v', [submitted(), verified(15 * MIN)]), TARGETS, at(16 * MIN)).breaches,
        [],
      );
      const r = visitSla(timed('v', [submitted(), verified(15 * MIN + SEC)]), TARGETS, at(16 * MIN));
      assert.deepEqual(r.breaches, ['submit_to_verify']);
      assert.equal(r.submitToVerifySeconds, 901);
    });

    it('verify→decision: exactly the target is met, one second more is a breach, for approve and reject', () => {
      const ok = timed('v', [submitted(), verified(MIN), approved(11 * MIN)]);
      assert.deepEqual(visitSla(ok, TARGETS, at(60 * MIN)).breaches, []);
      const late = timed('v', [submitted(), verified(MIN), approved(11 * MIN + SEC)]);
      assert.deepEqual(visitSla(late, TARGETS, at(60 * MIN)).breaches, ['verify_to_decision']);
      const lateReject = timed('v', [submitted(), verified(MIN), rejected(30 * MIN)]);
      const r = visitSla(lateReject, TARGETS, at(60 * MIN));
      assert.deepEqual(r.breaches, ['verify_to_decision']);
      assert.equal(r.verifyToDecisionSeconds, 29 * 60);
    });

    it('both targets can be breached', () => {
      const v = timed('v', [submitted(), verified(20 * MIN), approved(40 * MIN)]);
      assert.deepEqual(visitSla(v, TARGETS, at(60 * MIN)).breaches, [
        'submit_to_verify',
        'verify_to_decision',
      ]);
    });

    it('a step still waiting counts against its target', () => {
      const waitingVerify = timed('v', [submitted()]);
      assert.deepEqual(visitSla(waitingVerify, TARGETS, at(15 * MIN)).breaches, []);
      const r = visitSla(waitingVerify, TARGETS, at(15 * MIN + SEC));
      assert.deepEqual(r.breaches, ['submit_to_verify']);
      assert.equal(r.submitToVerifySeconds, null, 'not measured until it happens');
      const waitingDecision = timed('v', [submitted(), verified(MIN)]);
      assert.deepEqual(visitSla(waitingDecision, TARGETS, at(11 * MIN)).breaches, []);
      assert.deepEqual(visitSla(waitingDecision, TARGETS, at(11 * MIN + SEC)).breaches, [
        'verify_to_decision',
      ]);
    });

    it('a visit that left the step without taking it (cancelled, expired) is not counted as waiting', () => {
      const cancelled = timed('v', [submitted(), ['cancel', 'cancelled', 60 * MIN]]);
      const r = visitSla(cancelled, TARGETS, at(120 * MIN));
      assert.deepEqual(r.breaches, []);
      assert.equal(r.submitToVerifySeconds, null);
      assert.deepEqual(r.secondsInState, { submitted: 3600, cancelled: 3600 });
    });

    it('honours configured targets', () => {
      const v = timed('v', [submitted(), verified(6 * MIN), approved(8 * MIN)]);
      const strict = { submitToVerifyMinutes: 5, verifyToDecisionMinutes: 1 };
      assert.deepEqual(visitSla(v, strict, at(60 * MIN)).breaches, [
        'submit_to_verify',
        'verify_to_decision',
      ]);
    });

    it('rounds seconds to whole numbers, but judges breaches on the exact time', () => {
      const v = timed('v', [submitted(), verified(15 * MIN + 400)]);
      const r = visitSla(v, TARGETS, at(15 * MIN + 400));
      assert.equal(r.submitToVerifySeconds, 900);
      assert.deepEqual(r.breaches, ['submit_to_verify']);
      assert.deepEqual(r.secondsInState, { submitted: 900, verified: 0 });
    });

    it('a clock behind the last transition gives zero, not negative, time in the current state', () => {
      const r = visitSla(timed('v', [submitted(MIN)]), TARGETS, at(0));
      assert.equal(r.secondsInState.submitted, 0);
    });
  });

  describe('slaSummary', () => {
    it('counts, medians (odd and even), maxima and breaches', () => {
      const now = at(300 * MIN);
      const visits = [
        timed('a', [submitted(), verified(5 * MIN), approved(7 * MIN)]),
        timed('b', [submitted(), verified(10 * MIN), approved(25 * MIN)]),
        timed('c', [submitted(), verified(20 * MIN)]),
        timed('d', [submitted()]),
      ];
      const s = slaSummary(visits, TARGETS, now);
      assert.equal(s.count, 4);
      assert.deepEqual(s.targets, TARGETS);
      assert.deepEqual(s.submitToVerify, { measured: 3, medianSeconds: 600, maxSeconds: 1200, breaches: 2 });
      assert.deepEqual(s.verifyToDecision, { measured: 2, medianSeconds: 510, maxSeconds: 900, breaches: 2 });
      assert.deepEqual(
        s.visits.map((v) => v.visitId),
        ['a', 'b', 'c', 'd'],
      );
    });

    it('an empty list has no medians', () => {
      const s = slaSummary([], TARGETS, at(0));
      assert.equal(s.count, 0);
      assert.deepEqual(s.submitToVerify, { measured: 0, medianSeconds: null, maxSeconds: null, breaches: 0 });
      assert.deepEqual(s.verifyToDecision, {
        measured: 0,
        medianSeconds: null,
        maxSeconds: null,
        breaches: 0,
      });
    });
  });
});

describe('domain/sla under a clock set back', () => {
  it('no duration is negative when a later step carries an earlier time', () => {
    const v = timed('vb', [submitted(0), verified(-50 * MIN), approved(-55 * MIN)]);
    const r = visitSla(v, TARGETS, at(-60 * MIN));
    assert.equal(r.submitToVerifySeconds, 0);
    assert.equal(r.verifyToDecisionSeconds, 0);
    for (const s of Object.values(r.secondsInState)) assert.ok((s as number) >= 0);
    const pending = visitSla(timed('vp', [submitted(0)]), TARGETS, at(-60 * MIN));
    assert.equal(pending.breaches.length, 0);
    const sum = slaSummary([v], TARGETS, at(-60 * MIN));
    assert.ok((sum.submitToVerify.maxSeconds ?? 0) >= 0 && (sum.verifyToDecision.medianSeconds ?? 0) >= 0);
  });
});
