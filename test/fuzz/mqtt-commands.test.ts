/**
 * Fuzzing MQTT command payloads (#12 §4) against the real door and journal of a whole Runtime:
 * 10,000 requests — random JSON, raw bytes, signed requests altered after signing, replays,
 * stale or future timestamps, unknown operators and commands. Never a throw, always a coded
 * refusal, never an unlock or a mode change, nothing journaled but `command.refused`, state.json
 * byte-identical. A genuine signed request at the end still works (the harness can see an act).
 * Seeded; fast-check prints the seed and the shrunk counterexample on failure.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { pino } from 'pino';
import { CommandAuth } from '../../src/mqtt/command-auth.js';
import { CommandHandler } from '../../src/mqtt/commands.js';
import { COMMAND_ERROR_CODES, COMMAND_NAMES } from '../../src/mqtt/types.js';
import { seedPeople, startRig, type TestRig } from '../fixtures/runtime.js';
import { OPERATOR_LIST, OPERATORS, signed } from '../mqtt/signing.js';

const SEED = 1202;
const DOOR = 'server-room';
const FIELDS = ['operator', 'timestamp', 'nonce', 'signature', 'on', 'reason', 'transaction'] as const;

/** A signed request for a real command, then one thing about it changed (so the signature no longer holds). */
function tampered(now: number): fc.Arbitrary<{ command: string; body: unknown }> {
  const op = fc.constantFrom(...Object.values(OPERATORS));
  return fc
    .record({
      command: fc.constantFrom(...COMMAND_NAMES),
      on: fc.boolean(),
      op,
      field: fc.constantFrom(...FIELDS),
      value: fc.oneof(fc.jsonValue(), fc.string({ maxLength: 40 }), fc.integer(), fc.boolean()),
    })
    .map(({ command, on, op, field, value }) => {
      const body = signed(
        DOOR,
        command,
        command === 'lockdown' || command === 'emergency_release' ? { on } : {},
        op,
        now,
      );
      return { command, body: { ...body, [field]: value }, original: body };
    })
    .filter((x) => JSON.stringify(x.body) !== JSON.stringify(x.original))
    .map(({ command, body }) => ({ command, body }));
}

/** Genuinely signed, but signed for another door, too old, too far ahead, or by a key not configured. */
function wrongContext(now: number): fc.Arbitrary<{ command: string; body: unknown }> {
  return fc
    .record({
      command: fc.constantFrom(...COMMAND_NAMES),
      kind: fc.constantFrom('door', 'stale', 'future', 'stranger'),
      skew: fc.integer({ min: 31_000, max: 400 * 86_400_000 }),
    })
    .map(({ command, kind, skew }) => {
      const args = command === 'lockdown' || command === 'emergency_release' ? { on: true } : {};
      if (kind === 'door') return { command, body: signed('other-door', command, args, OPERATORS.kasi, now) };
      if (kind === 'stale') return { command, body: signed(DOOR, command, args, OPERATORS.kasi, now - skew) };
      if (kind === 'future')
        return { command, body: signed(DOOR, command, args, OPERATORS.kasi, now + skew) };
      const stranger = { id: 'kasi', name: 'x', role: 'superadmin' as const, key: 'z'.repeat(40) };
      return { command, body: signed(DOOR, command, args, stranger, now) };
    });
}

function junk(): fc.Arbitrary<{ command: string; raw: Buffer }> {
  const command = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...COMMAND_NAMES) },
    { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
  );
  const raw = fc.oneof(
    fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
    fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
    fc
      .dictionary(fc.constantFrom(...FIELDS, '__proto__', 'constructor'), fc.jsonValue())
      .map((d) => Buffer.from(JSON.stringify(d))),
    fc.string({ maxLength: 300 }).map((s) => Buffer.from(s)),
  );
  return fc.record({ command, raw });
}

describe('fuzz: MQTT command payloads against the real door', function () {
  this.timeout(120_000);
  let rig: TestRig;
  let handler: CommandHandler;
  const now = () => rig.clock.now.getTime();

  before(async () => {
    rig = await startRig();
    await seedPeople(rig);
    const clock = () => rig.clock.now;
    handler = new CommandHandler({
      enabled: true,
      allowed: [...COMMAND_NAMES],
      door: rig.rt.door,
      journal: rig.rt.journal,
      clock,
      logger: pino({ level: 'silent' }),
      auth: new CommandAuth({ door: DOOR, operators: OPERATOR_LIST, maxAgeSeconds: 30, clock }),
    });
  });
  after(async () => {
    await rig?.stop();
  });

  it('10,000 payloads: a coded refusal every time, never an act, only command.refused journaled, state unchanged', () => {
    const stateBefore = readFileSync(join(rig.dir, 'state.json'));
    const seqBefore = rig.rt.journal.seq;
    // One genuine request, replayed: the first copy is answered, every copy after is refused.
    const replay = signed(DOOR, 'state', {}, OPERATORS.desk, now());
    assert.equal(handler.handle('state', Buffer.from(JSON.stringify(replay))).status, 'ok');
    const counts = new Map<string, number>();
    const cases = fc.oneof(
      { weight: 3, arbitrary: junk() },
      {
        weight: 3,
        arbitrary: tampered(now()).map(({ command, body }) => ({
          command,
          raw: Buffer.from(JSON.stringify(body)),
        })),
      },
      {
        weight: 2,
        arbitrary: wrongContext(now()).map(({ command, body }) => ({
          command,
          raw: Buffer.from(JSON.stringify(body)),
        })),
      },
      { weight: 1, arbitrary: fc.constant({ command: 'state', raw: Buffer.from(JSON.stringify(replay)) }) },
    );
    fc.assert(
      fc.property(cases, ({ command, raw }) => {
        const r = handler.handle(command, raw);
        assert.equal(r.status, 'error', `${command} ${raw.toString('utf8').slice(0, 200)} → ok`);
        assert.ok((COMMAND_ERROR_CODES as readonly string[]).includes(r.error!.code), r.error!.code);
        counts.set(r.error!.code, (counts.get(r.error!.code) ?? 0) + 1);
        const snap = rig.rt.door.snapshot();
        assert.equal(snap.lock, 'locked');
        assert.equal(snap.mode, 'normal');
      }),
      { numRuns: 10_000, seed: SEED, endOnFailure: true },
    );
    const added = rig.rt.journal.read(seqBefore + 1, 1_000_000);
    // `state` acts on nothing, so it is not journaled; every refusal is (at a bounded rate).
    assert.deepEqual([...new Set(added.map((e) => e.type))], ['command.refused']);
    assert.ok(!added.some((e) => e.type === 'door.unlocked' || e.type === 'access.granted'));
    assert.deepEqual(readFileSync(join(rig.dir, 'state.json')), stateBefore);
    // The refusals are of the kinds each generator aims at.
    for (const code of [
      'malformed_request',
      'command_bad_signature',
      'command_replayed',
      'command_stale',
      'command_unknown_operator',
    ])
      assert.ok((counts.get(code) ?? 0) > 0, `${code} never seen: ${JSON.stringify([...counts])}`);
    // And a genuine unlock still opens the door: the loop above would have seen an act.
    const ok = handler.handle(
      'unlock',
      Buffer.from(JSON.stringify(signed(DOOR, 'unlock', {}, OPERATORS.kasi, now()))),
    );
    assert.equal(ok.status, 'ok', JSON.stringify(ok));
    assert.equal(rig.rt.door.snapshot().lock, 'unlocked');
  });
});
