/**
 * A clock that jumps (issue #11 §7), through the whole Runtime with the door's timers on a
 * hand-stepped clock and the wall clock set by hand: set back, the door notices, refuses visitors
 * and does not revive what had ended; jumped forward, nothing expires unless the monotonic clock
 * agrees; trust comes back by a superadmin's confirmation or a synchronised system clock.
 */
import assert from 'node:assert/strict';
import type { Credential } from '../../src/hardware/interfaces.js';
import { issuedVisit, seedPeople, startRig, type TestRig, visitRequest } from '../fixtures/runtime.js';
import { ManualClock } from './manual-clock.js';

const FAST = { door: { unlockSeconds: 0.2, heldOpenSeconds: 5 }, access: { escortWindowSeconds: 0.3 } };
const H = 3_600_000;
const GRACE = 15 * 60_000;
type People = Awaited<ReturnType<typeof seedPeople>>;

const nfc = (rig: TestRig, uid: string) =>
  rig.rt.door.onCredential({ kind: 'nfc', value: uid, readerId: 'entry' }, 'entry');
const qr = (rig: TestRig, value: string) =>
  rig.rt.door.onCredential({ kind: 'qr', value, readerId: 'entry' } as Credential, 'entry');
const ofType = (rig: TestRig, type: string) => rig.rt.journal.read(0, 100_000).filter((e) => e.type === type);

