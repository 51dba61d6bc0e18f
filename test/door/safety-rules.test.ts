/**
 * Rules found in review: fire release cannot be overridden, no operator unlock in lockdown, the
 * fire's return mode survives a restart, the exit button ends an escort's pairing, the relay is
 * put back where the door wants it after a driver fault.
 */
import assert from 'node:assert/strict';
import { symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { fileNameFor } from '../../src/store/journal-segments.js';
import { issuedVisit, seedPeople, startRig, type TestRig } from '../fixtures/runtime.js';
import { ManualClock } from './manual-clock.js';

function sim(rig: TestRig) {
  const s = rig.rt.hardware.sim;
  if (!s) throw new Error('no simulated hardware');
  return s;
}

describe('door safety rules', () => {
  let rig: TestRig;
  let p: Awaited<ReturnType<typeof seedPeople>>;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock();
    rig = await startRig(
      { access: { escortWindowSeconds: 5 }, door: { unlockSeconds: 2 } },
      { doorTimers: clock },
    );
    p = await seedPeople(rig);
  });
  afterEach(async () => {
    await rig.stop();
  });

  it('while the fire alarm is active nobody can take the door out of emergency release', async () => {
    sim(rig).fireAlarm.set(true);
    assert.equal(rig.rt.door.getMode(), 'emergency_release');
    for (const mode of ['normal', 'lockdown']) {
      const seq = rig.rt.journal.seq;
      const r = await rig.inject({ method: 'POST', url: '/api/door/mode', token: p.kasi, payload: { mode } });
      assert.equal(r.statusCode, 409, r.body);
      assert.equal(r.json().error.code, 'fire_alarm_active');
      assert.equal(rig.rt.door.getMode(), 'emergency_release');
      assert.equal(rig.rt.relay.get(), true, 'still released');
      // (The roll call that the release opened may journal meanwhile; the refusal itself nothing.)
      const since = rig.rt.journal.read(seq, 100).filter((e) => !e.type.startsWith('rollcall.'));
      assert.deepEqual(since, [], 'a refused change journals nothing');
    }
    sim(rig).fireAlarm.set(false);
    assert.equal(rig.rt.door.getMode(), 'normal');
    assert.equal(rig.rt.relay.get(), false);
  });

  it('a remote unlock: never by an admin (not even in lockdown), by a superadmin with a reason', async () => {
    let r = await rig.inject({
      method: 'POST',
      url: '/api/door/mode',
      token: p.kasi,
      payload: { mode: 'lockdown' },
    });
    assert.equal(r.statusCode, 200, r.body);
    const seq = rig.rt.journal.seq;
    r = await rig.inject({
      method: 'POST',
      url: '/api/door/unlock',
      token: p.sari,
      payload: { reason: 'vendor' },
    });
    assert.equal(r.statusCode, 403, r.body);
    assert.equal(r.json().error.code, 'forbidden', 'an admin may not unlock remotely at all');
    assert.equal(rig.rt.relay.get(), false);
    assert.equal(rig.rt.journal.seq, seq);
    r = await rig.inject({ method: 'POST', url: '/api/door/unlock', token: p.kasi, payload: {} });
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(rig.rt.relay.get(), false, 'no reason, no unlock');
    r = await rig.inject({
      method: 'POST',
      url: '/api/door/unlock',
      token: p.kasi,
      payload: { reason: 'vendor at the door' },
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(rig.rt.relay.get(), true);
  });

  it('after the exit button, an escort tap from before no longer admits a visitor', async () => {
    await issuedVisit(rig, p);
    const entry = rig.rt.sim!.readers.get('entry')!;
    entry.present('nfc', p.budiUid); // escort in alone (solo entry)
    assert.equal(rig.rt.door.snapshot().inside.length, 1);
    sim(rig).exitButton.pulse(); // someone — maybe the escort — left by the button
    const outcomes: string[] = [];
    rig.rt.door.once('tap', (t) => outcomes.push(t.outcome));
    entry.present('nfc', p.visitorUid);
    assert.deepEqual(outcomes, ['pending'], 'the visitor waits for an escort instead of entering');
  });

  it('a superadmin goes between lockdown and emergency release only through normal', async () => {
    const mode = (m: string) =>
      rig.inject({ method: 'POST', url: '/api/door/mode', token: p.kasi, payload: { mode: m } });
    assert.equal((await mode('lockdown')).statusCode, 200);
    const seq = rig.rt.journal.seq;
    const r = await mode('emergency_release');
    assert.equal(r.statusCode, 409, r.body);
    assert.equal(r.json().error.code, 'mode_via_normal');
    assert.equal(rig.rt.door.getMode(), 'lockdown');
    assert.equal(rig.rt.relay.get(), false);
    assert.equal(rig.rt.journal.seq, seq, 'a refused change journals nothing');
    assert.equal((await mode('normal')).statusCode, 200);
    assert.equal((await mode('emergency_release')).statusCode, 200);
    assert.equal(rig.rt.relay.get(), true);
  });

  it('without a journal, only the fire input may release the door', async () => {
    const jdir = join(rig.dir, 'journal');
    rig.rt.journal.stop();
    const full = join(jdir, fileNameFor(rig.rt.journal.seq + 1));
    symlinkSync('/dev/full', full); // every append fails with ENOSPC
    rig.rt.journal.start();
    try {
      const kasi = { id: 'kasi', name: 'Kasi', role: 'superadmin', channel: 'http' } as const;
      assert.throws(
        () => rig.rt.door.setMode('emergency_release', kasi),
        (err: { code?: string }) => err.code === 'journal_unavailable',
      );
      assert.equal(rig.rt.door.getMode(), 'normal');
      assert.equal(rig.rt.relay.get(), false);
      sim(rig).fireAlarm.set(true);
      assert.equal(rig.rt.door.getMode(), 'emergency_release', 'the fire releases it unrecorded');
      assert.equal(rig.rt.relay.get(), true);
      // The fire clears while the disk is still full: the return cannot be recorded, so the door
      // stays released and keeps the mode to return to (the next start tries again).
      sim(rig).fireAlarm.set(false);
      assert.equal(rig.rt.door.getMode(), 'emergency_release');
    } finally {
      rig.rt.journal.stop();
      unlinkSync(full);
      rig.rt.journal.start();
    }
  });

  it('puts the relay back where the door wants it after a driver drops it', async () => {
    sim(rig).fireAlarm.set(true);
    rig.rt.relay.set(false); // a driver fault drops the line to locked
    clock.advance(1000); // the once-a-second watch
    assert.equal(rig.rt.relay.get(), true, 'released again in emergency release');
    sim(rig).fireAlarm.set(false);
    rig.rt.relay.set(true); // a stuck-open line while nothing allows it
    clock.advance(1000);
    assert.equal(rig.rt.relay.get(), false, 'locked again');
  });
});

describe('door safety rules across a restart', () => {
  it('a fire that cleared while the service was down returns the door to its earlier mode', async () => {
    const rig = await startRig({}, { doorTimers: new ManualClock() });
    const p = await seedPeople(rig);
    await rig.inject({ method: 'POST', url: '/api/door/mode', token: p.kasi, payload: { mode: 'lockdown' } });
    sim(rig).fireAlarm.set(true);
    assert.equal(rig.rt.door.getMode(), 'emergency_release');
    await rig.rt.stop();
    // Same data dir, fire input now inactive.
    const config = loadConfig({
      env: {},
      overrides: { dataDir: rig.dir, log: { level: 'silent' }, mqtt: { enabled: false } },
    });
    const rt2 = new Runtime({
      config,
      logger: createLogger('silent'),
      listen: false,
      doorTimers: new ManualClock(),
    });
    await rt2.start();
    try {
      assert.equal(rt2.door.getMode(), 'lockdown');
      assert.equal(rt2.relay.get(), false);
    } finally {
      await rt2.stop();
      rig.rt.stop = async () => undefined; // already stopped
      await rig.stop();
    }
  });
});
