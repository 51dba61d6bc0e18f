/** Happy paths through the HTTP API, driven with inject() on a whole jurukunci (test/fixtures). */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedPeople, startRig, type TestRig, VALID_NIK, visitRequest } from '../fixtures/runtime.js';
import { isConsoleRoute } from './console/console-client.js';
import {
  allEvents,
  assertError,
  issued,
  type People,
  post,
  registeredRoutes,
  submittedVisit,
} from './helpers.js';

const PHONE = '081234567890';

describe('HTTP API happy paths', () => {
  describe('first start and sessions', () => {
    let rig: TestRig;
    before(async () => {
      rig = await startRig();
    });
    after(async () => {
      await rig?.stop();
    });

    it('setup: a wrong token is refused, the right one works once, then 409 setup_closed', async () => {
      const body = { username: 'kasi', displayName: 'Kepala Seksi', password: 'kasi-password-1' };
      assert.ok(rig.setupToken.length >= 16);
      const wrong = await rig.inject({
        method: 'POST',
        url: '/api/setup',
        payload: { ...body, token: 'nope' },
      });
      assertError(wrong, 401, 'setup_token_invalid');
      const ok = await rig.inject({
        method: 'POST',
        url: '/api/setup',
        payload: { ...body, token: rig.setupToken },
      });
      assert.equal(ok.statusCode, 201, ok.body);
      assert.equal(ok.json().user.role, 'superadmin');
      assert.equal(ok.json().user.passwordHash, undefined);
      const again = await rig.inject({
        method: 'POST',
        url: '/api/setup',
        payload: { ...body, username: 'kasi2', token: rig.setupToken },
      });
      assertError(again, 409, 'setup_closed');
      assert.equal(rig.rt.users.list().length, 1);
    });

    it('login returns a token and sets an HttpOnly cookie; both work', async () => {
      const res = await rig.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'kasi', password: 'kasi-password-1' },
      });
      assert.equal(res.statusCode, 200, res.body);
      const { token, user } = res.json();
      assert.equal(typeof token, 'string');
      assert.ok(token.length >= 32);
      assert.equal(user.username, 'kasi');
      assert.equal(user.passwordHash, undefined);
      const setCookie = String(res.headers['set-cookie']);
      assert.match(setCookie, new RegExp(`^jk_session=${token};`));
      assert.match(setCookie, /; HttpOnly/);
      assert.match(setCookie, /; SameSite=Strict/);
      assert.match(setCookie, /; Path=\//);

      const viaBearer = await rig.inject({ method: 'GET', url: '/api/auth/me', token });
      assert.equal(viaBearer.statusCode, 200);
      assert.equal(viaBearer.json().user.username, 'kasi');
      const viaCookie = await rig.inject({
        method: 'GET',
        url: '/api/auth/me',
        headers: { cookie: `other=1; jk_session=${encodeURIComponent(token)}` },
      });
      assert.equal(viaCookie.statusCode, 200, viaCookie.body);
      assert.equal(viaCookie.json().user.username, 'kasi');
    });

    it('logout revokes the session (bearer and cookie) and clears the cookie', async () => {
      const token = await rig.login('kasi', 'kasi-password-1');
      const other = await rig.login('kasi', 'kasi-password-1');
      const out = await rig.inject({ method: 'POST', url: '/api/auth/logout', token });
      assert.equal(out.statusCode, 200);
      assert.match(String(out.headers['set-cookie']), /^jk_session=;.*Max-Age=0/);
      assertError(await rig.inject({ method: 'GET', url: '/api/auth/me', token }), 401, 'unauthenticated');
      const cookie = await rig.inject({
        method: 'GET',
        url: '/api/auth/me',
        headers: { cookie: `jk_session=${token}` },
      });
      assertError(cookie, 401, 'unauthenticated');
      // only that session: another login of the same user still works
      assert.equal((await rig.inject({ method: 'GET', url: '/api/auth/me', token: other })).statusCode, 200);
    });
  });

  describe('the procedure', () => {
    let rig: TestRig;
    let p: People;
    before(async () => {
      rig = await startRig();
      p = await seedPeople(rig);
    });
    after(async () => {
      await rig?.stop();
    });

    it('visit responses and lists never carry the full NIK or phone', async () => {
      const created = await rig.inject({
        method: 'POST',
        url: '/api/visits',
        token: p.sari,
        payload: visitRequest(rig.clock.now),
      });
      assert.equal(created.statusCode, 201);
      const id = created.json().visit.id as string;
      const bodies = [created.body];
      for (const token of [p.sari, p.kasi]) {
        for (const url of [
          '/api/visits',
          `/api/visits/${id}`,
          '/api/visits?state=submitted',
          '/api/reports/sla',
        ]) {
          const res = await rig.inject({ method: 'GET', url, token });
          assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
          bodies.push(res.body);
        }
      }
      const verified = await rig.inject({
        method: 'POST',
        url: `/api/visits/${id}/verify`,
        token: p.sari,
        payload: { formComplete: true, ktpHeld: true, ktpTray: 'A1' },
      });
      bodies.push(verified.body);
      const listed = JSON.parse(bodies[1] as string).visits.find((v: { id: string }) => v.id === id);
      assert.equal(listed.visitor.name, 'Andi Pratama');
      assert.equal(listed.visitor.nikMasked, maskedNik());
      for (const body of bodies) {
        assert.ok(!body.includes(VALID_NIK), `NIK in ${body.slice(0, 120)}`);
        assert.ok(!body.includes(VALID_NIK.slice(4, 14)), 'the middle of the NIK leaks');
        assert.ok(!body.includes(PHONE) && !body.includes(PHONE.slice(1)), `phone in ${body.slice(0, 120)}`);
      }
    });

    it('GET /api/visits/:id/personal returns NIK and phone, no-store, and journals the view', async () => {
      const id = await submittedVisit(rig, p);
      const seq = rig.rt.journal.seq;
      const res = await rig.inject({ method: 'GET', url: `/api/visits/${id}/personal`, token: p.sari });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { nik: VALID_NIK, phone: PHONE });
      assert.equal(res.headers['cache-control'], 'no-store');
      const events = allEvents(rig).filter((e) => e.seq > seq);
      assert.equal(events.length, 1);
      assert.equal(events[0]?.type, 'visit.personal_data_viewed');
      assert.equal(events[0]?.data.visitId, id);
      assert.deepEqual(events[0]?.data.by, { id: p.sariId, name: 'sari' });
    });

    it('runs the whole procedure to closed, reconciling a confirmed unexpected device', async () => {
      const req = visitRequest(rig.clock.now, {
        devicesIn: [
          { type: 'laptop', model: 'ThinkPad T14', serial: 'PF3ABC12' },
          { type: 'usb', model: 'SanDisk', serial: 'SD-0001' },
        ],
      });
      const id = (await post(rig, '/api/visits', p.sari, req)).visit.id as string;
      const step = (name: string, token: string, payload: object) =>
        post(rig, `/api/visits/${id}/${name}`, token, payload);
      assert.equal(
        (await step('verify', p.sari, { formComplete: true, ktpHeld: true, ktpTray: 'A1' })).visit.state,
        'verified',
      );
      const approved = await step('approve', p.kasi, { reason: 'sesuai surat' });
      assert.equal(approved.visit.state, 'approved');
      const badge = (
        await post(rig, '/api/badges', p.sari, { uid: 'B1B2B3B4', label: 'TAMU-02', kind: 'visitor' })
      ).badge.id as string;
      const iss = await step('issue-badge', p.sari, { badgeId: badge, escortIds: [p.budiId] });
      assert.equal(iss.visit.state, 'badge_issued');
      assert.deepEqual(iss.visit.escortIds, [p.budiId]);

      // through the door: the visitor waits for the escort; one unlock admits both
      const tap = async (reader: string, uid: string) =>
        (await post(rig, '/api/sim/tap', p.sari, { reader, uid })).result as { outcome: string };
      assert.equal((await tap('entry', 'B1B2B3B4')).outcome, 'pending');
      assert.equal((await tap('entry', p.budiUid)).outcome, 'grant');
      const inside = await rig.inject({ method: 'GET', url: `/api/visits/${id}`, token: p.sari });
      assert.equal(inside.json().visit.state, 'in_progress');
      assert.equal((await tap('exit', 'b1:b2:b3:b4')).outcome, 'exit');
      assert.equal((await tap('exit', p.budiUid)).outcome, 'exit');

      const out = await step('check-out', p.sari, {
        devicesOut: [
          { type: 'laptop', model: 'ThinkPad T14', serial: 'pf3abc12' },
          {
            type: 'disk',
            model: 'Seagate Exos',
            serial: 'ZL2DISK9',
            confirmUnexpected: true,
            note: 'disk rusak dibawa untuk RMA',
          },
        ],
        devicesLeft: [{ serial: 'sd-0001', note: 'dipasang di rak 3' }],
        badgeReturned: true,
        ktpReturned: true,
      });
      assert.equal(out.visit.state, 'checked_out');
      assert.equal(out.visit.checkOut.badgeReturned, true);
      assert.equal(out.visit.checkOut.ktpReturned, true);
      const unexpected = out.visit.devicesOut.filter((d: { unexpected?: unknown }) => d.unexpected);
      assert.deepEqual(
        unexpected.map((d: { serial: string }) => d.serial),
        ['ZL2DISK9'],
      );
      assert.equal((await step('close', p.sari, { note: 'selesai' })).visit.state, 'closed');

      const events = allEvents(rig).filter((e) => e.data.visitId === id);
      const types = events.map((e) => e.type);
      for (const t of [
        'visit.submitted',
        'visit.verified',
        'visit.approved',
        'visit.badge_issued',
        'visit.checked_out',
        'visit.device_unexpected',
        'visit.closed',
      ]) {
        assert.ok(types.includes(t as never), `${t} missing from ${types.join(', ')}`);
      }
      const dev = events.find((e) => e.type === 'visit.device_unexpected');
      assert.deepEqual(dev?.data.device, { type: 'disk', model: 'Seagate Exos', serial: 'ZL2DISK9' });
      assert.equal(dev?.data.note, 'disk rusak dibawa untuk RMA');
      assert.deepEqual(dev?.data.confirmedBy, { id: p.sariId, name: 'sari' });
      const co = events.find((e) => e.type === 'visit.checked_out');
      assert.deepEqual(
        ((co?.data.devicesLeftInside ?? []) as { serial: string }[]).map((d) => d.serial),
        ['SD-0001'],
      );
      // the visitor badge is back in the pool, inactive
      const pool = await rig.inject({ method: 'GET', url: '/api/badges?available=true', token: p.sari });
      const b = pool.json().badges.find((x: { id: string }) => x.id === badge);
      assert.ok(b, 'badge not back in the pool');
      assert.equal(b.active, false);
      assert.equal(b.visitId, null);
      // history records every step with who did it
      const history = rig.rt.store.visit(id)?.history ?? [];
      assert.deepEqual(
        history.map((t) => t.step),
        ['submit', 'verify', 'approve', 'issue_badge', 'enter', 'check_out', 'close'],
      );
    });

    it('cancel after the badge was issued returns the badge to the pool', async () => {
      const v = await issued(rig, p);
      const before = await rig.inject({ method: 'GET', url: '/api/badges?available=false', token: p.sari });
      assert.ok(before.json().badges.some((b: { id: string }) => b.id === v.badgeId));
      const res = await post(rig, `/api/visits/${v.id}/cancel`, p.sari, { reason: 'pengunjung batal' });
      assert.equal(res.visit.state, 'cancelled');
      const pool = await rig.inject({ method: 'GET', url: '/api/badges?available=true', token: p.sari });
      const b = pool.json().badges.find((x: { id: string }) => x.id === v.badgeId);
      assert.ok(b, 'badge not back in the pool');
      assert.deepEqual([b.active, b.visitId], [false, null]);
      // and it can be issued to another visit
      const next = await submittedVisit(rig, p);
      await post(rig, `/api/visits/${next}/verify`, p.sari, {
        formComplete: true,
        ktpHeld: true,
        ktpTray: 'A1',
      });
      await post(rig, `/api/visits/${next}/approve`, p.kasi, {});
      const again = await post(rig, `/api/visits/${next}/issue-badge`, p.sari, {
        badgeId: v.badgeId,
        escortIds: [p.budiId],
      });
      assert.equal(again.visit.badgeId, v.badgeId);
    });

    it('GET /api/journal pages with after / limit / next and covers every event once', async () => {
      const head = rig.rt.journal.seq;
      assert.ok(head > 10);
      const seen: number[] = [];
      let after = 0;
      for (let i = 0; i < 100; i++) {
        const res = await rig.inject({
          method: 'GET',
          url: `/api/journal?after=${after}&limit=7`,
          token: p.sari,
        });
        assert.equal(res.statusCode, 200);
        const page = res.json() as {
          events: { seq: number; hash: string; prev: string }[];
          next: number;
          head: number;
        };
        assert.ok(page.events.length <= 7);
        assert.ok(page.head >= head);
        if (page.events.length === 0) {
          assert.equal(page.next, after);
          break;
        }
        assert.equal(page.next, page.events.at(-1)?.seq);
        seen.push(...page.events.map((e) => e.seq));
        after = page.next;
      }
      const upTo = seen.filter((s) => s <= head);
      assert.deepEqual(
        upTo,
        Array.from({ length: head }, (_, i) => i + 1),
      );
      // default limit and the hash chain as served
      const all = (await rig.inject({ method: 'GET', url: '/api/journal', token: p.kasi })).json();
      assert.equal(all.events[0].seq, 1);
      for (let i = 1; i < all.events.length; i++) assert.equal(all.events[i].prev, all.events[i - 1].hash);
      // limit is clamped to 1..1000
      const one = (await rig.inject({ method: 'GET', url: '/api/journal?limit=0', token: p.kasi })).json();
      assert.equal(one.events.length, 1);
      const bad = await rig.inject({ method: 'GET', url: '/api/journal?after=-1', token: p.kasi });
      assertError(bad, 400, 'validation_failed');
    });

    it('GET /api/reports/sla reports the SOP targets and time per step', async () => {
      rig.clock.advance(20 * 60_000);
      const id = await submittedVisit(rig, p);
      rig.clock.advance(16 * 60_000); // over the 15-minute submit→verify target
      await post(rig, `/api/visits/${id}/verify`, p.sari, {
        formComplete: true,
        ktpHeld: true,
        ktpTray: 'A1',
      });
      rig.clock.advance(5 * 60_000);
      await post(rig, `/api/visits/${id}/approve`, p.kasi, {});
      const res = await rig.inject({ method: 'GET', url: '/api/reports/sla', token: p.sari });
      assert.equal(res.statusCode, 200);
      const sla = res.json();
      assert.deepEqual(sla.targets, { submitToVerifyMinutes: 15, verifyToDecisionMinutes: 10 });
      assert.equal(sla.count, rig.rt.store.listVisits().length);
      const row = sla.visits.find((v: { visitId: string }) => v.visitId === id);
      assert.equal(row.submitToVerifySeconds, 16 * 60);
      assert.equal(row.verifyToDecisionSeconds, 5 * 60);
      assert.deepEqual(row.breaches, ['submit_to_verify']);
      assert.ok(sla.submitToVerify.breaches >= 1);
      const archive = await rig.inject({
        method: 'GET',
        url: '/api/reports/sla?archive=true',
        token: p.kasi,
      });
      assert.equal(archive.statusCode, 200);
    });

    it('a deactivated user’s session stops working at once, and they cannot log in', async () => {
      const token = await rig.login('sari', 'sari-password-1');
      assert.equal((await rig.inject({ method: 'GET', url: '/api/visits', token })).statusCode, 200);
      const off = await rig.inject({
        method: 'PATCH',
        url: `/api/users/${p.sariId}`,
        token: p.kasi,
        payload: { active: false },
      });
      assert.equal(off.statusCode, 200, off.body);
      assert.equal(off.json().user.active, false);
      assertError(await rig.inject({ method: 'GET', url: '/api/visits', token }), 401, 'unauthenticated');
      assertError(
        await rig.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: `jk_session=${token}` } }),
        401,
        'unauthenticated',
      );
      assertError(
        await rig.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { username: 'sari', password: 'sari-password-1' },
        }),
        401,
        'invalid_credentials',
      );
      // reactivated: old sessions stay dead, a new login works
      const on = await rig.inject({
        method: 'PATCH',
        url: `/api/users/${p.sariId}`,
        token: p.kasi,
        payload: { active: true },
      });
      assert.equal(on.statusCode, 200);
      assertError(await rig.inject({ method: 'GET', url: '/api/visits', token }), 401, 'unauthenticated');
      const fresh = await rig.login('sari', 'sari-password-1');
      assert.equal((await rig.inject({ method: 'GET', url: '/api/visits', token: fresh })).statusCode, 200);
      p.sari = fresh;
    });

    it('a password change signs the user out everywhere', async () => {
      const token = await rig.login('budi', 'budi-password-1');
      const res = await rig.inject({
        method: 'PATCH',
        url: `/api/users/${p.budiId}`,
        token: p.kasi,
        payload: { password: 'budi-password-2' },
      });
      assert.equal(res.statusCode, 200);
      assertError(await rig.inject({ method: 'GET', url: '/api/auth/me', token }), 401, 'unauthenticated');
      assert.ok(await rig.login('budi', 'budi-password-2'));
    });

    it('no journal event, served or on disk, contains a NIK or a phone number', async () => {
      // a second visitor with other numbers, viewed and cancelled, for good measure
      const req = visitRequest(rig.clock.now);
      const other = { ...req.visitor, nik: '3319015503910002', phone: '+62 812 9876 5432' };
      const id = (await post(rig, '/api/visits', p.sari, { ...req, visitor: other })).visit.id as string;
      await rig.inject({ method: 'GET', url: `/api/visits/${id}/personal`, token: p.sari });
      await post(rig, `/api/visits/${id}/cancel`, p.sari, { reason: 'batal' });

      const events = allEvents(rig);
      assert.ok(events.some((e) => e.type === 'visit.personal_data_viewed'));
      const needles = [VALID_NIK, PHONE, PHONE.slice(1), other.nik, '81298765432', '812 9876 5432'];
      for (const e of events) {
        const json = JSON.stringify(e);
        for (const n of needles) assert.ok(!json.includes(n), `event ${e.seq} ${e.type} contains ${n}`);
      }
      const served = (await rig.inject({ method: 'GET', url: '/api/journal?limit=1000', token: p.kasi }))
        .body;
      const dir = join(rig.dir, 'journal');
      const onDisk = readdirSync(dir)
        .map((f) => readFileSync(join(dir, f), 'utf8'))
        .join('\n');
      for (const n of needles) {
        assert.ok(!served.includes(n), `GET /api/journal contains ${n}`);
        assert.ok(!onDisk.includes(n), `journal files contain ${n}`);
      }
    });
  });

  describe('documentation and health', () => {
    let rig: TestRig;
    let kasi: string;
    before(async () => {
      rig = await startRig();
      kasi = (await seedPeople(rig)).kasi;
    });
    after(async () => {
      await rig?.stop();
    });

    it('/docs/json is an OpenAPI 3 document listing every API route', async () => {
      const res = await rig.inject({ method: 'GET', url: '/docs/json' });
      assert.equal(res.statusCode, 200);
      const doc = res.json();
      assert.match(doc.openapi, /^3\./);
      assert.equal(doc.info.title, 'jurukunci');
      assert.ok(doc.components.securitySchemes.bearer);
      const documented = new Set<string>();
      for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
        for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${path}`);
      }
      const missing = registeredRoutes(rig.rt.http!)
        .filter((r) => r.url !== '/docs/json' && !isConsoleRoute(r.url))
        .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`)
        .filter((k) => !documented.has(k));
      assert.deepEqual(missing, []);
      // bodies are documented with their schema
      const submit = doc.paths['/api/visits'].post;
      assert.ok(submit.requestBody.content['application/json'].schema.properties.visitor);
    });

    it('/healthz: anonymous callers get up/down and module states only; a signed-in admin the details', async () => {
      const anon = await rig.inject({ method: 'GET', url: '/healthz' });
      assert.equal(anon.statusCode, 200);
      assert.deepEqual(Object.keys(anon.json()).sort(), ['entryReaders', 'modules', 'ok']);
      assert.deepEqual(anon.json().entryReaders, { configured: 1, working: 1 }, 'counts, no names');
      assert.equal(anon.json().door, undefined, 'nobody anonymous learns who is inside');
      for (const m of Object.values(anon.json().modules as Record<string, object>))
        assert.deepEqual(Object.keys(m), ['state']);
      const res = await rig.inject({ method: 'GET', url: '/healthz', token: kasi });
      assert.equal(res.statusCode, 200);
      const h = res.json();
      assert.equal(h.ok, true);
      for (const m of ['relay', 'door-contact', 'exit-button', 'reader:entry', 'reader:exit', 'door']) {
        assert.equal(h.modules[m]?.state, 'ok', `${m}: ${JSON.stringify(h.modules[m])}`);
      }
      assert.equal(h.journal.ok, true);
      assert.equal(h.journal.seq, rig.rt.journal.seq);
      assert.equal(h.door.mode, 'normal');
    });
  });
});

function maskedNik(): string {
  return `${VALID_NIK.slice(0, 4)}${'*'.repeat(10)}${VALID_NIK.slice(-2)}`;
}
