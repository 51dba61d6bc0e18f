/** GET /api/visits filters and paging, and GET /api/visits/register rows. */
import assert from 'node:assert/strict';
import { issuedVisit, seedPeople, startRig, type TestRig, visitRequest } from '../../fixtures/runtime.js';

describe('GET /api/visits (filters, paging) and /api/visits/register', () => {
  let rig: TestRig;
  let p: Awaited<ReturnType<typeof seedPeople>>;
  let issued: string;
  const day = 86_400_000;
  before(async () => {
    rig = await startRig();
    p = await seedPeople(rig);
    issued = await issuedVisit(rig, p);
    // five more, on later days, two from one organisation
    for (let i = 1; i <= 5; i++) {
      const start = new Date(rig.clock.now.getTime() + i * day);
      const req = visitRequest(rig.clock.now, {
        window: { start: start.toISOString(), end: new Date(start.getTime() + 3_600_000).toISOString() },
        letterNumber: `00${i}/SRT/2026`,
        ticketRef: `HD-${i}`,
        visitor: {
          name: `Tamu ${i}`,
          nik: '3319015508850002',
          organisation: i <= 2 ? 'PT Muria Data' : 'CV Lain',
          phone: '081200000000',
        },
      });
      const r = await rig.inject({ method: 'POST', url: '/api/visits', token: p.sari, payload: req });
      assert.equal(r.statusCode, 201, r.body);
    }
  });
  after(async () => rig?.stop());

  const get = (url: string) => rig.inject({ method: 'GET', url, token: p.sari });

  it('pages with a total', async () => {
    const a = (await get('/api/visits?limit=2')).json();
    assert.equal(a.total, 6);
    assert.equal(a.visits.length, 2);
    const b = (await get('/api/visits?limit=2&offset=5')).json();
    assert.equal(b.visits.length, 1);
    const all = (await get('/api/visits')).json();
    assert.equal(all.visits.length, 6);
    assert.deepEqual(
      [...a.visits, ...(await get('/api/visits?limit=2&offset=2')).json().visits].map(
        (v: { id: string }) => v.id,
      ),
      all.visits.slice(0, 4).map((v: { id: string }) => v.id),
    );
  });

  it('filters by state, text (any case) and window-start dates', async () => {
    assert.equal((await get('/api/visits?state=badge_issued')).json().total, 1);
    assert.equal((await get('/api/visits?q=muria%20DATA')).json().total, 2);
    assert.equal((await get('/api/visits?q=003%2Fsrt')).json().total, 1);
    assert.equal((await get('/api/visits?q=hd-5')).json().total, 1);
    const from = new Date(rig.clock.now.getTime() + 2.5 * day).toISOString();
    assert.equal((await get(`/api/visits?from=${from}`)).json().total, 3);
    const to = new Date(rig.clock.now.getTime() + 1.5 * day).toISOString();
    assert.equal((await get(`/api/visits?to=${to}`)).json().total, 2);
  });

  it('refuses an unknown state, a bad date and a limit over 200 with validation_failed', async () => {
    for (const url of [
      '/api/visits?state=nope',
      '/api/visits?from=yesterday',
      '/api/visits?limit=201',
      '/api/visits?offset=-1',
    ]) {
      const res = await get(url);
      assert.equal(res.statusCode, 400, url);
      assert.equal(res.json().error.code, 'validation_failed', url);
    }
  });

  it('register rows carry names, door times and devices, and no NIK or phone', async () => {
    const res = (await get('/api/visits/register?q=andi')).json();
    assert.equal(res.total, 1);
    const row = res.rows[0];
    assert.equal(row.visitId, issued);
    assert.equal(row.verifiedBy, 'sari');
    assert.equal(row.approvedBy, 'Kepala Seksi');
    assert.deepEqual(row.escorts, ['budi']);
    assert.equal(row.letterNumber, '005/123/2026');
    assert.equal(row.devicesIn.length, 1);
    assert.equal(row.firstEntryAt, null);
    assert.doesNotMatch(JSON.stringify(res), /3319|0812/);
    // the register is by visit date, latest first
    const all = (await get('/api/visits/register')).json().rows as { window: { start: string } }[];
    const starts = all.map((r) => r.window.start);
    assert.deepEqual(starts, [...starts].sort().reverse());
  });

  it('records the first entry and the last exit at the door on the register row', async () => {
    for (const [reader, uid] of [
      ['entry', p.visitorUid],
      ['entry', p.budiUid],
      ['exit', p.visitorUid],
    ] as const) {
      const r = await rig.inject({
        method: 'POST',
        url: '/api/sim/tap',
        token: p.sari,
        payload: { reader, uid },
      });
      assert.equal(r.statusCode, 200);
    }
    let row: { firstEntryAt: string | null; exitAt: string | null } | undefined;
    for (let i = 0; i < 100 && !row?.exitAt; i++) {
      await new Promise((r) => setImmediate(r));
      row = (await get('/api/visits/register?q=andi')).json().rows[0];
    }
    assert.ok(row?.firstEntryAt);
    assert.ok(row?.exitAt);
  });
});
