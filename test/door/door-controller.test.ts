/**
 * The door controller through the whole Runtime: simulated readers, relay and inputs, the real
 * journal on disk, and the door's timers on a hand-stepped clock (manual-clock.ts): nothing sleeps;
 * time moves when a test says so.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../../src/app.js';
import type { JournalEvent } from '../../src/domain/events.js';
import type { TapResult } from '../../src/door/door-controller.js';
import type { SimReader, SimRelay } from '../../src/hardware/sim/sim-drivers.js';
import { createLogger } from '../../src/logger.js';
import { fileNameFor } from '../../src/store/journal-segments.js';
import { verifyJournal } from '../../src/store/journal-verify.js';
import { issuedVisit, seedPeople, startRig, type TestRig } from '../fixtures/runtime.js';
import { ManualClock } from './manual-clock.js';

const FAST = { door: { unlockSeconds: 0.2, heldOpenSeconds: 0.3 }, access: { escortWindowSeconds: 0.3 } };
const UNLOCK_MS = 200;
const HELD_OPEN_MS = 300;
const ESCORT_WINDOW_MS = 300;
const SYSTEM = { id: 'test', name: 'door test', role: 'system', channel: 'system' } as const;
const UNKNOWN_UID = 'DEADBEEF';

type People = Awaited<ReturnType<typeof seedPeople>>;

function sim(rig: { rt: Runtime }) {
  const s = rig.rt.sim;
  if (!s) throw new Error('runtime has no simulated hardware');
  return s;
}

function reader(rt: Runtime, id: 'entry' | 'exit'): SimReader {
  const r = rt.sim?.readers.get(id);
  if (!r) throw new Error(`no reader ${id}`);
  return r;
}

/** Presents an NFC badge and returns what the door said (undefined when a handler threw). */
function tap(rt: Runtime, readerId: 'entry' | 'exit', uid: string): TapResult | undefined {
  let result: TapResult | undefined;
  const onTap = (r: TapResult) => {
    result ??= r;
  };
  rt.door.on('tap', onTap);
  try {
    reader(rt, readerId).present('nfc', uid);
  } finally {
    rt.door.off('tap', onTap);
  }
  return result;
}

function events(rt: Runtime): JournalEvent[] {
  return rt.journal.read(0, 1_000_000);
}

function ofType(rt: Runtime, type: string): JournalEvent[] {
  return events(rt).filter((e) => e.type === type);
}

/** Lets queued store work (the visit service's first entry) finish: exclusive() runs in order. */
async function settled(rt: Runtime): Promise<void> {
  await rt.store.exclusive(async () => undefined);
}

/**
 * Every door.unlocked in the journal follows the event that allowed it, with no other lock event
 * between them: a grant or command → access.granted, exit → access.exit, the button →
 * door.exit_request, emergency → door.mode_changed to emergency_release.
 */
function assertUnlocksExplained(rt: Runtime): number {
  const evs = events(rt);
  const cause: Record<string, (e: JournalEvent) => boolean> = {
    grant: (e) => e.type === 'access.granted',
    command: (e) => e.type === 'access.granted' && e.data.credential === 'command',
    exit: (e) => e.type === 'access.exit',
    exit_button: (e) => e.type === 'door.exit_request',
    emergency: (e) => e.type === 'door.mode_changed' && e.data.to === 'emergency_release',
  };
  let unlocks = 0;
  for (let i = 0; i < evs.length; i++) {
    const ev = evs[i]!;
    if (ev.type !== 'door.unlocked') continue;
    unlocks++;
    const reason = String(ev.data.reason);
    const matches = cause[reason];
    assert.ok(matches, `door.unlocked seq ${ev.seq} has an unknown reason ${reason}`);
    let j = i - 1;
    while (j >= 0 && !matches(evs[j]!)) {
      assert.ok(
        evs[j]!.type !== 'door.unlocked' && evs[j]!.type !== 'door.locked',
        `door.unlocked seq ${ev.seq} (${reason}) has no cause after the previous lock event`,
      );
      j--;
    }
    assert.ok(j >= 0, `door.unlocked seq ${ev.seq} (${reason}) is not preceded by its cause`);
    assert.ok(evs[j]!.seq < ev.seq);
  }
  return unlocks;
}

