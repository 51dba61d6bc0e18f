/**
 * The door rules, table-driven: every (from mode, to mode, caller role, channel), with the fire
 * input off and on, and every (mode, role, channel) for a command unlock, against the outcome
 * written out by hand below.
 */
import assert from 'node:assert/strict';
import {
  DOOR_CALLER_ROLES,
  DOOR_CHANNELS,
  type DoorCaller,
  type DoorCallerRole,
  type DoorChannel,
  type DoorVerdict,
  decideCommandUnlock,
  decideModeChange,
  mayChangeUnrecorded,
} from '../../src/domain/door-modes.js';
import { DOOR_MODES, type DoorMode } from '../../src/domain/types.js';

type Outcome =
  | 'ok'
  | 'noop'
  | 'forbidden'
  | 'fire_alarm_active'
  | 'mode_via_normal'
  | 'door_in_lockdown'
  | 'reason_required';
/** Rows: from normal, lockdown, emergency_release; columns: to the same order. */
type Matrix = [[Outcome, Outcome, Outcome], [Outcome, Outcome, Outcome], [Outcome, Outcome, Outcome]];

const F: Outcome = 'forbidden';
const ALL_FORBIDDEN: Matrix = [
  [F, F, F],
  [F, F, F],
  [F, F, F],
];
// Superadmin on a human channel, or the system on its own: anything, through normal.
const THROUGH_NORMAL: Matrix = [
  ['noop', 'ok', 'ok'],
  ['ok', 'noop', 'mode_via_normal'],
  ['ok', 'mode_via_normal', 'noop'],
];
// The same while the fire input is active: only towards emergency release.
const THROUGH_NORMAL_FIRE: Matrix = [
  ['fire_alarm_active', 'fire_alarm_active', 'ok'],
  ['fire_alarm_active', 'fire_alarm_active', 'mode_via_normal'],
  ['fire_alarm_active', 'fire_alarm_active', 'noop'],
];
// The MQTT operator: lock down from normal, nothing else.
const OPERATOR: Matrix = [
  ['noop', 'ok', F],
  [F, 'noop', F],
  [F, F, F],
];
// While the fire input is active the fire rule answers first, for the operator too.
const OPERATOR_FIRE: Matrix = [
  ['fire_alarm_active', 'fire_alarm_active', F],
  ['fire_alarm_active', 'fire_alarm_active', F],
  ['fire_alarm_active', 'fire_alarm_active', F],
];
// The fire input: releases from any mode and restores the one it interrupted.
const FIRE_INPUT: Matrix = [
  ['noop', 'ok', 'ok'],
  ['ok', 'noop', 'ok'],
  ['ok', 'ok', 'noop'],
];

const HUMAN: readonly DoorChannel[] = ['http', 'console', 'mqtt'];

function modeMatrix(role: DoorCallerRole, channel: DoorChannel, fire: boolean): Matrix {
  if (channel === 'bridge') return ALL_FORBIDDEN;
  if (channel === 'fire_input') return role === 'system' ? FIRE_INPUT : ALL_FORBIDDEN;
  if (channel === 'system') {
    if (role !== 'system') return ALL_FORBIDDEN;
    return fire ? THROUGH_NORMAL_FIRE : THROUGH_NORMAL;
  }
  assert.ok(HUMAN.includes(channel));
  if (role === 'superadmin') return fire ? THROUGH_NORMAL_FIRE : THROUGH_NORMAL;
  if (role === 'operator') return fire ? OPERATOR_FIRE : OPERATOR;
  return ALL_FORBIDDEN; // admin: never; system: not on a human channel
}

/** Command unlock per mode (normal, lockdown, emergency_release). */
function unlockRow(role: DoorCallerRole, channel: DoorChannel): [Outcome, Outcome, Outcome] {
  if (channel === 'bridge' || channel === 'fire_input') return [F, F, F];
  if (channel === 'system') return role === 'system' ? ['ok', 'door_in_lockdown', 'noop'] : [F, F, F];
  if (role === 'system') return [F, F, F];
  // A remote unlock bypasses the procedure: the superadmin only, unless the site names more roles.
  return role === 'superadmin' ? ['ok', 'ok', 'noop'] : [F, F, F];
}

function outcome(v: DoorVerdict): Outcome {
  if (!v.ok) return v.code;
  return v.noop ? 'noop' : 'ok';
}

function caller(role: DoorCallerRole, channel: DoorChannel): DoorCaller {
  return { id: `${role}-id`, name: role, role, channel };
}

const idx = (m: DoorMode) => DOOR_MODES.indexOf(m);

