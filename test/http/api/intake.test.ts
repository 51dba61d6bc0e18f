/** POST /api/intake: signed requests from the helpdesk, idempotent per ticket, refused when stale, off by default. */
import assert from 'node:assert/strict';
import { signIntake } from '../../../src/services/intake-service.js';
import { startRig, type TestRig, visitRequest } from '../../fixtures/runtime.js';

const SECRET = 'helpdesk-shared-secret';

describe('POST /api/intake', () => {
  let rig: TestRig;
  before(async () => {
    rig = await startRig({ intake: { enabled: true, secret: SECRET, maxPerMinute: 20 } });
  });
  after(async () => rig?.stop());

  const send = (body: string, opts: { ts?: number; secret?: string; sig?: string } = {}) => {
    const ts = String(opts.ts ?? Math.floor(rig.clock.now.getTime() / 1000));
    return rig.inject({
      method: 'POST',
      url: '/api/intake',
      headers: {
        'content-type': 'application/json',
        'x-jurukunci-timestamp': ts,
        'x-jurukunci-signature': opts.sig ?? signIntake(opts.secret ?? SECRET, ts, body),
      },
      payload: body,
    });
  };
  const count = () => rig.rt.store.listVisits().length;

  it('submits a signed request as the helpdesk system actor, once per ticket', async () => {
    const body = JSON.stringify(visitRequest(rig.clock.now, { ticketRef: 'HD-1001' }));
    const first = await send(body);
    assert.equal(first.statusCode, 201, first.body);
    const { visit, created } = first.json();
    assert.equal(created, true);
    assert.equal(visit.state, 'submitted');
    const stored = rig.rt.store.visit(visit.id);
    assert.deepEqual(stored?.history[0]?.by, { id: 'intake', name: 'helpdesk' });
    assert.equal(JSON.stringify(first.json()).includes('3319'), false, 'no NIK in the answer');

    // the same body again (keys in another order too): the same visit, 200, nothing new
    const before = count();
    const parsed = JSON.parse(body);
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(parsed).reverse()));
    const again = await send(reordered);
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json().visit.id, visit.id);
    assert.equal(again.json().created, false);
    assert.equal(count(), before);

    // another body with the same ticket: 409
    const other = JSON.stringify(visitRequest(rig.clock.now, { ticketRef: 'HD-1001', purpose: 'Lain' }));
    const conflict = await send(other);
    assert.equal(conflict.statusCode, 409);
    assert.equal(conflict.json().error.code, 'intake_conflict');
    assert.equal(count(), before);
  });

  it('refuses a bad signature, a wrong secret, a stale timestamp and a missing ticket, changing nothing', async () => {
    const before = count();
    const body = JSON.stringify(visitRequest(rig.clock.now, { ticketRef: 'HD-2002' }));
    const now = Math.floor(rig.clock.now.getTime() / 1000);
    const cases: [Promise<{ statusCode: number; json(): { error: { code: string } } }>, number, string][] = [
      [send(body, { secret: 'wrong' }), 401, 'intake_signature_invalid'],
      [send(body, { sig: 'sha256=00' }), 401, 'intake_signature_invalid'],
      [send(`${body} `, { sig: signIntake(SECRET, String(now), body) }), 401, 'intake_signature_invalid'],
      [send(body, { ts: now - 301 }), 401, 'intake_stale'],
      [send(body, { ts: now + 400 }), 401, 'intake_stale'],
      [send(JSON.stringify(visitRequest(rig.clock.now))), 400, 'validation_failed'],
      [send('{"visitor":'), 400, 'malformed_json'],
    ];
    for (const [p, status, code] of cases) {
      const res = await p;
      assert.equal(res.statusCode, status, `${code}: ${JSON.stringify(res.json())}`);
      assert.equal(res.json().error.code, code);
      assert.match(JSON.stringify(res.json()), /"message":"[^"]+"/);
    }
    assert.equal(count(), before);
  });

  it('is documented in OpenAPI with its headers and responses', async () => {
    const doc = (await rig.inject({ method: 'GET', url: '/docs/json' })).json();
    const op = doc.paths['/api/intake'].post;
    assert.deepEqual(op.tags, ['intake']);
    assert.ok(op.requestBody.content['application/json'].schema.required.includes('ticketRef'));
    for (const s of ['200', '201', '401', '404', '409', '429']) assert.ok(op.responses[s], s);
    assert.ok(op.parameters.some((x: { name: string }) => x.name === 'x-jurukunci-signature'));
  });

  it('is rate-limited with a coded error', async () => {
    let last = 0;
    let code = '';
    for (let i = 0; i < 25 && last !== 429; i++) {
      const res = await send('{}');
      last = res.statusCode;
      if (last === 429) code = res.json().error.code;
    }
    assert.equal(last, 429);
    assert.equal(code, 'rate_limited');
  });
});

describe('POST /api/intake switched off', () => {
  it('answers 404 intake_disabled with no secret, even when enabled', async () => {
    for (const intake of [
      { enabled: false, secret: SECRET },
      { enabled: true, secret: '' },
    ]) {
      const rig = await startRig({ intake });
      try {
        const res = await rig.inject({ method: 'POST', url: '/api/intake', payload: {} });
        assert.equal(res.statusCode, 404);
        assert.equal(res.json().error.code, 'intake_disabled');
      } finally {
        await rig.stop();
      }
    }
  });
});