function switches(rt: Runtime): { unlocked: boolean }[] {
  return (rt.relay as SimRelay).switches;
}

function unlockSwitches(rt: Runtime): number {
  return switches(rt).filter((s) => s.unlocked).length;
}

describe('door controller (whole runtime, simulated hardware)', function () {
  this.timeout(20_000);
  let rig: TestRig;
  let p: People;
  let clock: ManualClock;

  async function boot(overrides: Record<string, unknown> = {}): Promise<void> {
    clock = new ManualClock();
    rig = await startRig({ ...FAST, ...overrides }, { doorTimers: clock });
    p = await seedPeople(rig);
  }

  /** The unlock time runs out: the door relocks. */
  function relockAfterUnlockTime(rt: Runtime, what = 'relocked after the unlock time'): void {
    clock.advance(UNLOCK_MS);
    assert.equal(rt.relay.get(), false, what);
  }

  afterEach(async () => {
    await rig?.stop();
  });

  it('a grant pulses the relay and relocks after unlockSeconds', async () => {
    await boot();
    const rt = rig.rt;
    assert.equal(rt.relay.get(), false);
    const r = tap(rt, 'entry', p.budiUid);
    assert.equal(r?.outcome, 'grant');
    assert.equal(rt.relay.get(), true);
    clock.advance(UNLOCK_MS - 1);
    assert.equal(rt.relay.get(), true, 'still unlocked just before unlockSeconds');
    clock.advance(1);
    assert.equal(rt.relay.get(), false, 'relocked at unlockSeconds');
    assert.deepEqual(
      switches(rt).map((s) => s.unlocked),
      [true, false],
    );
    const locked = ofType(rt, 'door.locked');
    assert.equal(locked.length, 1);
    assert.equal(locked[0]!.data.reason, 'timeout');
    const granted = ofType(rt, 'access.granted')[0]!;
    const unlocked = ofType(rt, 'door.unlocked')[0]!;
    assert.ok(granted.seq < unlocked.seq && unlocked.seq < locked[0]!.seq);
    assert.equal(assertUnlocksExplained(rt), 1);
  });

  it('relocks as soon as the door closes after opening, before the unlock time runs out', async () => {
    await boot({ door: { unlockSeconds: 30, heldOpenSeconds: 60 } });
    const rt = rig.rt;
    assert.equal(tap(rt, 'entry', p.budiUid)?.outcome, 'grant');
    sim(rig).doorContact.set(true);
    assert.equal(rt.relay.get(), true, 'still unlocked while the door is open within the unlock time');
    sim(rig).doorContact.set(false);
    assert.equal(rt.relay.get(), false, 'locked the moment the door closed');
    const evs = events(rt);
    const types = evs.map((e) => e.type);
    const opened = evs.find((e) => e.type === 'door.opened')!;
    assert.equal(opened.data.authorised, true);
    assert.equal(ofType(rt, 'door.forced').length, 0);
    assert.ok(types.indexOf('door.closed') < types.indexOf('door.locked'));
    assert.equal(ofType(rt, 'door.locked')[0]!.data.reason, 'door_closed');
    // Opening again after the relock is not covered by the earlier grant.
    sim(rig).doorContact.set(true);
    assert.equal(ofType(rt, 'door.forced').length, 1);
    assertUnlocksExplained(rt);
  });

  it('the door opened without a grant raises door.forced; closing clears it', async () => {
    await boot();
    const rt = rig.rt;
    sim(rig).doorContact.set(true);
    const forced = ofType(rt, 'door.forced');
    assert.equal(forced.length, 1);
    assert.equal(forced[0]!.data.mode, 'normal');
    assert.equal(ofType(rt, 'door.opened')[0]!.data.authorised, false);
    assert.equal(rt.door.snapshot().alarms.forced, true);
    sim(rig).doorContact.set(false);
    assert.equal(rt.door.snapshot().alarms.forced, false);
    assert.equal(ofType(rt, 'door.closed').at(-1)!.data.alarmCleared, true);
    assert.equal(switches(rt).length, 0, 'the relay never moved');
  });

  it('held open → door.held_open, then door.closed clears the alarm', async () => {
    await boot();
    const rt = rig.rt;
    assert.equal(tap(rt, 'entry', p.budiUid)?.outcome, 'grant');
    sim(rig).doorContact.set(true);
    clock.advance(HELD_OPEN_MS - 1);
    assert.equal(ofType(rt, 'door.held_open').length, 0, 'not before heldOpenSeconds');
    clock.advance(1);
    assert.equal(ofType(rt, 'door.held_open').length, 1);
    assert.equal(rt.door.snapshot().alarms.heldOpen, true);
    assert.equal(ofType(rt, 'door.forced').length, 0, 'a granted opening is not forced');
    sim(rig).doorContact.set(false);
    assert.equal(rt.door.snapshot().alarms.heldOpen, false);
    const held = ofType(rt, 'door.held_open')[0]!;
    const closed = ofType(rt, 'door.closed').at(-1)!;
    assert.ok(held.seq < closed.seq);
    assert.equal(closed.data.alarmCleared, true);
    assert.equal(rt.relay.get(), false);
    // No second held-open alarm fires after the door closed.
    clock.advance(2 * HELD_OPEN_MS);
    assert.equal(ofType(rt, 'door.held_open').length, 1);
  });

  it('the exit button always unlocks (door.exit_request), in lockdown too', async () => {
    await boot();
    const rt = rig.rt;
    sim(rig).exitButton.pulse();
    assert.equal(rt.relay.get(), true);
    const req = ofType(rt, 'door.exit_request');
    assert.equal(req.length, 1);
    assert.equal(ofType(rt, 'door.unlocked')[0]!.data.reason, 'exit_button');
    relockAfterUnlockTime(rt, 'relock after exit');
    // Opening after the button is authorised.
    rt.door.setMode('lockdown', SYSTEM);
    sim(rig).exitButton.pulse();
    assert.equal(rt.relay.get(), true, 'exit button opens in lockdown');
    sim(rig).doorContact.set(true);
    assert.equal(ofType(rt, 'door.forced').length, 0);
    sim(rig).doorContact.set(false);
    assert.equal(rt.relay.get(), false);
    assert.equal(ofType(rt, 'door.exit_request').length, 2);
    assert.equal(assertUnlocksExplained(rt), 2);
  });

  it('the exit reader always unlocks, even for an unknown card', async () => {
    await boot();
    const rt = rig.rt;
    const r = tap(rt, 'exit', UNKNOWN_UID);
    assert.deepEqual(r, { outcome: 'exit', reader: 'exit' });
    assert.equal(rt.relay.get(), true);
    const ex = ofType(rt, 'access.exit')[0]!;
    assert.equal(ex.data.known, false);
    assert.equal(ex.data.wasInside, false);
    assert.equal(ofType(rt, 'access.denied').length, 0);
    // And in lockdown.
    relockAfterUnlockTime(rt, 'relock');
    rt.door.setMode('lockdown', SYSTEM);
    assert.equal(tap(rt, 'exit', p.visitorUid)?.outcome, 'exit');
    assert.equal(rt.relay.get(), true);
    assert.equal(assertUnlocksExplained(rt), 2);
  });

  it('a visitor alone waits for an escort, then is denied escort_required; the relay never moves', async () => {
    await boot();
    const rt = rig.rt;
    await issuedVisit(rig, p);
    const r = tap(rt, 'entry', p.visitorUid);
    assert.equal(r?.outcome, 'pending');
    const awaiting = ofType(rt, 'access.awaiting_escort');
    assert.equal(awaiting.length, 1);
    assert.equal(awaiting[0]!.data.awaiting, 'escort');
    assert.equal(rt.door.snapshot().pending.length, 1);
    clock.advance(ESCORT_WINDOW_MS - 1);
    assert.equal(ofType(rt, 'access.denied').length, 0, 'still waiting within the window');
    clock.advance(2); // the window runs out
    const denied = ofType(rt, 'access.denied');
    assert.equal(denied.length, 1);
    assert.equal(denied[0]!.data.reason, 'escort_required');
    assert.equal(denied[0]!.data.reader, 'entry', 'the denial that ends the wait names its reader');
    assert.ok(awaiting[0]!.seq < denied[0]!.seq);
    assert.equal(rt.door.snapshot().pending.length, 0);
    assert.equal(switches(rt).length, 0, 'the relay never switched');
    assert.equal(ofType(rt, 'door.unlocked').length, 0);
    assert.equal(rt.door.snapshot().inside.length, 0);
    // An escort arriving after the window does not admit the visitor.
    assert.equal(tap(rt, 'entry', p.budiUid)?.outcome, 'grant');
    assert.deepEqual(
      rt.door.snapshot().inside.map((o) => o.kind),
      ['staff'],
    );
  });

  it('visitor then escort: one unlock admits both, occupancy shows both, the visit is in_progress', async () => {
    await boot();
    const rt = rig.rt;
    const visitId = await issuedVisit(rig, p);
    const before = rt.journal.seq;
    assert.equal(tap(rt, 'entry', p.visitorUid)?.outcome, 'pending');
    assert.equal(rt.relay.get(), false);
    const r = tap(rt, 'entry', p.budiUid);
    assert.equal(r?.outcome, 'grant');
    assert.ok(r?.outcome === 'grant');
    assert.deepEqual(r.admits.map((a) => a.badgeId).sort(), [p.budiBadge, p.visitorBadge].sort());
    const visitorAdm = r.admits.find((a) => a.kind === 'visitor')!;
    assert.deepEqual(visitorAdm.escortedBy, [p.budiId]);
    assert.equal(rt.relay.get(), true);
    const after = events(rt).filter((e) => e.seq > before);
    assert.equal(after.filter((e) => e.type === 'door.unlocked').length, 1, 'one unlock event');
    assert.equal(after.filter((e) => e.type === 'access.granted').length, 1);
    assert.equal(unlockSwitches(rt), 1, 'the relay switched once');
    const inside = rt.door.snapshot().inside;
    assert.deepEqual(inside.map((o) => o.badgeId).sort(), [p.budiBadge, p.visitorBadge].sort());
    assert.equal(inside.find((o) => o.kind === 'visitor')!.visitId, visitId);
    assert.equal(rt.door.isVisitInside(visitId), true);
    await settled(rt);
    assert.equal(rt.store.visit(visitId)?.state, 'in_progress');
    assert.equal(ofType(rt, 'visit.entered').length, 1);
    // The escort's tap is within the window: the pending list is empty.
    assert.equal(rt.door.snapshot().pending.length, 0);
    clock.advance(2 * ESCORT_WINDOW_MS);
    assert.equal(ofType(rt, 'access.denied').length, 0, 'the admitted visitor is not later denied');
    assert.equal(assertUnlocksExplained(rt), 1);
  });

  it('the first entry is the visit service reacting to the grant: without it the door leaves the visit alone', async () => {
    await boot();
    const rt = rig.rt;
    const visitId = await issuedVisit(rig, p);
    rt.visits.stop();
    try {
      tap(rt, 'entry', p.visitorUid);
      assert.equal(tap(rt, 'entry', p.budiUid)?.outcome, 'grant');
      await settled(rt);
      assert.equal(rt.store.visit(visitId)?.state, 'badge_issued', 'the door itself does not move the visit');
      assert.equal(ofType(rt, 'visit.entered').length, 0);
    } finally {
      rt.visits.start();
    }
    // Listening again: the next grant of the visit is its first entry.
    assert.equal(tap(rt, 'exit', p.visitorUid)?.outcome, 'exit');
    assert.equal(tap(rt, 'exit', p.budiUid)?.outcome, 'exit');
    tap(rt, 'entry', p.visitorUid);
    assert.equal(tap(rt, 'entry', p.budiUid)?.outcome, 'grant');
    await settled(rt);
    assert.equal(rt.store.visit(visitId)?.state, 'in_progress');
    const entered = ofType(rt, 'visit.entered');
    assert.equal(entered.length, 1);
    assert.equal(entered[0]!.data.visitId, visitId);
    assert.ok(ofType(rt, 'access.granted').at(-1)!.seq < entered[0]!.seq, 'journaled after the grant');
  });

  it('escort then visitor within the window also admits the visitor', async () => {
    await boot();
    const rt = rig.rt;
    await issuedVisit(rig, p);
    assert.equal(tap(rt, 'entry', p.budiUid)?.outcome, 'grant');
    const r = tap(rt, 'entry', p.visitorUid);
    assert.equal(r?.outcome, 'grant');
    assert.equal(rt.door.snapshot().inside.length, 2);
    assertUnlocksExplained(rt);
  });

  it('anti-passback: a badge already inside is denied a second entry', async () => {
    await boot();
    const rt = rig.rt;
    assert.equal(tap(rt, 'entry', p.budiUid)?.outcome, 'grant');
    relockAfterUnlockTime(rt, 'relock');
    const n = switches(rt).length;
    const r = tap(rt, 'entry', p.budiUid);
    assert.deepEqual(r, { outcome: 'deny', reason: 'anti_passback', reader: 'entry' });
    assert.equal(switches(rt).length, n, 'no unlock for the second entry');
    assert.equal(ofType(rt, 'access.denied').at(-1)!.data.reason, 'anti_passback');
    // After leaving, the badge may enter again.
    assert.equal(tap(rt, 'exit', p.budiUid)?.outcome, 'exit');
    assert.equal(ofType(rt, 'access.exit').at(-1)!.data.wasInside, true);
    relockAfterUnlockTime(rt, 'relock');
    assert.equal(tap(rt, 'entry', p.budiUid)?.outcome, 'grant');
    assertUnlocksExplained(rt);
  });

  it('the last escort leaving while the visitor is inside raises alarm.visitor_unescorted', async () => {
    await boot();
    const rt = rig.rt;
    const visitId = await issuedVisit(rig, p);
    tap(rt, 'entry', p.visitorUid);
    assert.equal(tap(rt, 'entry', p.budiUid)?.outcome, 'grant');
    assert.equal(ofType(rt, 'alarm.visitor_unescorted').length, 0);
    assert.equal(tap(rt, 'exit', p.budiUid)?.outcome, 'exit');
    const alarms = ofType(rt, 'alarm.visitor_unescorted');
    assert.equal(alarms.length, 1);
    assert.equal(alarms[0]!.data.visitId, visitId);
    assert.ok(ofType(rt, 'access.exit').at(-1)!.seq < alarms[0]!.seq);
    assert.deepEqual(
      rt.door.snapshot().inside.map((o) => o.kind),
      ['visitor'],
    );
    // The visitor leaving raises nothing more.
    assert.equal(tap(rt, 'exit', p.visitorUid)?.outcome, 'exit');
    assert.equal(ofType(rt, 'alarm.visitor_unescorted').length, 1);
    assert.equal(rt.door.snapshot().inside.length, 0);
    assertUnlocksExplained(rt);
  });

  // SUSPECTED BUG (src/domain/escort-pairing.ts + door controller): the escort's granted tap stays in
  // the pairing for escortWindowSeconds even after the escort left through the exit reader, so a
  // visitor tapping within the window is admitted alone. EscortPairing has no way to forget a badge;
  // the fix belongs in src/domain (e.g. pairing.forget(badgeId) called from exitByCredential).
  it('an escort who entered and left again does not escort a visitor who taps later', async () => {
    await boot({ access: { escortWindowSeconds: 30 } });
    const rt = rig.rt;
    await issuedVisit(rig, p);
    assert.equal(tap(rt, 'entry', p.budiUid)?.outcome, 'grant');
    assert.equal(tap(rt, 'exit', p.budiUid)?.outcome, 'exit');
    relockAfterUnlockTime(rt, 'relock');
    const r = tap(rt, 'entry', p.visitorUid);
    assert.equal(r?.outcome, 'pending', `visitor admitted with the escort outside: ${JSON.stringify(r)}`);
  });

  it('lockdown denies an escort but admits the superadmin with a staff badge', async () => {
    await boot();
    const rt = rig.rt;
    const kasiId = rt.store.userByUsername('kasi')!.id;
    const res = await rig.inject({
      method: 'POST',
      url: '/api/badges',
      token: p.kasi,
      payload: { uid: '04AABBCCDDEEFF', label: 'Kasi', kind: 'staff', userId: kasiId },
    });
    assert.equal(res.statusCode, 201, res.body);
    rt.door.setMode('lockdown', SYSTEM);
    assert.equal(ofType(rt, 'door.mode_changed').at(-1)!.data.to, 'lockdown');
    assert.deepEqual(tap(rt, 'entry', p.budiUid), { outcome: 'deny', reason: 'lockdown', reader: 'entry' });
    assert.equal(switches(rt).length, 0);
    const r = tap(rt, 'entry', '04AABBCCDDEEFF');
    assert.equal(r?.outcome, 'grant');
    assert.equal(rt.relay.get(), true);
    assert.equal(ofType(rt, 'access.granted').at(-1)!.data.userId, kasiId);
    assert.equal(assertUnlocksExplained(rt), 1);
  });

  it('emergency_release holds the relay unlocked; returning to normal relocks', async () => {
    await boot();
    const rt = rig.rt;
    rt.door.setMode('emergency_release', SYSTEM, 'drill');
    assert.equal(rt.relay.get(), true);
    clock.advance(3 * UNLOCK_MS); // longer than unlockSeconds
    assert.equal(rt.relay.get(), true, 'still unlocked after the unlock time');
    // Taps and the exit button in release do not start a relock timer.
    assert.equal(tap(rt, 'entry', p.budiUid)?.outcome, 'grant');
    sim(rig).exitButton.pulse();
    sim(rig).doorContact.set(true);
    assert.equal(ofType(rt, 'door.forced').length, 0, 'opening in release is not forced');
    clock.advance(2 * HELD_OPEN_MS);
    assert.equal(ofType(rt, 'door.held_open').length, 0, 'no held-open alarm in release');
    sim(rig).doorContact.set(false);
    assert.equal(rt.relay.get(), true, 'closing the door does not relock in release');
    rt.door.setMode('normal', SYSTEM);
    assert.equal(rt.relay.get(), false);
    assert.equal(ofType(rt, 'door.locked').at(-1)!.data.reason, 'mode');
    clock.advance(2 * UNLOCK_MS);
    assert.equal(rt.relay.get(), false);
    assert.equal(assertUnlocksExplained(rt), 1);
  });

  describe('across a restart', () => {
    let second: Runtime | null = null;

    afterEach(async () => {
      await second?.stop();
      second = null;
    });

    /** Stops the rig's runtime (keeping its data) and starts a fresh one on the same data dir. */
    async function restart(): Promise<Runtime> {
      await rig.rt.stop();
      const dir = rig.dir;
      // rig.stop() would stop the first runtime again: point the rig at a no-op clean-up.
      rig.stop = async () => rmSync(dir, { recursive: true, force: true });
      second = new Runtime({
        config: rig.rt.config,
        logger: createLogger('silent'),
        clock: () => rig.clock.now,
        listen: false,
        doorTimers: new ManualClock(),
      });
      await second.start();
      return second;
    }

    it('lockdown survives a restart', async () => {
      await boot();
      rig.rt.door.setMode('lockdown', SYSTEM);
      const rt = await restart();
      assert.equal(rt.door.getMode(), 'lockdown');
      assert.equal(rt.relay.get(), false);
      assert.equal(tap(rt, 'entry', p.budiUid)?.outcome, 'deny');
      assert.equal(ofType(rt, 'access.denied').at(-1)!.data.reason, 'lockdown');
      assert.equal(ofType(rt, 'system.started').at(-1)!.data.mode, 'lockdown');
    });

    it('emergency_release survives a restart with the relay unlocked', async () => {
      await boot();
      rig.rt.door.setMode('emergency_release', SYSTEM);
      const rt = await restart();
      assert.equal(rt.door.getMode(), 'emergency_release');
      assert.equal(rt.relay.get(), true);
      rt.door.setMode('normal', SYSTEM);
      assert.equal(rt.relay.get(), false);
    });

    it('occupancy survives a restart, and with it anti-passback', async () => {
      await boot();
      const visitId = await issuedVisit(rig, p);
      tap(rig.rt, 'entry', p.visitorUid);
      assert.equal(tap(rig.rt, 'entry', p.budiUid)?.outcome, 'grant');
      await settled(rig.rt);
      assert.equal(rig.rt.store.visit(visitId)?.state, 'in_progress');
      const rt = await restart();
      assert.deepEqual(
        rt.door
          .snapshot()
          .inside.map((o) => o.badgeId)
          .sort(),
        [p.budiBadge, p.visitorBadge].sort(),
      );
      assert.equal(rt.door.isVisitInside(visitId), true);
      assert.equal(rt.store.visit(visitId)?.state, 'in_progress');
      assert.equal(tap(rt, 'entry', p.budiUid)?.outcome, 'deny');
      assert.equal(ofType(rt, 'access.denied').at(-1)!.data.reason, 'anti_passback');
      // The unescorted alarm works on the restored occupancy.
      assert.equal(tap(rt, 'exit', p.budiUid)?.outcome, 'exit');
      assert.equal(ofType(rt, 'alarm.visitor_unescorted').at(-1)!.data.visitId, visitId);
      assert.equal(verifyJournal(join(rig.dir, 'journal')).ok, true);
    });
  });

  describe('journal unavailable', () => {
    it('disk full (segment on /dev/full): entry denied journal_unavailable, relay untouched; exit still opens', async () => {
      await boot();
      const rt = rig.rt;
      await issuedVisit(rig, p);
      const jdir = join(rig.dir, 'journal');
      const lastGood = rt.journal.seq;
      // A new newest segment that is the full device: every write fails with ENOSPC.
      rt.journal.stop();
      const full = join(jdir, fileNameFor(lastGood + 1));
      symlinkSync('/dev/full', full);
      rt.journal.start();
      assert.equal(rt.journal.seq, lastGood);

      assert.deepEqual(tap(rt, 'entry', p.budiUid), {
        outcome: 'deny',
        reason: 'journal_unavailable',
        reader: 'entry',
      });
      assert.equal(rt.journal.health().ok, false);
      assert.equal(rt.door.health().state, 'degraded');
      assert.deepEqual(tap(rt, 'entry', p.visitorUid), {
        outcome: 'deny',
        reason: 'journal_unavailable',
        reader: 'entry',
      });
      assert.equal(tap(rt, 'entry', p.budiUid)?.outcome, 'deny');
      assert.equal(switches(rt).length, 0, 'no entry without a record');
      assert.equal(rt.door.snapshot().inside.length, 0);
      assert.equal(rt.door.snapshot().pending.length, 0);
      clock.advance(2 * ESCORT_WINDOW_MS); // longer than the escort window: nothing pending fires later
      assert.equal(switches(rt).length, 0);

      assert.equal(tap(rt, 'exit', p.budiUid)?.outcome, 'exit');
      assert.equal(rt.relay.get(), true, 'exit reader opens');
      relockAfterUnlockTime(rt, 'relock without a journal');
      sim(rig).exitButton.pulse();
      assert.equal(rt.relay.get(), true, 'exit button opens');
      relockAfterUnlockTime(rt, 'relock');
      assert.equal(rt.journal.seq, lastGood, 'nothing was written');

      // The disk comes back: the chain continues where it stopped and nothing was granted meanwhile.
      rt.journal.stop();
      unlinkSync(full);
      rt.journal.start();
      assert.equal(tap(rt, 'entry', p.budiUid)?.outcome, 'grant');
      assert.equal(
        rt.journal.seq,
        lastGood + 2,
        'access.granted and door.unlocked follow the last good event',
      );
      assert.equal(verifyJournal(jdir).ok, true);
      assert.equal(ofType(rt, 'access.granted').length, 1);
    });

    it('an escort tap refused for want of a journal does not escort a visitor after the disk recovers', async () => {
      await boot({ access: { escortWindowSeconds: 30 } });
      const rt = rig.rt;
      await issuedVisit(rig, p);
      const jdir = join(rig.dir, 'journal');
      rt.journal.stop();
      const full = join(jdir, fileNameFor(rt.journal.seq + 1));
      symlinkSync('/dev/full', full);
      rt.journal.start();
      assert.equal(tap(rt, 'entry', p.budiUid)?.outcome, 'deny');
      rt.journal.stop();
      unlinkSync(full);
      rt.journal.start();
      // Budi never entered: the visitor must still wait for an escort.
      const r = tap(rt, 'entry', p.visitorUid);
      assert.equal(r?.outcome, 'pending', `visitor admitted alone: ${JSON.stringify(r)}`);
      assert.equal(switches(rt).length, 0);
      assert.equal(rt.door.snapshot().inside.length, 0);
    });

    it('journal directory removed: entry denied journal_unavailable, exit still opens', async () => {
      await boot({ journal: { maxFileBytes: 4096 } });
      const rt = rig.rt;
      const jdir = join(rig.dir, 'journal');
      rmSync(jdir, { recursive: true, force: true });
      // Appends go on into the unlinked segment until it rotates; then nothing can be written.
      for (let i = 0; i < 200 && rt.journal.health().ok; i++) sim(rig).exitButton.pulse();
      assert.equal(rt.journal.health().ok, false, 'the journal noticed its directory is gone');
      relockAfterUnlockTime(rt, 'relock');
      const n = switches(rt).length;
      assert.deepEqual(tap(rt, 'entry', p.budiUid), {
        outcome: 'deny',
        reason: 'journal_unavailable',
        reader: 'entry',
      });
      assert.equal(switches(rt).length, n, 'relay not switched for entry');
      assert.equal(rt.relay.get(), false);
      assert.equal(tap(rt, 'exit', UNKNOWN_UID)?.outcome, 'exit');
      assert.equal(rt.relay.get(), true, 'exit still unlocks');
      mkdirSync(jdir); // let clean-up and stop() run normally
    });
  });

  it('an exception inside a handler leaves the relay locked and the door working', async () => {
    await boot();
    const rt = rig.rt;
    const store = rt.store as unknown as { badgeByUid: (uid: string) => unknown };
    store.badgeByUid = () => {
      throw new Error('simulated store fault');
    };
    try {
      assert.equal(tap(rt, 'entry', p.budiUid), undefined, 'no outcome: the handler threw');
      assert.equal(rt.relay.get(), false);
      assert.equal(switches(rt).length, 0);
      // The contact handler keeps working after the fault.
      sim(rig).doorContact.set(true);
      assert.equal(ofType(rt, 'door.forced').length, 1);
      sim(rig).doorContact.set(false);
    } finally {
      delete (store as { badgeByUid?: unknown }).badgeByUid;
    }
    assert.equal(tap(rt, 'entry', p.budiUid)?.outcome, 'grant', 'the next tap works');
    assert.equal(ofType(rt, 'access.granted').length, 1);
    assertUnlocksExplained(rt);
  });

  it('a handler fault while the relay is unlocked by a grant does not leave it unlocked for good', async () => {
    await boot();
    const rt = rig.rt;
    assert.equal(tap(rt, 'entry', p.budiUid)?.outcome, 'grant');
    const store = rt.store as unknown as { badgeByUid: (uid: string) => unknown };
    store.badgeByUid = () => {
      throw new Error('simulated store fault');
    };
    try {
      tap(rt, 'entry', p.visitorUid);
      relockAfterUnlockTime(rt, 'relocked after the fault');
    } finally {
      delete (store as { badgeByUid?: unknown }).badgeByUid;
    }
    assertUnlocksExplained(rt);
  });

  it('every unlock in the journal follows its access.granted / exit event (mixed traffic)', async () => {
    await boot();
    const rt = rig.rt;
    await issuedVisit(rig, p);
    tap(rt, 'entry', p.visitorUid);
    tap(rt, 'entry', p.budiUid);
    sim(rig).doorContact.set(true);
    sim(rig).doorContact.set(false);
    tap(rt, 'exit', p.budiUid);
    relockAfterUnlockTime(rt, 'relock');
    sim(rig).exitButton.pulse();
    relockAfterUnlockTime(rt, 'relock');
    tap(rt, 'exit', p.visitorUid);
    relockAfterUnlockTime(rt, 'relock');
    rt.door.commandUnlock(SYSTEM);
    relockAfterUnlockTime(rt, 'relock');
    rt.door.setMode('emergency_release', SYSTEM);
    rt.door.setMode('normal', SYSTEM);
    const unlocks = assertUnlocksExplained(rt);
    assert.equal(unlocks, 6);
    assert.equal(unlocks, unlockSwitches(rt), 'each relay unlock has exactly one door.unlocked event');
  });
});