describe('domain/door-modes', () => {
  it('decides every (from, to, role, channel), fire input off and on, as the table says', () => {
    let cases = 0;
    for (const fire of [false, true]) {
      for (const role of DOOR_CALLER_ROLES) {
        for (const channel of DOOR_CHANNELS) {
          const m = modeMatrix(role, channel, fire);
          for (const from of DOOR_MODES) {
            for (const to of DOOR_MODES) {
              const got = outcome(
                decideModeChange({ from, to, caller: caller(role, channel), fireActive: fire }),
              );
              const want = m[idx(from)]![idx(to)]!;
              assert.equal(
                got,
                want,
                `${from} → ${to} by ${role} via ${channel}${fire ? ', fire active' : ''}`,
              );
              cases++;
            }
          }
        }
      }
    }
    assert.equal(cases, 2 * 3 * 3 * 4 * 6);
  });

  it('decides every command unlock (mode, role, channel) as the table says', () => {
    let cases = 0;
    for (const role of DOOR_CALLER_ROLES) {
      for (const channel of DOOR_CHANNELS) {
        const row = unlockRow(role, channel);
        for (const mode of DOOR_MODES) {
          const got = outcome(decideCommandUnlock({ mode, caller: caller(role, channel) }));
          assert.equal(got, row[idx(mode)], `unlock in ${mode} by ${role} via ${channel}`);
          cases++;
        }
      }
    }
    assert.equal(cases, 3 * 4 * 6);
  });

  it('remote unlock: the roles the site names, and a reason from a person over HTTP or the console', () => {
    const admin = caller('admin', 'http');
    const roles = ['admin', 'superadmin'] as const;
    assert.equal(outcome(decideCommandUnlock({ mode: 'normal', caller: admin })), 'forbidden');
    assert.equal(outcome(decideCommandUnlock({ mode: 'normal', caller: admin, allowedRoles: roles })), 'ok');
    assert.equal(
      outcome(decideCommandUnlock({ mode: 'lockdown', caller: admin, allowedRoles: roles })),
      'door_in_lockdown',
    );
    for (const channel of ['http', 'console'] as const)
      for (const reason of [null, '', '   '])
        assert.equal(
          outcome(decideCommandUnlock({ mode: 'normal', caller: caller('superadmin', channel), reason })),
          'reason_required',
        );
    assert.equal(
      outcome(
        decideCommandUnlock({ mode: 'normal', caller: caller('superadmin', 'http'), reason: 'vendor' }),
      ),
      'ok',
    );
    // A signed MQTT command names its operator; its reason is optional.
    assert.equal(
      outcome(decideCommandUnlock({ mode: 'normal', caller: caller('superadmin', 'mqtt'), reason: null })),
      'ok',
    );
  });

  describe('where the channels used to differ, the stricter rule wins', () => {
    const superadminHttp = caller('superadmin', 'http');
    const operatorMqtt = caller('operator', 'mqtt');

    it('HTTP allowed any mode to any mode; MQTT only through normal: now both go through normal', () => {
      for (const [from, to] of [
        ['lockdown', 'emergency_release'],
        ['emergency_release', 'lockdown'],
      ] as const) {
        const v = decideModeChange({ from, to, caller: superadminHttp, fireActive: false });
        assert.deepEqual(v, { ok: false, code: 'mode_via_normal' }, `${from} → ${to}`);
      }
      assert.equal(
        outcome(
          decideModeChange({ from: 'lockdown', to: 'normal', caller: superadminHttp, fireActive: false }),
        ),
        'ok',
      );
    });

    it('MQTT could leave lockdown and enter or leave emergency release; HTTP kept that to the superadmin: now MQTT cannot', () => {
      const refused: [DoorMode, DoorMode][] = [
        ['lockdown', 'normal'],
        ['normal', 'emergency_release'],
        ['emergency_release', 'normal'],
      ];
      for (const [from, to] of refused) {
        const v = decideModeChange({ from, to, caller: operatorMqtt, fireActive: false });
        assert.deepEqual(v, { ok: false, code: 'forbidden' }, `${from} → ${to}`);
        assert.equal(
          outcome(decideModeChange({ from, to, caller: superadminHttp, fireActive: false })),
          'ok',
        );
      }
      assert.equal(
        outcome(
          decideModeChange({ from: 'normal', to: 'lockdown', caller: operatorMqtt, fireActive: false }),
        ),
        'ok',
      );
    });

    it('an MQTT unlock in lockdown was refused by the command table and the door alike: one rule now', () => {
      const allowed = ['operator', 'superadmin'] as const;
      assert.deepEqual(
        decideCommandUnlock({ mode: 'lockdown', caller: operatorMqtt, allowedRoles: allowed }),
        {
          ok: false,
          code: 'door_in_lockdown',
        },
      );
      assert.equal(outcome(decideCommandUnlock({ mode: 'lockdown', caller: superadminHttp })), 'ok');
    });
  });

  it('only the release the fire input forces may go ahead without a journal record', () => {
    for (const role of DOOR_CALLER_ROLES) {
      for (const channel of DOOR_CHANNELS) {
        for (const to of DOOR_MODES) {
          const want = to === 'emergency_release' && channel === 'fire_input';
          assert.equal(
            mayChangeUnrecorded(to, caller(role, channel)),
            want,
            `${to} by ${role} via ${channel}`,
          );
        }
      }
    }
  });
});
