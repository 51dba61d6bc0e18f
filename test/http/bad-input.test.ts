/**
 * Bad input gets a coded 4xx and leaves storage untouched: every refused request below is wrapped
 * in assertUntouched, which compares the bytes of <dataDir>/state.json and the journal head
 * before and after.
 */
import assert from 'node:assert/strict';
import { ERRORS } from '../../src/domain/errors.js';
import { seedPeople, startRig, type TestRig, visitRequest } from '../fixtures/runtime.js';
import {
  allEvents,
  approvedVisit,
  assertError,
  assertUntouched,
  CHECK_OUT_OK,
  issued,
  newVisitorBadge,
  type People,
  post,
  stateBytes,
  submittedVisit,
  verifiedVisit,
} from './helpers.js';

type Field = { path: string; message: string; unknown?: string };

function fieldsOf(err: { details?: Record<string, unknown> }): Field[] {
  const fields = err.details?.fields;
  assert.ok(Array.isArray(fields), `no field list in ${JSON.stringify(err)}`);
  return fields as Field[];
}

describe('bad input: coded 4xx, storage untouched', () => {
  let rig: TestRig;
  let p: People;

  before(async () => {
    rig = await startRig();
    p = await seedPeople(rig);
  });
  after(async () => {
    await rig?.stop();
  });

  const submit = (payload: unknown, extra: { headers?: Record<string, string> } = {}) =>
    rig.inject({
      method: 'POST',
      url: '/api/visits',
      token: p.sari,
      payload: payload as string,
      ...extra,
    });

  describe('body parsing', () => {
    it('malformed JSON → 400 malformed_json', async () => {
      for (const body of ['{"visitor":', '{visitor: 1}', "{'a':1}", '{"a":1,}']) {
        const res = await assertUntouched(rig, () =>
          submit(body, { headers: { 'content-type': 'application/json' } }),
        );
        assertError(res, 400, 'malformed_json');
      }
    });

    it('an empty JSON body → 400 malformed_json', async () => {
      const res = await assertUntouched(rig, () =>
        submit('', { headers: { 'content-type': 'application/json' } }),
      );
      assertError(res, 400, 'malformed_json');
    });

    it('a __proto__ key is refused, not merged', async () => {
      const body = JSON.stringify(visitRequest(rig.clock.now)).replace(/^\{/, '{"__proto__":{"x":1},');
      const res = await assertUntouched(rig, () =>
        submit(body, { headers: { 'content-type': 'application/json' } }),
      );
      assert.equal(res.statusCode, 400, res.body);
      assert.ok(['malformed_json', 'validation_failed'].includes(res.json().error.code), res.body);
    });

    it('oversized body → 413 body_too_large naming the limit (default 65536)', async () => {
      assert.equal(rig.rt.config.http.bodyLimitBytes, 65536);
      const payload = JSON.stringify(visitRequest(rig.clock.now, { purpose: 'x'.repeat(70_000) }));
      const res = await assertUntouched(rig, () =>
        submit(payload, { headers: { 'content-type': 'application/json' } }),
      );
      const err = assertError(res, 413, 'body_too_large');
      assert.equal(err.details?.limitBytes, 65536);
    });

    it('a body just under the limit is parsed (and then validated)', async () => {
      const payload = JSON.stringify(visitRequest(rig.clock.now, { purpose: 'x'.repeat(60_000) }));
      const res = await assertUntouched(rig, () =>
        submit(payload, { headers: { 'content-type': 'application/json' } }),
      );
      const err = assertError(res, 400, 'validation_failed');
      assert.ok(
        fieldsOf(err).some((f) => f.path === '/purpose'),
        res.body,
      );
    });

    it('wrong content type → 415 unsupported_media_type', async () => {
      const body = JSON.stringify(visitRequest(rig.clock.now));
      for (const ct of [
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
      ]) {
        const res = await assertUntouched(rig, () => submit(body, { headers: { 'content-type': ct } }));
        assertError(res, 415, 'unsupported_media_type');
      }
    });

    it('a plain-text body cannot reach a route that declares no body schema', async () => {
      const res = await assertUntouched(rig, () =>
        rig.inject({
          method: 'POST',
          url: '/api/door/unlock',
          token: p.sari,
          headers: { 'content-type': 'text/plain' },
          payload: 'open',
        }),
      );
      assertError(res, 415, 'unsupported_media_type');
    });
  });

  describe('schema validation', () => {
    it('wrong types → 400 validation_failed listing every failing field path', async () => {
      const req = visitRequest(rig.clock.now);
      const res = await assertUntouched(rig, () =>
        submit({
          ...req,
          visitor: { ...req.visitor, name: 42, phone: 81234567890 },
          window: { start: 123, end: 'tomorrow' },
          devicesIn: 'laptop',
          letterNumber: null,
        }),
      );
      const err = assertError(res, 400, 'validation_failed');
      assert.equal(err.details?.context, 'body');
      const paths = fieldsOf(err).map((f) => f.path);
      for (const path of [
        '/visitor/name',
        '/visitor/phone',
        '/window/start',
        '/window/end',
        '/devicesIn',
        '/letterNumber',
      ]) {
        assert.ok(paths.includes(path), `${path} not in ${paths.join(', ')}`);
      }
    });

    it('does not coerce: "true" is not a boolean, "1" is not a number', async () => {
      const id = await submittedVisit(rig, p);
      const res = await assertUntouched(rig, () =>
        rig.inject({
          method: 'POST',
          url: `/api/visits/${id}/verify`,
          token: p.sari,
          payload: { formComplete: 'true', ktpHeld: 1 },
        }),
      );
      const err = assertError(res, 400, 'validation_failed');
      const paths = fieldsOf(err)
        .map((f) => f.path)
        .sort();
      assert.deepEqual(paths, ['/formComplete', '/ktpHeld']);
    });

    it('missing required fields → 400 naming them', async () => {
      const { purpose: _p, ...rest } = visitRequest(rig.clock.now);
      const res = await assertUntouched(rig, () => submit(rest));
      const err = assertError(res, 400, 'validation_failed');
      assert.match(JSON.stringify(err.details), /purpose/);
    });

    it('unknown fields → 400 naming the unknown field, top-level and nested', async () => {
      const req = visitRequest(rig.clock.now);
      const res = await assertUntouched(rig, () =>
        submit({
          ...req,
          isAdmin: true,
          visitor: { ...req.visitor, religion: 'x' },
          devicesIn: [{ ...req.devicesIn[0], colour: 'black' }],
        }),
      );
      const err = assertError(res, 400, 'validation_failed');
      const unknown = fieldsOf(err).map((f) => [f.path, f.unknown]);
      assert.deepEqual(
        unknown.filter(([, u]) => u).sort(),
        [
          ['/', 'isAdmin'],
          ['/devicesIn/0', 'colour'],
          ['/visitor', 'religion'],
        ].sort(),
      );
    });

    it('an unknown query parameter → 400', async () => {
      const res = await rig.inject({ method: 'GET', url: '/api/visits?admin=1', token: p.sari });
      const err = assertError(res, 400, 'validation_failed');
      assert.equal(err.details?.context, 'querystring');
    });

    it('every query schema takes ?lang=id|en and refuses any other language (one shared schema)', async () => {
      for (const url of ['/api/visits', '/api/reports/sla', '/api/badges', '/api/journal', '/api/passes']) {
        for (const lang of ['id', 'en']) {
          const ok = await rig.inject({ method: 'GET', url: `${url}?lang=${lang}`, token: p.sari });
          assert.equal(ok.statusCode, 200, `${url}?lang=${lang}: ${ok.body}`);
        }
        const res = await rig.inject({ method: 'GET', url: `${url}?lang=fr`, token: p.sari });
        const err = assertError(res, 400, 'validation_failed');
        assert.equal(err.details?.context, 'querystring', url);
        assert.deepEqual(
          fieldsOf(err).map((f) => f.path),
          ['/lang'],
          url,
        );
      }
    });

    it('an optional reason or note is a string of at most 500 characters or null (one shared schema)', async () => {
      const id = await submittedVisit(rig, p);
      for (const [url, payload, path] of [
        [
          `/api/visits/${id}/verify`,
          { formComplete: true, ktpHeld: true, ktpTray: 'A1', note: 'x'.repeat(501) },
          '/note',
        ],
        [`/api/visits/${id}/verify`, { formComplete: true, ktpHeld: true, ktpTray: 'A1', note: 7 }, '/note'],
        [`/api/visits/${id}/cancel`, { reason: 'x'.repeat(501) }, '/reason'],
        [`/api/visits/${id}/close`, { note: false }, '/note'],
        ['/api/door/mode', { mode: 'normal', reason: 'x'.repeat(501) }, '/reason'],
      ] as const) {
        const token = url === '/api/door/mode' ? p.kasi : p.sari;
        const res = await assertUntouched(rig, () => rig.inject({ method: 'POST', url, token, payload }));
        const err = assertError(res, 400, 'validation_failed');
        assert.ok(
          fieldsOf(err).some((f) => f.path === path),
          `${url} ${JSON.stringify(payload).slice(0, 60)}: ${res.body}`,
        );
      }
      const ok = await rig.inject({
        method: 'POST',
        url: `/api/visits/${id}/verify`,
        token: p.sari,
        payload: { formComplete: true, ktpHeld: true, ktpTray: 'A1', note: 'x'.repeat(500) },
      });
      assert.equal(ok.statusCode, 200, ok.body);
    });

    it('a top-level array or null instead of an object → 400 validation_failed', async () => {
      for (const body of ['[]', 'null', '"x"']) {
        const res = await assertUntouched(rig, () =>
          submit(body, { headers: { 'content-type': 'application/json' } }),
        );
        assertError(res, 400, 'validation_failed');
      }
    });

    it('path ids too long → 400 validation_failed on params, before any lookup', async () => {
      const long = 'K'.repeat(65);
      for (const [method, url] of [
        ['GET', `/api/visits/${long}`],
        ['GET', `/api/visits/${long}/personal`],
        ['POST', `/api/visits/${long}/verify`],
        ['PATCH', `/api/users/${long}`],
        ['POST', `/api/badges/${long}/deactivate`],
      ] as const) {
        const res = await assertUntouched(rig, () =>
          rig.inject({
            method,
            url,
            token: p.kasi,
            ...(method === 'GET'
              ? {}
              : { payload: { formComplete: true, ktpHeld: true, ktpTray: 'A1', active: true } }),
          }),
        );
        const err = assertError(res, 400, 'validation_failed');
        assert.equal(err.details?.context, 'params', `${method} ${url}`);
      }
    });

    it('a path id over the router limit (100) → coded 400, not an uncoded 414, and journals nothing', async () => {
      for (const [url, rule] of [
        [`/api/visits/${'x'.repeat(200)}/personal`, 'path_parameter_too_long'],
        [`/api/visits/${'x'.repeat(101)}`, 'path_parameter_too_long'],
        ['/api/visits/%zz/personal', 'malformed_url'],
      ] as const) {
        const res = await assertUntouched(rig, () =>
          rig.inject({ method: 'GET', url, token: p.sari, headers: { 'accept-language': 'en' } }),
        );
        const err = assertError(res, 400, 'validation_failed');
        assert.equal(err.message, ERRORS.validation_failed.en);
        assert.deepEqual(err.details, { context: 'url', rule });
      }
    });
  });

  describe('domain rules', () => {
    it('invalid NIK → 400 nik_invalid naming the rule', async () => {
      const cases: [string, string][] = [
        ['331901450790000', 'format'],
        ['33190145079000a3', 'format'],
        ['0019014507900003', 'province'],
        ['3300014507900003', 'regency'],
        ['3319004507900003', 'district'],
        ['3319013202900003', 'birth_date'],
        ['3319017213900003', 'birth_date'],
        ['3319014507900000', 'serial'],
      ];
      for (const [nik, rule] of cases) {
        const req = visitRequest(rig.clock.now);
        const res = await assertUntouched(rig, () => submit({ ...req, visitor: { ...req.visitor, nik } }));
        const err = assertError(res, 400, 'nik_invalid');
        assert.equal(err.details?.rule, rule, `${nik}: ${res.body}`);
        assert.ok(!res.body.includes(nik), 'the error echoes the NIK');
      }
    });

    it('window end before start → 400 window_invalid', async () => {
      const now = rig.clock.now.getTime();
      const window = {
        start: new Date(now + 3600_000).toISOString(),
        end: new Date(now + 60_000).toISOString(),
      };
      const res = await assertUntouched(rig, () => submit(visitRequest(rig.clock.now, { window })));
      const err = assertError(res, 400, 'window_invalid');
      assert.equal(err.details?.rule, 'end_before_start');
    });

    it('window not a date-time → 400 validation_failed', async () => {
      const window = { start: 'yesterday', end: '2026-13-45T99:00:00Z' };
      const res = await assertUntouched(rig, () => submit(visitRequest(rig.clock.now, { window })));
      const err = assertError(res, 400, 'validation_failed');
      const paths = fieldsOf(err)
        .map((f) => f.path)
        .sort();
      assert.deepEqual(paths, ['/window/end', '/window/start']);
    });

    it('illegal steps → 409 illegal_step naming the state and the step', async () => {
      const submitted = await submittedVisit(rig, p);
      const approved = await approvedVisit(rig, p);
      const cases: [string, string, object, string, string][] = [
        [`/api/visits/${submitted}/approve`, p.kasi, {}, 'submitted', 'approve'],
        [`/api/visits/${submitted}/reject`, p.kasi, { reason: 'no' }, 'submitted', 'reject'],
        [`/api/visits/${submitted}/close`, p.sari, {}, 'submitted', 'close'],
        [`/api/visits/${approved}/check-out`, p.sari, CHECK_OUT_OK, 'approved', 'check_out'],
        [
          `/api/visits/${approved}/verify`,
          p.sari,
          { formComplete: true, ktpHeld: true, ktpTray: 'A1' },
          'approved',
          'verify',
        ],
        [`/api/visits/${approved}/approve`, p.kasi, {}, 'approved', 'approve'],
      ];
      for (const [url, token, payload, state, step] of cases) {
        const res = await assertUntouched(rig, () => rig.inject({ method: 'POST', url, token, payload }));
        const err = assertError(res, 409, 'illegal_step');
        assert.equal(err.details?.state, state, url);
        assert.equal(err.details?.step, step, url);
      }
    });

    it('closing twice, cancelling a closed visit, checking out twice → 409 illegal_step', async () => {
      const { id } = await issued(rig, p);
      await post(rig, `/api/visits/${id}/check-out`, p.sari, CHECK_OUT_OK);
      const again = await assertUntouched(rig, () =>
        rig.inject({
          method: 'POST',
          url: `/api/visits/${id}/check-out`,
          token: p.sari,
          payload: CHECK_OUT_OK,
        }),
      );
      assert.equal(assertError(again, 409, 'illegal_step').details?.state, 'checked_out');
      await post(rig, `/api/visits/${id}/close`, p.sari, {});
      for (const [url, payload, step] of [
        [`/api/visits/${id}/close`, {}, 'close'],
        [`/api/visits/${id}/cancel`, { reason: 'late' }, 'cancel'],
      ] as const) {
        const res = await assertUntouched(rig, () =>
          rig.inject({ method: 'POST', url, token: p.sari, payload }),
        );
        const err = assertError(res, 409, 'illegal_step');
        assert.deepEqual([err.details?.state, err.details?.step], ['closed', step]);
      }
    });

    it('reject without a reason → 400 (missing, null, blank)', async () => {
      const id = await verifiedVisit(rig, p);
      const url = `/api/visits/${id}/reject`;
      const missing = await assertUntouched(rig, () =>
        rig.inject({ method: 'POST', url, token: p.kasi, payload: {} }),
      );
      assertError(missing, 400, 'validation_failed');
      for (const reason of [null, '', '   ']) {
        const res = await assertUntouched(rig, () =>
          rig.inject({ method: 'POST', url, token: p.kasi, payload: { reason } }),
        );
        assertError(res, 400, 'reason_required');
      }
      assert.equal(rig.rt.store.visit(id)?.state, 'verified');
    });

    it('cancel without a reason → 400', async () => {
      const id = await submittedVisit(rig, p);
      for (const payload of [{}, { reason: ' ' }]) {
        const res = await assertUntouched(rig, () =>
          rig.inject({ method: 'POST', url: `/api/visits/${id}/cancel`, token: p.sari, payload }),
        );
        assert.equal(res.statusCode, 400, res.body);
      }
    });

    it('separation of duties: the superadmin who verified may not decide → 403', async () => {
      const id = await submittedVisit(rig, p);
      await post(rig, `/api/visits/${id}/verify`, p.kasi, {
        formComplete: true,
        ktpHeld: true,
        ktpTray: 'A1',
      });
      for (const [step, payload] of [
        ['approve', {}],
        ['reject', { reason: 'tidak lengkap' }],
      ] as const) {
        const res = await assertUntouched(rig, () =>
          rig.inject({ method: 'POST', url: `/api/visits/${id}/${step}`, token: p.kasi, payload }),
        );
        assertError(res, 403, 'separation_of_duties');
      }
      assert.equal(rig.rt.store.visit(id)?.state, 'verified');
    });

    it('a badge UID bound twice → 409 badge_uid_taken, however it is spelled', async () => {
      for (const uid of ['A1B2C3D4', 'a1b2c3d4', 'a1:b2:c3:d4', 'A1-B2-C3-D4', ' a1 b2 c3 d4 ']) {
        const res = await assertUntouched(rig, () =>
          rig.inject({
            method: 'POST',
            url: '/api/badges',
            token: p.sari,
            payload: { uid, label: 'TAMU-99', kind: 'visitor' },
          }),
        );
        assertError(res, 409, 'badge_uid_taken');
        assert.ok(!res.body.includes('A1B2C3D4'), 'the full UID leaves the controller');
      }
      // a staff UID cannot be reused as a visitor badge either
      const staff = await assertUntouched(rig, () =>
        rig.inject({
          method: 'POST',
          url: '/api/badges',
          token: p.kasi,
          payload: { uid: '04:a1:b2:c3:d4:e5:f6', label: 'dup', kind: 'visitor' },
        }),
      );
      assertError(staff, 409, 'badge_uid_taken');
    });

    it('a badge UID that is not 4, 7 or 10 bytes of hex → 400', async () => {
      for (const uid of ['A1B2C3', 'XYZ12345', 'A1B2C3D4E5']) {
        const res = await assertUntouched(rig, () =>
          rig.inject({
            method: 'POST',
            url: '/api/badges',
            token: p.sari,
            payload: { uid, label: 'x', kind: 'visitor' },
          }),
        );
        assertError(res, 400, 'validation_failed');
      }
    });

    it('issuing a badge that is already issued → 409 badge_unavailable', async () => {
      const first = await issued(rig, p);
      const other = await approvedVisit(rig, p);
      const res = await assertUntouched(rig, () =>
        rig.inject({
          method: 'POST',
          url: `/api/visits/${other}/issue-badge`,
          token: p.sari,
          payload: { badgeId: first.badgeId, escortIds: [p.budiId] },
        }),
      );
      assertError(res, 409, 'badge_unavailable');
      // a staff badge is never a visitor badge
      const staff = await assertUntouched(rig, () =>
        rig.inject({
          method: 'POST',
          url: `/api/visits/${other}/issue-badge`,
          token: p.sari,
          payload: { badgeId: p.budiBadge, escortIds: [p.budiId] },
        }),
      );
      assertError(staff, 409, 'badge_unavailable');
      // and the visit that already has a badge cannot get a second one
      const fresh = await newVisitorBadge(rig, p);
      const twice = await assertUntouched(rig, () =>
        rig.inject({
          method: 'POST',
          url: `/api/visits/${first.id}/issue-badge`,
          token: p.sari,
          payload: { badgeId: fresh.id, escortIds: [p.budiId] },
        }),
      );
      assert.equal(assertError(twice, 409, 'illegal_step').details?.state, 'badge_issued');
    });

    it('an escort who is not escort-capable → 409 escort_invalid', async () => {
      const id = await approvedVisit(rig, p);
      const badge = await newVisitorBadge(rig, p);
      for (const [escortIds, rule] of [
        [[p.sariId], 'not_escort_capable'],
        [[p.budiId, p.sariId], 'not_escort_capable'],
        [['usr_nobody'], 'unknown_user'],
      ] as const) {
        const res = await assertUntouched(rig, () =>
          rig.inject({
            method: 'POST',
            url: `/api/visits/${id}/issue-badge`,
            token: p.sari,
            payload: { badgeId: badge.id, escortIds },
          }),
        );
        assert.equal(assertError(res, 409, 'escort_invalid').details?.rule, rule);
      }
      const none = await assertUntouched(rig, () =>
        rig.inject({
          method: 'POST',
          url: `/api/visits/${id}/issue-badge`,
          token: p.sari,
          payload: { badgeId: badge.id, escortIds: [] },
        }),
      );
      assertError(none, 400, 'validation_failed');
      assert.equal(rig.rt.store.visit(id)?.state, 'approved');
    });

    it('a device carried out that was not brought in, unconfirmed → 409 device_unexpected', async () => {
      const { id } = await issued(rig, p);
      const disk = { type: 'disk', model: 'Seagate Exos', serial: 'ZL2DISK9' };
      for (const extra of [
        {},
        { confirmUnexpected: true },
        { confirmUnexpected: true, note: '  ' },
        { note: 'ok' },
      ]) {
        const res = await assertUntouched(rig, () =>
          rig.inject({
            method: 'POST',
            url: `/api/visits/${id}/check-out`,
            token: p.sari,
            payload: { ...CHECK_OUT_OK, devicesOut: [...CHECK_OUT_OK.devicesOut, { ...disk, ...extra }] },
          }),
        );
        const err = assertError(res, 409, 'device_unexpected');
        assert.deepEqual(err.details?.serials, ['ZL2DISK9']);
      }
      assert.equal(rig.rt.store.visit(id)?.state, 'badge_issued');
    });

    it('check-out without the badge by an admin → 403 badge_loss_needs_superadmin; without the KTP and no reason → 400 reason_required', async () => {
      const { id } = await issued(rig, p);
      const lost = await assertUntouched(rig, () =>
        rig.inject({
          method: 'POST',
          url: `/api/visits/${id}/check-out`,
          token: p.sari,
          payload: { ...CHECK_OUT_OK, badgeReturned: false, badgeNote: 'hilang' },
        }),
      );
      assertError(lost, 403, 'badge_loss_needs_superadmin');
      const kept = await assertUntouched(rig, () =>
        rig.inject({
          method: 'POST',
          url: `/api/visits/${id}/check-out`,
          token: p.sari,
          payload: { ...CHECK_OUT_OK, ktpReturned: false },
        }),
      );
      const err = assertError(kept, 400, 'reason_required');
      assert.equal(err.details?.field, 'ktpKeptReason');
    });

    it('unknown ids → 404 with a specific code', async () => {
      const cases: [string, string, object | undefined, string, string][] = [
        ['GET', '/api/visits/KNJ-20260101-NOPE00', undefined, p.sari, 'visit_not_found'],
        ['GET', '/api/visits/KNJ-20260101-NOPE00/personal', undefined, p.sari, 'visit_not_found'],
        [
          'POST',
          '/api/visits/KNJ-20260101-NOPE00/verify',
          { formComplete: true, ktpHeld: true, ktpTray: 'A1' },
          p.sari,
          'visit_not_found',
        ],
        ['POST', '/api/visits/KNJ-20260101-NOPE00/cancel', { reason: 'x' }, p.sari, 'visit_not_found'],
        ['PATCH', '/api/users/usr_nope', { displayName: 'x' }, p.kasi, 'user_not_found'],
        ['POST', '/api/badges/bdg_nope/deactivate', {}, p.sari, 'badge_not_found'],
      ];
      for (const [method, url, payload, token, code] of cases) {
        const res = await assertUntouched(rig, () =>
          rig.inject({ method: method as 'GET', url, token, ...(payload ? { payload } : {}) }),
        );
        assertError(res, 404, code);
      }
      const visit = await approvedVisit(rig, p);
      const res = await assertUntouched(rig, () =>
        rig.inject({
          method: 'POST',
          url: `/api/visits/${visit}/issue-badge`,
          token: p.sari,
          payload: { badgeId: 'bdg_nope', escortIds: [p.budiId] },
        }),
      );
      assertError(res, 404, 'badge_not_found');
    });

    it('a wrong setup token after setup → 409 setup_closed, and nothing changes', async () => {
      const res = await assertUntouched(rig, () =>
        rig.inject({
          method: 'POST',
          url: '/api/setup',
          payload: { token: 'x', username: 'mallory', displayName: 'M', password: 'mallory-password' },
        }),
      );
      assertError(res, 409, 'setup_closed');
    });
  });

  describe('language', () => {
    it('messages default to Indonesian; Accept-Language: en or ?lang=en gives English', async () => {
      const req = visitRequest(rig.clock.now);
      const bad = { ...req, visitor: { ...req.visitor, nik: '3319014507900000' } };
      const id = await submit(bad);
      assert.equal(assertError(id, 400, 'nik_invalid').message, ERRORS.nik_invalid.id);
      const en = await submit(bad, { headers: { 'accept-language': 'en-US,en;q=0.9' } });
      assert.equal(assertError(en, 400, 'nik_invalid').message, ERRORS.nik_invalid.en);
      const q = await rig.inject({ method: 'POST', url: '/api/visits?lang=en', token: p.sari, payload: bad });
      assert.equal(assertError(q, 400, 'nik_invalid').message, ERRORS.nik_invalid.en);
      const idHeader = await submit(bad, { headers: { 'accept-language': 'id-ID,id;q=0.9,en;q=0.5' } });
      assert.equal(assertError(idHeader, 400, 'nik_invalid').message, ERRORS.nik_invalid.id);
    });

    it('applies to 401, 404, 413, 415 and schema errors too', async () => {
      const anon = await rig.inject({ method: 'GET', url: '/api/visits' });
      assert.equal(assertError(anon, 401, 'unauthenticated').message, ERRORS.unauthenticated.id);
      const anonEn = await rig.inject({
        method: 'GET',
        url: '/api/visits',
        headers: { 'accept-language': 'en' },
      });
      assert.equal(assertError(anonEn, 401, 'unauthenticated').message, ERRORS.unauthenticated.en);
      const nf = await rig.inject({ method: 'GET', url: '/nope', headers: { 'accept-language': 'en' } });
      assert.equal(assertError(nf, 404, 'not_found').message, ERRORS.not_found.en);
      const ct = await submit('<x/>', {
        headers: { 'content-type': 'application/xml', 'accept-language': 'en' },
      });
      assert.equal(assertError(ct, 415, 'unsupported_media_type').message, ERRORS.unsupported_media_type.en);
      const big = await submit(JSON.stringify({ purpose: 'x'.repeat(70_000) }), {
        headers: { 'content-type': 'application/json', 'accept-language': 'en' },
      });
      assert.equal(assertError(big, 413, 'body_too_large').message, ERRORS.body_too_large.en);
      const val = await submit({}, { headers: { 'accept-language': 'en' } });
      assert.equal(assertError(val, 400, 'validation_failed').message, ERRORS.validation_failed.en);
    });
  });
});

describe('bad input with tighter limits (http.bodyLimitBytes, http.loginMaxAttempts)', () => {
  let rig: TestRig;
  let p: People;

  before(async () => {
    rig = await startRig({ http: { bodyLimitBytes: 2048, loginMaxAttempts: 3 } });
    p = await seedPeople(rig);
  });
  after(async () => {
    await rig?.stop();
  });

  it('uses the configured body limit', async () => {
    const payload = JSON.stringify(visitRequest(rig.clock.now, { purpose: 'x'.repeat(3000) }));
    const res = await assertUntouched(rig, () =>
      rig.inject({
        method: 'POST',
        url: '/api/visits',
        token: p.sari,
        headers: { 'content-type': 'application/json' },
        payload,
      }),
    );
    assert.equal(assertError(res, 413, 'body_too_large').details?.limitBytes, 2048);
  });

  it('wrong password → 401 invalid_credentials; after loginMaxAttempts failures → 429 rate_limited', async () => {
    const login = (username: string, password: string) =>
      rig.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
    const state = stateBytes(rig);
    const seq = rig.rt.journal.seq;
    for (let i = 1; i <= 3; i++) {
      const res = await login('sari', 'wrong-password');
      assertError(res, 401, 'invalid_credentials');
      assert.equal(res.headers['set-cookie'], undefined);
    }
    // the failures are journaled (one event each, and the lock-out they caused) but change no state
    const failed = allEvents(rig).filter((e) => e.seq > seq);
    assert.deepEqual(
      failed.map((e) => [e.type, e.data.attempts ?? e.data.failures]),
      [
        ['auth.login_failed', 1],
        ['auth.login_failed', 2],
        ['auth.login_failed', 3],
        ['auth.locked_out', 3],
      ],
    );
    assert.ok(stateBytes(rig).equals(state));
    // locked out now, even with the right password, and the lock-out writes nothing
    const locked = await assertUntouched(rig, () => login('sari', 'sari-password-1'));
    assertError(locked, 429, 'rate_limited');
    const spelledDifferently = await assertUntouched(rig, () => login(' SARI ', 'sari-password-1'));
    assertError(spelledDifferently, 429, 'rate_limited');
    // another user is not affected
    const other = await login('budi', 'budi-password-1');
    assert.equal(other.statusCode, 200);
    // the lock lifts after 15 minutes
    rig.clock.advance(15 * 60_000 + 1000);
    assert.equal((await login('sari', 'sari-password-1')).statusCode, 200);
  });

  it('an unknown username gets the same 401 as a wrong password', async () => {
    const res = await rig.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'nobody', password: 'whatever-password' },
    });
    assertError(res, 401, 'invalid_credentials');
  });
});
