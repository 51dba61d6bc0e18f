import assert from 'node:assert/strict';
import { DOOR_MODES, TERMINAL_STATES, VISIT_STATES } from '../../src/domain/types.js';
import { STEP_RULES } from '../../src/domain/visit-lifecycle.js';

describe('domain/types', () => {
  it('lists every visit state once', () => {
    assert.equal(new Set(VISIT_STATES).size, VISIT_STATES.length);
    assert.equal(VISIT_STATES.length, 10);
  });

  it('terminal states are exactly the states no step leaves', () => {
    const leavable = new Set(Object.values(STEP_RULES).flatMap((r) => r.from));
    const terminal = VISIT_STATES.filter((s) => !leavable.has(s));
    assert.deepEqual([...terminal].sort(), [...TERMINAL_STATES].sort());
  });

  it('every non-initial state is reachable by some step', () => {
    // submit creates 'submitted'; the other states must each be the target of a step from a reachable state.
    const reachable = new Set<string>(['submitted']);
    const targets: Record<string, string> = {
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
    let grew = true;
    while (grew) {
      grew = false;
      for (const [step, rule] of Object.entries(STEP_RULES)) {
        const to = targets[step];
        if (to && !reachable.has(to) && rule.from.some((s) => reachable.has(s))) {
          reachable.add(to);
          grew = true;
        }
      }
    }
    assert.deepEqual([...reachable].sort(), [...VISIT_STATES].sort());
  });

  it('door modes', () => {
    assert.deepEqual([...DOOR_MODES], ['normal', 'lockdown', 'emergency_release']);
  });
});
