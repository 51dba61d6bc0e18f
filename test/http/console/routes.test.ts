/**
 * The console's routes through inject(): CSRF, the app-wide Origin check, who may open which
 * page, escaping of visitor input, CSV neutralisation, the public form's rate limit, cookies.
 */
import assert from 'node:assert/strict';
import { issuedVisit, seedPeople, startRig, type TestRig, visitRequest } from '../../fixtures/runtime.js';
import { ConsoleClient } from './console-client.js';

type People = Awaited<ReturnType<typeof seedPeople>>;

describe('console routes', () => {
  let rig: TestRig;
  let p: People;
  let visitId: string;
  let kasi: ConsoleClient;
  let sari: ConsoleClient;

  before(async () => {
    rig = await startRig();
    p = await seedPeople(rig);
    visitId = await issuedVisit(rig, p);
    kasi = await new ConsoleClient(rig).signIn('kasi', 'kasi-password-1');
    sari = await new ConsoleClient(rig).signIn('sari', 'sari-password-1');
  });
  after(async () => rig.stop());

  const submitted = async (extra: Record<string, unknown> = {}) => {
    const r = await rig.inject({
      method: 'POST',
      url: '/api/visits',
      token: p.sari,
      payload: visitRequest(rig.clock.now, extra),
    });
    assert.equal(r.statusCode, 201, r.body);
    return r.json().visit.id as string;
  };
  const stateOf = (id: string) => rig.rt.visits.get(id).state;

  describe('CSRF', () => {
    it('refuses a console form without a token or with a forged one, and changes nothing', async () => {
      const id = await submitted();
      const form = { formComplete: 'true', ktpHeld: 'true', ktpTray: 'A1' };
      const missing = await sari.post(`/console/visits/${id}/verify`, form, { csrf: null });
      assert.equal(missing.statusCode, 403);
      assert.match(missing.body, /csrf_invalid/);
      assert.match(missing.body, /Formulir kedaluwarsa/);
      const forged = await sari.post(`/console/visits/${id}/verify`, form, { csrf: 'x'.repeat(43) });
      assert.equal(forged.statusCode, 403);
      // Another session's token is no token for this one.
      const foreign = await sari.post(`/console/visits/${id}/verify`, form, { csrf: kasi.csrf });
      assert.equal(foreign.statusCode, 403);
      assert.equal(stateOf(id), 'submitted');
      const ok = await sari.post(`/console/visits/${id}/verify`, form);
      assert.equal(ok.statusCode, 303, ok.body);
      assert.equal(stateOf(id), 'verified');
    });

    it('accepts the token in the x-csrf-token header (htmx)', async () => {
      const id = await submitted();
      const res = await sari.post(
        `/console/visits/${id}/cancel`,
        { reason: 'Batal lewat htmx' },
        { csrf: null, headers: { 'x-csrf-token': sari.csrf! } },
      );
      assert.equal(res.statusCode, 303);
      assert.equal(stateOf(id), 'cancelled');
    });

    it('the sign-in form is a double-submit cookie: no cookie, no sign-in', async () => {
      const c = new ConsoleClient(rig);
      const page = await c.get('/');
      assert.equal(page.statusCode, 200);
      assert.ok(c.cookies.get('jk_csrf'));
      const form = { username: 'sari', password: 'sari-password-1' };
      const withoutCookie = new ConsoleClient(rig);
      withoutCookie.csrf = c.csrf;
      assert.equal((await withoutCookie.post('/console/sign-in', form)).statusCode, 403);
      const res = await c.post('/console/sign-in', form);
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/console/queue');
      const cookie = String(res.headers['set-cookie']);
      assert.match(cookie, /jk_session=[^;]+; HttpOnly; SameSite=Strict; Path=\//);
      assert.doesNotMatch(cookie, /Secure/, 'plain http: no Secure flag');
    });
  });

  describe('Origin check', () => {
    it('refuses a foreign Origin on the JSON API (POST /api/door/unlock) with origin_refused', async () => {
      const before = rig.rt.journal.seq;
      const res = await rig.inject({
        method: 'POST',
        url: '/api/door/unlock',
        token: p.kasi,
        headers: { origin: 'https://evil.example' },
      });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'origin_refused');
      assert.equal(rig.rt.journal.seq, before, 'nothing journaled');
    });

    it('refuses a foreign Referer when there is no Origin, and Origin "null"', async () => {
      for (const headers of [{ referer: 'http://evil.example/page' }, { origin: 'null' }]) {
        const res = await rig.inject({ method: 'POST', url: '/api/door/unlock', token: p.kasi, headers });
        assert.equal(res.statusCode, 403);
        assert.equal(res.json().error.code, 'origin_refused');
      }
    });

    it('lets a Bearer client without Origin, and a same-host Origin, through', async () => {
      const bare = await rig.inject({
        method: 'POST',
        url: '/api/door/unlock',
        token: p.kasi,
        payload: { reason: 'vendor' },
      });
      assert.equal(bare.statusCode, 200, bare.body);
      const same = await rig.inject({
        method: 'POST',
        url: '/api/door/unlock',
        token: p.kasi,
        headers: { origin: 'http://localhost:80', host: 'localhost:80' },
        payload: { reason: 'vendor' },
      });
      assert.equal(same.statusCode, 200, same.body);
    });

    it('refuses a foreign Origin on a console form even with a valid CSRF token', async () => {
      const id = await submitted();
      const res = await sari.post(
        `/console/visits/${id}/cancel`,
        { reason: 'x' },
        { headers: { origin: 'https://evil.example' } },
      );
      assert.equal(res.statusCode, 403);
      assert.match(res.body, /origin_refused/);
      assert.match(res.body, /Permintaan dari situs lain ditolak/);
      assert.equal(stateOf(id), 'submitted');
    });
  });

  describe('who sees which page', () => {
    const publicPages = ['/', '/request', '/console/request', '/console/sign-in'];
    const staffPages = () => [
      '/console/queue',
      `/console/visits/${visitId}`,
      `/console/visits/${visitId}/pass`,
      '/console/door',
      '/console/register',
      '/console/register.csv',
      '/console/roll-call',
    ];

    it('public: public pages 200, staff pages 302 to sign-in (and back)', async () => {
      const c = new ConsoleClient(rig);
      for (const url of publicPages) assert.equal((await c.get(url)).statusCode, 200, url);
      for (const url of staffPages()) {
        const res = await c.get(url);
        assert.equal(res.statusCode, 302, url);
        assert.match(String(res.headers.location), /^\/console\/sign-in\?next=%2Fconsole%2F/);
      }
    });

    it('admin and superadmin: every staff page 200, no-store', async () => {
      for (const c of [sari, kasi]) {
        for (const url of staffPages()) {
          const res = await c.get(url);
          assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 200)}`);
          assert.equal(res.headers['cache-control'], 'no-store');
        }
      }
    });

    it('admin: refused 403 on the Super Admin forms; sees no mode buttons', async () => {
      const door = await sari.get('/console/door');
      assert.doesNotMatch(door.body, /name="mode"/);
      const mode = await sari.post('/console/door/mode', { mode: 'lockdown', reason: 'x', confirm: 'true' });
      assert.equal(mode.statusCode, 403);
      assert.match(mode.body, /Anda tidak berwenang/);
      assert.equal(rig.rt.door.getMode(), 'normal');
      const unlock = await sari.post('/console/door/unlock', { reason: 'x' });
      assert.equal(unlock.statusCode, 403);
      const id = await submitted();
      await sari.post(`/console/visits/${id}/verify`, {
        formComplete: 'true',
        ktpHeld: 'true',
        ktpTray: 'B2',
      });
      const approve = await sari.post(`/console/visits/${id}/approve`, {});
      assert.equal(approve.statusCode, 403);
      assert.equal(stateOf(id), 'verified');
    });

    it('superadmin: mode change needs reason and confirmation, then goes through door.setMode', async () => {
      const noConfirm = await kasi.post('/console/door/mode', { mode: 'lockdown', reason: 'uji' });
      assert.equal(noConfirm.statusCode, 409);
      assert.equal(rig.rt.door.getMode(), 'normal');
      const ok = await kasi.post('/console/door/mode', { mode: 'lockdown', reason: 'uji', confirm: 'true' });
      assert.equal(ok.statusCode, 303);
      assert.equal(rig.rt.door.getMode(), 'lockdown');
      await kasi.post('/console/door/mode', { mode: 'normal', reason: 'selesai', confirm: 'true' });
      assert.equal(rig.rt.door.getMode(), 'normal');
    });

    it('the stream and the CSV go through the same auth hook', async () => {
      const anon = new ConsoleClient(rig);
      assert.equal((await anon.get('/console/door/stream')).statusCode, 302);
      const api = await rig.inject({ method: 'GET', url: '/console/register.csv' });
      assert.equal(api.statusCode, 302);
    });
  });

  describe('visitor input', () => {
    it('renders a script in a visitor name escaped', async () => {
      const xss = '<script>alert(1)</script><img src=x onerror=alert(2)>';
      const id = await submitted({
        visitor: { name: xss, nik: '3319014507900003', organisation: '"><b>x</b>', phone: '081234567890' },
      });
      for (const url of ['/console/queue', `/console/visits/${id}`, '/console/register']) {
        const res = await sari.get(url);
        assert.equal(res.statusCode, 200);
        assert.doesNotMatch(res.body, /<script>alert/);
        assert.doesNotMatch(res.body, /<img src=x/);
        assert.doesNotMatch(res.body, /"><b>x<\/b>/);
        assert.match(res.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
      }
    });

    it('neutralises CSV cells that start with = + - @', async () => {
      await submitted({
        visitor: {
          name: '=HYPERLINK("http://evil","klik")',
          nik: '3319014507900003',
          organisation: '+62 Sumber',
          phone: '081234567890',
        },
        purpose: '-1+2',
        letterNumber: '@SUM(A1)',
      });
      const res = await sari.get('/console/register.csv');
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/csv/);
      const line = res.body.split('\r\n').find((l) => l.includes('HYPERLINK'));
      assert.ok(line, 'the visit is in the CSV');
      assert.match(line, /^"'=HYPERLINK\(""http:\/\/evil"",""klik""\)"/);
      assert.match(line, /,'\+62 Sumber,/);
      assert.match(line, /,'-1\+2,/);
      assert.match(line, /,'@SUM\(A1\),/);
      assert.doesNotMatch(res.body, /3319014507900003/, 'NIK masked');
    });

    it('a refused step re-renders with the Indonesian message and changes nothing', async () => {
      const id = await submitted();
      const res = await sari.post(`/console/visits/${id}/verify`, { formComplete: 'true' });
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /Wajib diisi/);
      assert.match(res.body, /aria-invalid="true"/);
      assert.equal(stateOf(id), 'submitted');
      const cancel = await sari.post(`/console/visits/${id}/cancel`, { reason: '' });
      assert.equal(cancel.statusCode, 400);
      assert.match(cancel.body, /Alasan wajib diisi/);
      assert.equal(stateOf(id), 'submitted');
    });
  });

  describe('language', () => {
    it('?lang=en sets jk_lang and redirects without it; pages then speak English', async () => {
      const c = new ConsoleClient(rig);
      const res = await c.get('/request?lang=en');
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/request');
      assert.match(String(res.headers['set-cookie']), /jk_lang=en/);
      const page = await c.get('/request');
      assert.match(page.body, /<html lang="en">/);
    });
  });
});

describe('console public form rate limit and TLS cookies', () => {
  let rig: TestRig;
  before(async () => {
    rig = await startRig({ http: { trustProxy: true } });
  });
  after(async () => rig.stop());

  it('answers 429 with an Indonesian page after too many posts from one address', async () => {
    const c = new ConsoleClient(rig);
    await c.get('/request');
    let last = 0;
    let body = '';
    for (let i = 0; i < 25 && last !== 429; i++) {
      const res = await c.post('/console/request', { name: 'Coba' });
      last = res.statusCode;
      body = res.body;
    }
    assert.equal(last, 429);
    assert.match(body, /Terlalu banyak percobaan/);
    assert.match(body, /<html lang="id">/);
    assert.equal(rig.rt.visits.list().length, 0);
  });

  it('marks cookies Secure and asks for https upgrades when the proxy says TLS', async () => {
    const c = new ConsoleClient(rig, { 'x-forwarded-proto': 'https' });
    const res = await c.get('/console/sign-in');
    assert.match(
      String(res.headers['set-cookie']),
      /jk_csrf=[^;]+; HttpOnly; SameSite=Strict; Path=\/; Secure/,
    );
    assert.match(String(res.headers['content-security-policy']), /upgrade-insecure-requests/);
    const plain = await new ConsoleClient(rig).get('/console/sign-in');
    assert.doesNotMatch(String(plain.headers['content-security-policy']), /upgrade-insecure-requests/);
  });
});
