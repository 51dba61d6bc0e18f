/**
 * MQTT commands (src/mqtt/commands.ts, command-auth.ts): the actor is the operator whose key
 * signed the request, deciding through the same door rules as HTTP; every refusal — unsigned, a
 * bad signature, an unknown operator, a stale timestamp, a replayed nonce or transaction, a role
 * the door rules refuse — changes nothing and is journaled (`command.refused`); a command is
 * journaled before it acts.
 */
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { MqttCommandName } from '../../src/config/schema.js';
import { type DoorCaller, decideCommandUnlock, decideModeChange } from '../../src/domain/door-modes.js';
import { AppError, ERRORS } from '../../src/domain/errors.js';
import type { EventInput } from '../../src/domain/events.js';
import type { DoorController } from '../../src/door/door-controller.js';
import { CommandAuth, signCommand } from '../../src/mqtt/command-auth.js';
import { CommandHandler } from '../../src/mqtt/commands.js';
import type { Journal } from '../../src/store/journal.js';
import { JournalWriteError } from '../../src/store/journal.js';
import { OPERATOR_LIST, OPERATORS, signed } from './signing.js';

const silent = pino({ level: 'silent' });
const DOOR = 'server-room';
const ALL: MqttCommandName[] = ['state', 'unlock', 'lockdown', 'emergency_release'];

function fakeDoor() {
  const calls: string[] = [];
  let mode: 'normal' | 'lockdown' | 'emergency_release' = 'normal';
  const callers: DoorCaller[] = [];
  // The real door rules; only the door's acts are recorded instead of done.
  const door = {
    getMode: () => mode,
    checkMode: (to: typeof mode, caller: DoorCaller) => {
      callers.push(caller);
      return decideModeChange({ from: mode, to, caller, fireActive: false });
    },
    checkUnlock: (caller: DoorCaller) => {
      callers.push(caller);
      return decideCommandUnlock({ mode, caller });
    },
    commandUnlock: () => calls.push('unlock'),
    setMode: (m: typeof mode) => {
      calls.push(`mode:${m}`);
      mode = m;
    },
    snapshot: () => ({
      door: 'd',
      lock: 'locked',
      contact: 'closed',
      mode,
      inside: [],
      pending: [],
      alarms: { forced: false, heldOpen: false },
    }),
  };
  return { door: door as unknown as DoorController, calls, callers };
}

function rig(opts: { journal?: Journal; allowed?: MqttCommandName[]; now?: () => Date } = {}) {
  const { door, calls, callers } = fakeDoor();
  const events: EventInput[] = [];
  const journal =
    opts.journal ??
    ({
      append: (ev: EventInput) => {
        events.push(ev);
        calls.push(
          ev.type === 'command.executed'
            ? `append:${ev.data.command}`
            : ev.type === 'command.refused'
              ? `refused:${ev.data.reason}`
              : ev.type,
        );
      },
    } as unknown as Journal);
  const clock = opts.now ?? (() => new Date());
  const h = new CommandHandler({
    enabled: true,
    allowed: opts.allowed ?? ALL,
    door,
    journal,
    clock,
    logger: silent,
    auth: new CommandAuth({ door: DOOR, operators: OPERATOR_LIST, maxAgeSeconds: 30, clock }),
  });
  const ask = (cmd: string, body: Record<string, unknown>) =>
    h.handle(cmd, Buffer.from(JSON.stringify(body)));
  return { h, door, calls, callers, events, ask };
}