describe('door: a clock that jumps', function () {
  this.timeout(30_000);
  let rig: TestRig;
  let p: People;
  let visitId: string;
  let mono: ManualClock;
  let synced: boolean;

  beforeEach(async () => {
    mono = new ManualClock();
    synced = false;
    // startRig spreads these into the Runtime's options (timeSynchronised is one of them).
    const runtime = { doorTimers: mono, timeSynchronised: async () => synced };
    rig = await startRig(FAST, runtime);
    p = await seedPeople(rig);
    visitId = await issuedVisit(rig, p);
  });
  afterEach(async () => {
    await rig?.stop();
  });

  /** An hour passes (the door sees it on a poll), then the wall clock is set back by that hour. */
  function setBackAnHour(): void {
    rig.clock.advance(H);
    mono.advance(30_000);
    rig.clock.advance(-H);
  }

  it('set back an hour: alarm.clock_untrusted once, visitors refused clock_untrusted, staff still enter', () => {
    setBackAnHour();
    assert.deepEqual(nfc(rig, p.visitorUid), { outcome: 'deny', reason: 'clock_untrusted' });
    assert.deepEqual(nfc(rig, p.visitorUid), { outcome: 'deny', reason: 'clock_untrusted' });
    mono.advance(60_000); // polls look at the clock too
    const alarms = ofType(rig, 'alarm.clock_untrusted');
    assert.equal(alarms.length, 1, 'once per episode');
    assert.equal(alarms[0]?.data.toleranceSeconds, 120);
    // staffEntryOnUntrustedClock defaults to true: an escort enters alone.
    assert.equal(nfc(rig, p.budiUid).outcome, 'grant');
    const denied = ofType(rig, 'access.denied').filter((e) => e.data.reason === 'clock_untrusted');
    assert.equal(denied.length, 2);
  });

  it('staff may be refused too when access.staffEntryOnUntrustedClock is false', async () => {
    await rig.stop();
    mono = new ManualClock();
    rig = await startRig(
      { ...FAST, access: { ...FAST.access, staffEntryOnUntrustedClock: false } },
      {
        doorTimers: mono,
      },
    );
    p = await seedPeople(rig);
    setBackAnHour();
    assert.deepEqual(nfc(rig, p.budiUid), { outcome: 'deny', reason: 'clock_untrusted' });
  });

  it('a badge whose window ended is not revived by a clock set back, within the tolerance or past it', () => {
    rig.clock.advance(2 * H + GRACE + 60_000);
    assert.deepEqual(nfc(rig, p.visitorUid), { outcome: 'deny', reason: 'outside_window' });
    rig.clock.advance(-90_000); // inside the window again by the wall clock, inside the tolerance
    assert.deepEqual(nfc(rig, p.visitorUid), { outcome: 'deny', reason: 'outside_window' });
    assert.notEqual(nfc(rig, p.budiUid).outcome, 'pending');
    rig.clock.advance(-H);
    assert.equal(nfc(rig, p.visitorUid).outcome, 'deny');
    assert.equal(ofType(rig, 'access.granted').filter((e) => e.data.kind === 'visitor').length, 0);
  });

  it('an expired QR pass is not revived by a clock set back', async () => {
    const r = await rig.inject({
      method: 'POST',
      url: `/api/visits/${visitId}/passes`,
      token: p.sari,
      payload: {},
    });
    assert.equal(r.statusCode, 201, r.body);
    const text = rig.rt.passes.token(r.json().pass.id);
    rig.clock.advance(2 * H + GRACE + 60_000);
    assert.deepEqual(qr(rig, text), { outcome: 'deny', reason: 'pass_expired' });
    rig.clock.advance(-100_000);
    assert.deepEqual(qr(rig, text), { outcome: 'deny', reason: 'pass_expired' });
    rig.clock.advance(-H);
    assert.equal(qr(rig, text).outcome, 'deny');
    nfc(rig, p.budiUid);
    assert.equal(ofType(rig, 'access.granted').filter((e) => e.data.kind === 'visitor').length, 0);
  });

  it('a superadmin confirms the clock (reason required, journaled): trusted again', async () => {
    setBackAnHour();
    assert.equal(nfc(rig, p.visitorUid).outcome, 'deny');
    const url = '/api/door/clock/confirm';
    const admin = await rig.inject({ method: 'POST', url, token: p.sari, payload: { reason: 'x' } });
    assert.equal(admin.statusCode, 403);
    const none = await rig.inject({ method: 'POST', url, token: p.kasi, payload: { reason: ' ' } });
    assert.equal(none.statusCode, 400);
    assert.equal(none.json().error.code, 'reason_required');
    const ok = await rig.inject({
      method: 'POST',
      url,
      token: p.kasi,
      payload: { reason: 'checked the phone' },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().clock.trusted, true);
    const ev = ofType(rig, 'door.clock_trusted');
    assert.equal(ev.length, 1);
    assert.equal(ev[0]?.data.source, 'confirmed');
    assert.equal(ev[0]?.data.reason, 'checked the phone');
    assert.deepEqual(nfc(rig, p.visitorUid), { outcome: 'pending', awaiting: 'escort' });
    assert.equal(nfc(rig, p.budiUid).outcome, 'grant');
    const state = await rig.inject({ method: 'GET', url: '/api/door', token: p.sari });
    assert.equal(state.json().clock.trusted, true);
  });

  it('a synchronised system clock ends the episode', async () => {
    setBackAnHour();
    assert.equal(nfc(rig, p.visitorUid).outcome, 'deny');
    mono.advance(30_000);
    await new Promise((r) => setImmediate(r));
    assert.equal(rig.rt.door.clockStatus().trusted, false, 'not synchronised: still untrusted');
    synced = true;
    mono.advance(30_000);
    await new Promise((r) => setImmediate(r));
    assert.equal(rig.rt.door.clockStatus().trusted, true);
    assert.equal(ofType(rig, 'door.clock_trusted')[0]?.data.source, 'synchronised');
  });

  it('forward a day for one minute, then back: no visit expires; while untrusted nothing expires', async () => {
    const v = await rig.inject({
      method: 'POST',
      url: '/api/visits',
      token: p.sari,
      payload: visitRequest(rig.clock.now),
    });
    const id = v.json().visit.id as string;
    rig.clock.advance(24 * H);
    mono.advance(60_000);
    assert.deepEqual(await rig.rt.visits.sweep(), { expired: 0, archived: 0 });
    rig.clock.advance(-24 * H);
    assert.deepEqual(await rig.rt.visits.sweep(), { expired: 0, archived: 0 });
    assert.equal(rig.rt.store.visit(id)?.state, 'submitted');
    assert.equal(ofType(rig, 'visit.expired').length, 0);
  });

  it('the SLA report never shows a negative duration after a clock set back', async () => {
    const v = await rig.inject({
      method: 'POST',
      url: '/api/visits',
      token: p.sari,
      payload: visitRequest(rig.clock.now),
    });
    const id = v.json().visit.id as string;
    rig.clock.advance(-H);
    const ver = await rig.inject({
      method: 'POST',
      url: `/api/visits/${id}/verify`,
      token: p.sari,
      payload: { formComplete: true, ktpHeld: true, ktpTray: 'A1' },
    });
    assert.equal(ver.statusCode, 200, ver.body);
    const sla = await rig.inject({ method: 'GET', url: '/api/reports/sla', token: p.sari });
    const row = sla.json().visits.find((r: { visitId: string }) => r.visitId === id);
    assert.equal(row.submitToVerifySeconds, 0);
    assert.ok(sla.json().submitToVerify.maxSeconds >= 0);
  });
});
