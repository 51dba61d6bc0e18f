/** The procedure's exceptions over HTTP: KTP custody ledger, a badge not returned, a device left inside. */
import assert from 'node:assert/strict';
import { issuedVisit, seedPeople, startRig, type TestRig } from '../../fixtures/runtime.js';

describe('KTP custody, lost badges and devices left inside', () => {
  let rig: TestRig;
  let p: Awaited<ReturnType<typeof seedPeople>>;
  before(async () => {
    rig = await startRig();
    p = await seedPeople(rig);
  });
  after(async () => rig?.stop());

  const post = (url: string, token: string, payload: object = {}) =>
    rig.inject({ method: 'POST', url, token, payload });
  const held = async () =>
    (await rig.inject({ method: 'GET', url: '/api/ktp', token: p.sari })).json().held as {
      visitId: string;
      tray: string;
      visitor: string;
      keptReason: string | null;
    }[];
  const types = (visitId: string) =>
    rig.rt.journal
      .read(0, 10_000)
      .filter((e) => e.data.visitId === visitId)
      .map((e) => e.type);
  const checkOut = {
    devicesOut: [{ type: 'laptop', model: 'ThinkPad T14', serial: 'PF3ABC12' }],
    badgeReturned: true,
    ktpReturned: true,
  };

  it('verification without a tray is refused with ktp_tray_required and changes nothing', async () => {
    const id = (
      await post(
        '/api/visits',
        p.sari,
        (await import('../../fixtures/runtime.js')).visitRequest(rig.clock.now),
      )
    ).json().visit.id as string;
    const res = await post(`/api/visits/${id}/verify`, p.sari, { formComplete: true, ktpHeld: true });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'ktp_tray_required');
    assert.match(res.json().error.message, /KTP/);
    assert.equal(rig.rt.store.visit(id)?.state, 'submitted');
  });

  it('lists a held KTP by name and tray (no NIK) until check-out returns it', async () => {
    const id = await issuedVisit(rig, p);
    const entry = (await held()).find((h) => h.visitId === id);
    assert.equal(entry?.tray, 'A1');
    assert.equal(entry?.visitor, 'Andi Pratama');
    assert.equal(JSON.stringify(await held()).includes('3319'), false);
    assert.equal((await post(`/api/visits/${id}/check-out`, p.sari, checkOut)).statusCode, 200);
    assert.equal(
      (await held()).some((h) => h.visitId === id),
      false,
    );
    const t = types(id);
    assert.ok(t.includes('ktp.received') && t.includes('ktp.returned'), t.join());
    // nothing left to return
    const again = await post(`/api/visits/${id}/ktp-return`, p.sari);
    assert.equal(again.json().error.code, 'ktp_not_held');
  });

  it('a KTP kept back is a ledger entry with a reason, returned later; the visit closes meanwhile', async () => {
    const id = await issuedVisit(rig, p);
    const early = await post(`/api/visits/${id}/ktp-return`, p.sari);
    assert.equal(early.statusCode, 409);
    assert.equal(early.json().error.code, 'ktp_return_too_early');
    const res = await post(`/api/visits/${id}/check-out`, p.sari, {
      ...checkOut,
      ktpReturned: false,
      ktpKeptReason: 'pengunjung lupa, diambil besok',
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((await post(`/api/visits/${id}/close`, p.sari)).json().visit.state, 'closed');
    assert.equal((await held()).find((h) => h.visitId === id)?.keptReason, 'pengunjung lupa, diambil besok');
    const back = await post(`/api/visits/${id}/ktp-return`, p.budi, { note: 'diambil sendiri' });
    assert.equal(back.statusCode, 200);
    assert.ok(back.json().visit.ktp.returnedAt);
    assert.equal(
      (await held()).some((h) => h.visitId === id),
      false,
    );
    const ev = rig.rt.journal
      .read(0, 10_000)
      .filter((e) => e.data.visitId === id && e.type.startsWith('ktp.'));
    assert.deepEqual(
      ev.map((e) => e.type),
      ['ktp.received', 'ktp.kept', 'ktp.returned'],
    );
    assert.equal(ev[2]?.data.late, true);
  });

  it('a badge not returned: only a superadmin with a note; the badge is deactivated, lost and out of the pool', async () => {
    const id = await issuedVisit(rig, p);
    const res = await post(`/api/visits/${id}/check-out`, p.kasi, {
      ...checkOut,
      badgeReturned: false,
      badgeNote: 'dibawa pulang',
    });
    assert.equal(res.statusCode, 200, res.body);
    const badge = rig.rt.store.badge(p.visitorBadge);
    assert.equal(badge?.active, false);
    assert.equal(badge?.lost?.visitId, id);
    assert.ok(types(id).includes('badge.lost'));
    assert.equal((await post(`/api/visits/${id}/close`, p.sari)).json().visit.state, 'closed');
    // it cannot be issued again
    const next = (
      await post(
        '/api/visits',
        p.sari,
        (await import('../../fixtures/runtime.js')).visitRequest(rig.clock.now),
      )
    ).json().visit.id;
    await post(`/api/visits/${next}/verify`, p.sari, { formComplete: true, ktpHeld: true, ktpTray: 'C3' });
    await post(`/api/visits/${next}/approve`, p.kasi);
    const issue = await post(`/api/visits/${next}/issue-badge`, p.sari, {
      badgeId: p.visitorBadge,
      escortIds: [p.budiId],
    });
    assert.equal(issue.json().error.code, 'badge_unavailable');
  });

  it('a device brought in and not carried out needs a note (visit.device_left_inside)', async () => {
    // the visitor badge is lost now: register another for this visit
    const b = await post('/api/badges', p.sari, { uid: 'C1C2C3C4', label: 'TAMU-02', kind: 'visitor' });
    const badgeId = b.json().badge.id as string;
    const fixtures = await import('../../fixtures/runtime.js');
    const id = (await post('/api/visits', p.sari, fixtures.visitRequest(rig.clock.now))).json().visit
      .id as string;
    await post(`/api/visits/${id}/verify`, p.sari, { formComplete: true, ktpHeld: true, ktpTray: 'A2' });
    await post(`/api/visits/${id}/approve`, p.kasi);
    await post(`/api/visits/${id}/issue-badge`, p.sari, { badgeId, escortIds: [p.budiId] });
    const silent = await post(`/api/visits/${id}/check-out`, p.sari, { ...checkOut, devicesOut: [] });
    assert.equal(silent.statusCode, 409);
    assert.equal(silent.json().error.code, 'device_left_inside');
    assert.deepEqual(silent.json().error.details.serials, ['PF3ABC12']);
    assert.equal(rig.rt.store.visit(id)?.state, 'badge_issued');
    const ok = await post(`/api/visits/${id}/check-out`, p.sari, {
      ...checkOut,
      devicesOut: [],
      devicesLeft: [{ serial: 'PF3ABC12', note: 'server baru, rak 2' }],
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().visit.devicesLeft[0].note, 'server baru, rak 2');
    assert.ok(types(id).includes('visit.device_left_inside'));
  });
});
