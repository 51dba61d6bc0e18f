/** The emergency roll call: opens with emergency_release, lists who is inside and whose KTP is held, marks, closes with a report. */
import assert from 'node:assert/strict';
import type { JournalEvent } from '../../../src/domain/events.js';
import { issuedVisit, seedPeople, startRig, type TestRig, visitRequest } from '../../fixtures/runtime.js';

describe('roll calls', () => {
  let rig: TestRig;
  let p: Awaited<ReturnType<typeof seedPeople>>;
  before(async () => {
    rig = await startRig();
    p = await seedPeople(rig);
  });
  after(async () => rig?.stop());

  const post = async (url: string, token: string, payload: object = {}) =>
    rig.inject({ method: 'POST', url, token, payload });
  const events = (type: string): JournalEvent[] =>
    rig.rt.journal.read(0, 10_000).filter((e) => e.type === type);

  it('opens by itself on emergency_release with everyone inside and every held KTP; marks several at once; closes with a report', async () => {
    const inside = await issuedVisit(rig, p);
    for (const uid of [p.visitorUid, p.budiUid]) {
      assert.equal((await post('/api/sim/tap', p.sari, { reader: 'entry', uid })).statusCode, 200);
    }
    // a second visit, verified only: its KTP is in a tray, the visitor somewhere in the building
    const other = (
      await post(
        '/api/visits',
        p.sari,
        visitRequest(rig.clock.now, {
          visitor: {
            name: 'Citra',
            nik: '3319015508850002',
            organisation: 'CV Kudus',
            phone: '081200000000',
          },
        }),
      )
    ).json().visit.id as string;
    assert.equal(
      (
        await post(`/api/visits/${other}/verify`, p.sari, {
          formComplete: true,
          ktpHeld: true,
          ktpTray: 'B2',
        })
      ).statusCode,
      200,
    );

    assert.equal(
      (await rig.inject({ method: 'GET', url: '/api/roll-calls/current', token: p.sari })).json().rollCall,
      null,
    );
    assert.equal(
      (await post('/api/door/mode', p.kasi, { mode: 'emergency_release', reason: 'alarm kebakaran' }))
        .statusCode,
      200,
    );

    let rc = (await rig.inject({ method: 'GET', url: '/api/roll-calls/current', token: p.sari })).json()
      .rollCall;
    for (let i = 0; !rc && i < 100; i++) {
      await new Promise((r) => setImmediate(r));
      rc = (await rig.inject({ method: 'GET', url: '/api/roll-calls/current', token: p.sari })).json()
        .rollCall;
    }
    assert.equal(rc.trigger, 'emergency_release');
    assert.equal(rc.open, true);
    const by = (reason: string) =>
      rc.people
        .filter((x: { reason: string }) => x.reason === reason)
        .map((x: { visitId: string | null; badgeId: string | null }) => x.visitId ?? x.badgeId);
    assert.deepEqual(by('inside').sort(), [inside, p.budiBadge].sort());
    assert.deepEqual(by('ktp_held'), [other]);
    assert.equal(JSON.stringify(rc).includes('3319'), false, 'no NIK on the roll call');
    assert.equal(events('rollcall.opened').length, 1);

    // a second one while it is open: refused
    const dup = await post('/api/roll-calls', p.sari);
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().error.code, 'roll_call_open');

    // an id not on the list changes nothing
    const bad = await post(`/api/roll-calls/${rc.id}/mark`, p.budi, { badgeIds: ['bdg_nope'], safe: true });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'validation_failed');
    assert.equal(events('rollcall.marked').length, 0);

    const marked = await post(`/api/roll-calls/${rc.id}/mark`, p.budi, {
      badgeIds: [p.budiBadge],
      visitIds: [inside],
      safe: true,
    });
    assert.equal(marked.statusCode, 200, marked.body);
    assert.equal(marked.json().rollCall.safe, 2);

    const closed = await post(`/api/roll-calls/${rc.id}/close`, p.sari);
    assert.equal(closed.statusCode, 200);
    assert.equal(closed.json().rollCall.open, false);
    const report = events('rollcall.closed')[0]?.data as {
      total: number;
      safe: number;
      unaccounted: { visitId: string }[];
    };
    assert.equal(report.total, 3);
    assert.equal(report.safe, 2);
    assert.deepEqual(
      report.unaccounted.map((u) => u.visitId),
      [other],
    );

    const again = await post(`/api/roll-calls/${rc.id}/mark`, p.budi, { visitIds: [other], safe: true });
    assert.equal(again.json().error.code, 'roll_call_closed');
  });

  it('an admin can call one by hand; it survives a restart of the service', async () => {
    const open = await post('/api/roll-calls', p.sari);
    assert.equal(open.statusCode, 201);
    const id = open.json().rollCall.id as string;
    assert.equal(open.json().rollCall.trigger, 'manual');
    const { RollCallService } = await import('../../../src/services/roll-call-service.js');
    const fresh = new RollCallService({
      door: rig.rt.door,
      journal: rig.rt.journal,
      ktp: rig.rt.ktp,
      dataDir: rig.dir,
      clock: () => rig.clock.now,
    });
    await fresh.start();
    assert.equal(fresh.get()?.id, id);
    fresh.stop();
    assert.equal((await post(`/api/roll-calls/${id}/close`, p.sari)).statusCode, 200);
  });
});