describe('mqtt commands: a verified operator, the same rules as HTTP, no replay', () => {
  it('refuses an unsigned request, journals the refusal, and does nothing', () => {
    const r = rig();
    // What the issue shows: a payload naming its own actor.
    const res = r.ask('emergency_release', { on: true, by: 'Kepala Seksi', transaction: 'x1' });
    assert.equal(res.error?.code, 'malformed_request', '`by` is not a field any more');
    const res2 = r.ask('emergency_release', { on: true, transaction: 'x2' });
    assert.equal(res2.status, 'error');
    assert.equal(res2.error?.code, 'command_unsigned');
    assert.equal(res2.transaction, 'x2');
    assert.equal(r.door.getMode(), 'normal');
    const refused = r.events.filter((e) => e.type === 'command.refused');
    assert.deepEqual(
      refused.map((e) => e.data),
      [
        { via: 'mqtt', command: 'emergency_release', reason: 'malformed_request', transaction: 'x1' },
        { via: 'mqtt', command: 'emergency_release', reason: 'command_unsigned', transaction: 'x2' },
      ],
    );
  });

  it('refuses a bad signature: another key, or a field changed after signing', () => {
    const r = rig();
    const forged = signed(DOOR, 'unlock', {}, { ...OPERATORS.kasi, key: 'x'.repeat(40) });
    assert.equal(r.ask('unlock', forged).error?.code, 'command_bad_signature');
    const lock = signed(DOOR, 'lockdown', { on: true }, OPERATORS.desk);
    assert.equal(r.ask('lockdown', { ...lock, on: false }).error?.code, 'command_bad_signature');
    // Signed for another door, or as another command: the door and command are signed too.
    assert.equal(r.ask('unlock', signed('other-door', 'unlock', {})).error?.code, 'command_bad_signature');
    assert.equal(
      r.ask('unlock', signed(DOOR, 'state', {})).error?.code,
      'command_bad_signature',
      'a state request replayed as unlock',
    );
    assert.equal(
      r.ask('unlock', { ...signed(DOOR, 'unlock', {}), signature: 'zz' }).error?.code,
      'command_bad_signature',
    );
    assert.deepEqual(r.calls, [
      'refused:command_bad_signature',
      'refused:command_bad_signature',
      'refused:command_bad_signature',
      'refused:command_bad_signature',
      'refused:command_bad_signature',
    ]);
  });

  it('refuses an unknown operator', () => {
    const r = rig();
    const res = r.ask(
      'unlock',
      signed(DOOR, 'unlock', {}, { id: 'mallory', name: 'M', role: 'superadmin', key: 'm'.repeat(40) }),
    );
    assert.equal(res.error?.code, 'command_unknown_operator');
    assert.deepEqual(r.events.at(-1)?.data, {
      via: 'mqtt',
      command: 'unlock',
      reason: 'command_unknown_operator',
      operator: 'mallory',
    });
    assert.deepEqual(r.calls, ['refused:command_unknown_operator']);
  });

  it('refuses a stale timestamp (older than maxAgeSeconds, from the future, or from before this start)', () => {
    const start = Date.now();
    let now = start;
    const r = rig({ now: () => new Date(now) });
    now = start + 60_000;
    assert.equal(
      r.ask('unlock', signed(DOOR, 'unlock', {}, OPERATORS.kasi, now - 31_000)).error?.code,
      'command_stale',
    );
    assert.equal(
      r.ask('unlock', signed(DOOR, 'unlock', {}, OPERATORS.kasi, now + 31_000)).error?.code,
      'command_stale',
    );
    // Within the window but signed before the handler started: its nonce may have been used then.
    assert.equal(
      r.ask('unlock', signed(DOOR, 'unlock', {}, OPERATORS.kasi, start - 5000)).error?.code,
      'command_stale',
    );
    assert.equal(r.ask('unlock', signed(DOOR, 'unlock', {}, OPERATORS.kasi, now - 29_000)).status, 'ok');
    assert.deepEqual(r.calls, [
      'refused:command_stale',
      'refused:command_stale',
      'refused:command_stale',
      'append:unlock',
      'unlock',
    ]);
  });

  it('refuses a replayed request: the same nonce, or the same transaction with a new nonce', () => {
    const r = rig();
    const once = signed(DOOR, 'unlock', { transaction: 't-1' });
    assert.equal(r.ask('unlock', once).status, 'ok');
    const again = r.ask('unlock', once);
    assert.equal(again.error?.code, 'command_replayed');
    assert.equal(again.transaction, 't-1');
    assert.equal(
      r.ask('unlock', signed(DOOR, 'unlock', { transaction: 't-1' })).error?.code,
      'command_replayed',
    );
    // Another operator's transaction ids are its own (refused here for its role, not as a replay).
    assert.equal(
      r.ask('unlock', signed(DOOR, 'unlock', { transaction: 't-1' }, OPERATORS.budi)).error?.code,
      'forbidden',
    );
    assert.deepEqual(r.calls, [
      'append:unlock',
      'unlock',
      'refused:command_replayed',
      'refused:command_replayed',
      'refused:forbidden',
    ]);
  });

  it("decides with the operator's role through the door rules: an 'operator' may not release, a superadmin may", () => {
    const r = rig();
    const res = r.ask(
      'emergency_release',
      signed(DOOR, 'emergency_release', { on: true, transaction: 'e1' }, OPERATORS.desk),
    );
    assert.deepEqual(res, {
      status: 'error',
      data: {},
      error: { code: 'forbidden', message: ERRORS.forbidden.en },
      transaction: 'e1',
    });
    assert.equal(r.door.getMode(), 'normal');
    // An admin may not change modes at all (as over HTTP), nor unlock remotely (door.remoteUnlockRoles).
    assert.equal(
      r.ask('lockdown', signed(DOOR, 'lockdown', { on: true }, OPERATORS.budi)).error?.code,
      'forbidden',
    );
    assert.equal(r.ask('unlock', signed(DOOR, 'unlock', {}, OPERATORS.budi)).error?.code, 'forbidden');
    // The operator may lock down; leaving lockdown is the superadmin's.
    assert.equal(r.ask('lockdown', signed(DOOR, 'lockdown', { on: true }, OPERATORS.desk)).status, 'ok');
    assert.equal(
      r.ask('lockdown', signed(DOOR, 'lockdown', { on: false }, OPERATORS.desk)).error?.code,
      'forbidden',
    );
    assert.equal(r.ask('unlock', signed(DOOR, 'unlock', {}, OPERATORS.desk)).error?.code, 'forbidden');
    const out = r.ask(
      'lockdown',
      signed(DOOR, 'lockdown', { on: false, transaction: 'L-off' }, OPERATORS.kasi),
    );
    assert.equal(out.status, 'ok');
    assert.equal(
      r.ask('emergency_release', signed(DOOR, 'emergency_release', { on: true }, OPERATORS.kasi)).status,
      'ok',
    );
    assert.equal(r.door.getMode(), 'emergency_release');
    assert.deepEqual(r.calls, [
      'refused:forbidden',
      'refused:forbidden',
      'refused:forbidden',
      'append:lockdown',
      'mode:lockdown',
      'refused:forbidden',
      'refused:forbidden',
      'append:lockdown',
      'mode:normal',
      'append:emergency_release',
      'mode:emergency_release',
    ]);
    // The door rules saw the verified operator, on the mqtt channel, with its configured role.
    assert.deepEqual(r.callers.at(-1), {
      id: 'mqtt:kasi',
      name: 'Kepala Seksi',
      role: 'superadmin',
      channel: 'mqtt',
    });
    const executed = r.events.filter((e) => e.type === 'command.executed').at(-1);
    assert.deepEqual(executed?.type === 'command.executed' && executed.data.by, {
      id: 'mqtt:kasi',
      name: 'Kepala Seksi',
    });
  });

  it('refuses with journal_unavailable and does nothing when the command cannot be journaled', () => {
    const calls: string[] = [];
    const journal = {
      append: () => {
        calls.push('append');
        throw new JournalWriteError(new Error('ENOSPC: no space left on device'));
      },
    } as unknown as Journal;
    const r = rig({ journal });
    for (const [cmd, body] of [
      ['unlock', {}],
      ['lockdown', { on: true }],
      ['emergency_release', { on: false }],
    ] as const) {
      const res = r.ask(cmd, signed(DOOR, cmd, { ...body, transaction: cmd }));
      assert.equal(res.error?.code, 'journal_unavailable', cmd);
      assert.equal(res.transaction, cmd);
    }
    assert.deepEqual(calls, ['append', 'append', 'append'], 'tried to journal, never acted');
    assert.deepEqual(r.calls, []);
    assert.equal(r.door.getMode(), 'normal');
  });

  it("passes the door's own coded refusal through when it refuses after the check", () => {
    const r = rig({ allowed: ['unlock'] });
    (r.door as unknown as { commandUnlock: () => void }).commandUnlock = () => {
      r.calls.push('unlock');
      throw new AppError('journal_unavailable');
    };
    const res = r.ask('unlock', signed(DOOR, 'unlock', {}));
    assert.equal(res.error?.code, 'journal_unavailable');
    assert.equal(res.error?.message, ERRORS.journal_unavailable.en);
    assert.deepEqual(r.calls, ['append:unlock', 'unlock']);
  });

  it('journals refusals at a bounded rate: a flood of unsigned requests is counted, not written', () => {
    const r = rig();
    for (let i = 0; i < 500; i++) r.ask('unlock', {});
    const refused = r.events.filter((e) => e.type === 'command.refused');
    assert.equal(refused.length, 30);
    assert.equal(r.door.getMode(), 'normal');
  });

  it('the signature covers the canonical request: key order does not matter', () => {
    const a = signCommand('k'.repeat(40), DOOR, 'lockdown', {
      on: true,
      operator: 'kasi',
      timestamp: 1,
      nonce: 'n'.repeat(16),
    });
    const b = signCommand('k'.repeat(40), DOOR, 'lockdown', {
      nonce: 'n'.repeat(16),
      timestamp: 1,
      operator: 'kasi',
      on: true,
    });
    assert.equal(a, b);
    assert.match(a, /^[0-9a-f]{64}$/);
  });
});
