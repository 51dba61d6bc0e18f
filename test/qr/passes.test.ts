/**
 * QR passes through the whole service: key pair on disk, the API (issue, render, revoke, list,
 * public key), and the door — a pass is the visit's badge by other means, so the escort rule and
 * anti-passback still apply — including one pass scanned through a real pty (socat).
 */
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePass, verifyPass } from '../../src/domain/qr-pass.js';
import type { TapResult } from '../../src/door/door-controller.js';
import type { Credential } from '../../src/hardware/interfaces.js';
import { issuedVisit, seedPeople, startRig, type TestRig, VALID_NIK } from '../fixtures/runtime.js';
import { SocatPty, until } from '../fixtures/socat-pty.js';

type People = Awaited<ReturnType<typeof seedPeople>>;
const FAST = { door: { unlockSeconds: 0.2, heldOpenSeconds: 5 }, access: { escortWindowSeconds: 0.3 } };

async function issuePass(rig: TestRig, token: string, visitId: string, body: object = {}) {
  const r = await rig.inject({ method: 'POST', url: `/api/visits/${visitId}/passes`, token, payload: body });
  assert.equal(r.statusCode, 201, r.body);
  return r.json().pass as {
    id: string;
    notBefore: string;
    expiresAt: string;
    links: { png: string; svg: string };
  };
}

function tapper(rig: TestRig) {
  const door = rig.rt.door;
  return {
    qr: (value: string, reader = 'entry', role: 'entry' | 'exit' = 'entry'): TapResult =>
      door.onCredential({ kind: 'qr', value, readerId: reader } as Credential, role),
    nfc: (uid: string): TapResult =>
      door.onCredential({ kind: 'nfc', value: uid, readerId: 'entry' }, 'entry'),
  };
}

const journal = (rig: TestRig, type: string) =>
  rig.rt.journal.read(0, 100_000).filter((e) => e.type === type);

describe('QR passes (service, API, door)', function () {
  this.timeout(30_000);
  let rig: TestRig;
  let p: People;
  let visitId: string;

  beforeEach(async () => {
    rig = await startRig(FAST);
    p = await seedPeople(rig);
    visitId = await issuedVisit(rig, p);
  });
  afterEach(async () => {
    await rig?.stop();
  });

  describe('signing key', () => {
    it('is made on first start, private key mode 600 in a 700 dir, public key exportable', async () => {
      const keyFile = rig.rt.passes.privateKeyPath;
      assert.ok(keyFile.startsWith(rig.dir));
      assert.equal(statSync(keyFile).mode & 0o777, 0o600);
      assert.equal(statSync(join(rig.dir, 'keys')).mode & 0o777, 0o700);
      const res = await rig.inject({ method: 'GET', url: '/api/passes/public-key', token: p.sari });
      assert.equal(res.statusCode, 200, res.body);
      const pk = res.json().publicKey;
      assert.equal(pk.algorithm, 'Ed25519');
      assert.match(pk.pem, /^-----BEGIN PUBLIC KEY-----/);
      assert.equal(Buffer.from(pk.raw, 'base64url').length, 32);
      assert.doesNotMatch(res.body, /PRIVATE/);
      // The exported key verifies what the service signs.
      const pass = await issuePass(rig, p.sari, visitId);
      const door = rig.rt.config.doorId;
      assert.equal(
        verifyPass(rig.rt.passes.token(pass.id), createPublicKey(pk.pem), rig.clock.now, door).ok,
        true,
      );
      // Signed for this door: the same key at another door refuses it.
      assert.equal(
        verifyPass(rig.rt.passes.token(pass.id), createPublicKey(pk.pem), rig.clock.now, 'elsewhere').ok,
        false,
      );
    });

    it('is reused across restarts: passes issued before a restart still open the door', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'jk-pass-restart-'));
      try {
        const a = await startRig({ ...FAST, dataDir });
        const pa = await seedPeople(a);
        const vid = await issuedVisit(a, pa);
        const pass = await issuePass(a, pa.sari, vid);
        const text = a.rt.passes.token(pass.id);
        const keyBefore = readFileSync(a.rt.passes.privateKeyPath, 'utf8');
        await a.stop();

        const b = await startRig({ ...FAST, dataDir });
        try {
          assert.equal(readFileSync(b.rt.passes.privateKeyPath, 'utf8'), keyBefore);
          assert.equal(statSync(b.rt.passes.privateKeyPath).mode & 0o777, 0o600);
          assert.equal(b.rt.passes.token(pass.id), text);
          const r = tapper(b).qr(text);
          assert.deepEqual(r, { outcome: 'pending', awaiting: 'escort' });
        } finally {
          await b.stop();
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });

  describe('API', () => {
    it('issues a pass bound to the visit badge, journals pass.issued, lists it', async () => {
      const pass = await issuePass(rig, p.sari, visitId);
      assert.match(pass.id, /^pas_[0-9a-f]{16}$/);
      assert.equal(pass.links.png, `/api/passes/${pass.id}.png`);
      const visit = rig.rt.store.visit(visitId)!;
      // Default window: the visit window widened by the door's grace (15 min).
      // (whole seconds: the token carries Unix seconds)
      assert.equal(
        Date.parse(pass.notBefore),
        Math.ceil((Date.parse(visit.window.start) - 15 * 60_000) / 1000) * 1000,
      );
      const ev = journal(rig, 'pass.issued');
      assert.equal(ev.length, 1);
      assert.equal(ev[0]?.data.passId, pass.id);
      assert.equal(ev[0]?.data.badgeId, p.visitorBadge);
      const list = await rig.inject({ method: 'GET', url: `/api/passes?visitId=${visitId}`, token: p.budi });
      assert.deepEqual(
        list.json().passes.map((x: { id: string }) => x.id),
        [pass.id],
      );
    });

    it('refuses a visit without an issued badge, an unknown visit, and a window outside the visit', async () => {
      const sub = await rig.inject({
        method: 'POST',
        url: '/api/visits',
        token: p.sari,
        payload: {
          visitor: { name: 'Tamu Dua', nik: VALID_NIK, organisation: 'PT X', phone: '081234567891' },
          purpose: 'x',
          window: {
            start: rig.clock.now.toISOString(),
            end: new Date(rig.clock.now.getTime() + 3600_000).toISOString(),
          },
          letterNumber: '1/2/3',
        },
      });
      const submitted = sub.json().visit.id as string;
      const cases: [string, object, number, string][] = [
        [submitted, {}, 409, 'illegal_step'],
        ['KNJ-20000101-000000', {}, 404, 'visit_not_found'],
        [visitId, { expiresAt: '2099-01-01T00:00:00.000Z' }, 400, 'window_invalid'],
        [visitId, { notBefore: '2000-01-01T00:00:00.000Z' }, 400, 'window_invalid'],
        [visitId, { nik: VALID_NIK }, 400, 'validation_failed'],
      ];
      for (const [id, body, status, code] of cases) {
        const r = await rig.inject({
          method: 'POST',
          url: `/api/visits/${id}/passes`,
          token: p.sari,
          payload: body,
        });
        assert.equal(r.statusCode, status, `${id} ${JSON.stringify(body)}: ${r.body}`);
        assert.equal(r.json().error.code, code);
      }
      assert.equal(journal(rig, 'pass.issued').length, 0);
    });

    it('renders PNG and SVG (name and window on the SVG), never cached, no NIK or phone', async () => {
      const pass = await issuePass(rig, p.sari, visitId);
      const png = await rig.inject({ method: 'GET', url: pass.links.png, token: p.sari });
      assert.equal(png.statusCode, 200);
      assert.equal(png.headers['content-type'], 'image/png');
      assert.equal(png.headers['cache-control'], 'no-store');
      assert.deepEqual([...png.rawPayload.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      assert.equal(decodeURIComponent(String(png.headers['x-pass-holder'])), 'Andi Pratama');
      assert.equal(png.headers['x-pass-expires'], pass.expiresAt);

      const svg = await rig.inject({ method: 'GET', url: pass.links.svg, token: p.sari });
      assert.equal(svg.statusCode, 200);
      assert.match(String(svg.headers['content-type']), /^image\/svg\+xml/);
      assert.match(svg.body, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.match(svg.body, />Andi Pratama</);
      assert.match(svg.body, /\d{4}-\d{2}-\d{2} \d{2}:\d{2} WIB – \d{4}-\d{2}-\d{2} \d{2}:\d{2} WIB/);
      assert.ok(svg.body.includes(visitId));
      for (const r of [png, svg]) {
        const all = r.rawPayload.toString('latin1') + JSON.stringify(r.headers);
        assert.ok(!all.includes(VALID_NIK) && !all.includes('081234567890'));
      }
    });

    it('revokes: journaled once, render refused, door denies with pass_revoked', async () => {
      const pass = await issuePass(rig, p.sari, visitId);
      const text = rig.rt.passes.token(pass.id);
      const r = await rig.inject({
        method: 'POST',
        url: `/api/passes/${pass.id}/revoke`,
        token: p.budi,
        payload: { reason: 'lost the paper' },
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().pass.revoked.reason, 'lost the paper');
      const again = await rig.inject({
        method: 'POST',
        url: `/api/passes/${pass.id}/revoke`,
        token: p.budi,
        payload: {},
      });
      assert.equal(again.statusCode, 200);
      assert.equal(journal(rig, 'pass.revoked').length, 1);
      const png = await rig.inject({ method: 'GET', url: pass.links.png, token: p.sari });
      assert.equal(png.statusCode, 409);
      assert.equal(png.json().error.code, 'pass_revoked');
      assert.deepEqual(tapper(rig).qr(text), { outcome: 'deny', reason: 'pass_revoked' });
      const unknown = await rig.inject({
        method: 'GET',
        url: '/api/passes/pas_0000000000000000.svg',
        token: p.sari,
      });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().error.code, 'pass_not_found');
    });
  });

  describe('at the door', () => {
    it('pass + escort badge → grant (both admitted); the same pass again → anti_passback', async () => {
      const t = tapper(rig);
      const text = rig.rt.passes.token((await issuePass(rig, p.sari, visitId)).id);
      assert.deepEqual(t.qr(text), { outcome: 'pending', awaiting: 'escort' });
      const g = t.nfc(p.budiUid);
      assert.equal(g.outcome, 'grant');
      assert.deepEqual(
        g.outcome === 'grant' ? g.admits.map((a) => a.badgeId).sort() : [],
        [p.budiBadge, p.visitorBadge].sort(),
      );
      assert.equal(rig.rt.relay.get(), true);
      const granted = journal(rig, 'access.granted').at(-1);
      assert.ok(granted);
      // A pass is the visit's badge: the card cannot be used for a second entry either.
      assert.equal(t.nfc(p.budiUid).outcome, 'deny');
      assert.deepEqual(t.qr(text), { outcome: 'deny', reason: 'anti_passback' });
    });

    it('escort badge first, then the pass → grant', async () => {
      const t = tapper(rig);
      const text = rig.rt.passes.token((await issuePass(rig, p.sari, visitId)).id);
      assert.equal(t.nfc(p.budiUid).outcome, 'grant');
      const g = t.qr(text);
      assert.equal(g.outcome, 'grant');
    });

    it('pass alone → pending, then denied escort_required when the escort window runs out', async () => {
      const text = rig.rt.passes.token((await issuePass(rig, p.sari, visitId)).id);
      const taps: unknown[] = [];
      rig.rt.door.on('tap', (r) => taps.push(r));
      assert.deepEqual(tapper(rig).qr(text), { outcome: 'pending', awaiting: 'escort' });
      await until(() => taps.some((x) => (x as TapResult).outcome === 'deny'), 'pending expiry');
      assert.ok(taps.some((x) => (x as { reason?: string }).reason === 'escort_required'));
      assert.equal(rig.rt.relay.get(), false);
    });

    it('expired and not-yet-valid passes are denied with their reasons', async () => {
      const now = rig.clock.now.getTime();
      const later = await issuePass(rig, p.sari, visitId, {
        notBefore: new Date(now + 30 * 60_000).toISOString(),
      });
      const soon = await issuePass(rig, p.sari, visitId, { expiresAt: new Date(now + 60_000).toISOString() });
      const t = tapper(rig);
      assert.deepEqual(t.qr(rig.rt.passes.token(later.id)), {
        outcome: 'deny',
        reason: 'pass_not_yet_valid',
      });
      rig.clock.advance(2 * 60_000);
      assert.deepEqual(t.qr(rig.rt.passes.token(soon.id)), { outcome: 'deny', reason: 'pass_expired' });
      const denied = journal(rig, 'access.denied').map((e) => e.data);
      assert.ok(
        denied.some((d) => d.reason === 'pass_expired' && d.detail === soon.id && d.credential === 'qr'),
      );
    });

    it('bad signature, unknown visit and malformed text are denied with their reasons', async () => {
      const t = tapper(rig);
      const text = rig.rt.passes.token((await issuePass(rig, p.sari, visitId)).id);
      const i = text.length - 10;
      const tampered = text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
      assert.deepEqual(t.qr(tampered), { outcome: 'deny', reason: 'pass_bad_signature' });
      // Signed with the real key, for a visit this controller does not know.
      const key = createPrivateKey(readFileSync(rig.rt.passes.privateKeyPath, 'utf8'));
      const ghost = encodePass(
        {
          passId: 'pas_00000000000000ff',
          visitId: 'KNJ-20000101-ABCDEF',
          notBefore: new Date(rig.clock.now.getTime() - 60_000),
          expiresAt: new Date(rig.clock.now.getTime() + 60_000),
        },
        key,
        rig.rt.config.doorId,
      );
      assert.deepEqual(t.qr(ghost), { outcome: 'deny', reason: 'pass_unknown_visit' });
      assert.deepEqual(t.qr('hello world'), { outcome: 'deny', reason: 'pass_malformed' });
      // The scanned text itself is never journaled.
      const log = JSON.stringify(rig.rt.journal.read(0, 100_000));
      assert.ok(!log.includes(text.slice(4, 40)) && !log.includes('hello world'));
    });

    it('a pass does not open the door after check-out (the badge is back in the pool)', async () => {
      const t = tapper(rig);
      const text = rig.rt.passes.token((await issuePass(rig, p.sari, visitId)).id);
      const co = await rig.inject({
        method: 'POST',
        url: `/api/visits/${visitId}/check-out`,
        token: p.sari,
        payload: {
          devicesOut: [{ type: 'laptop', model: 'ThinkPad T14', serial: 'PF3ABC12' }],
          badgeReturned: true,
          ktpReturned: true,
        },
      });
      assert.equal(co.statusCode, 200, co.body);
      assert.equal(t.nfc(p.budiUid).outcome, 'grant');
      const r = t.qr(text);
      assert.equal(r.outcome, 'deny');
    });

    it('a pass at the exit reader lets the visitor out', async () => {
      const t = tapper(rig);
      const text = rig.rt.passes.token((await issuePass(rig, p.sari, visitId)).id);
      t.qr(text);
      t.nfc(p.budiUid);
      assert.deepEqual(t.qr(text, 'exit', 'exit'), { outcome: 'exit' });
      assert.ok(!rig.rt.door.snapshot().inside.some((o) => o.badgeId === p.visitorBadge));
    });
  });
});

describe('QR passes end to end through a serial scanner on a socat pty', function () {
  this.timeout(30_000);
  let pty: SocatPty;
  let rig: TestRig;

  before(async () => {
    pty = new SocatPty();
    await pty.start();
    rig = await startRig({
      ...FAST,
      readers: [
        { id: 'entry', role: 'entry', driver: 'sim' },
        { id: 'exit', role: 'exit', driver: 'sim' },
        {
          id: 'qr-entry',
          role: 'entry',
          driver: 'qr-serial',
          serial: { path: pty.device, terminator: 'cr', reconnectMinMs: 20, reconnectMaxMs: 200 },
        },
      ],
    });
  });
  after(async () => {
    await rig?.stop();
    await pty?.stop();
  });

  it('scanned pass + escort badge → grant; health shows the scanner; unplug → down, not fatal', async () => {
    const p = await seedPeople(rig);
    const visitId = await issuedVisit(rig, p);
    const pass = await issuePass(rig, p.sari, visitId);
    const text = rig.rt.passes.token(pass.id);
    await until(() => rig.rt.health().modules['reader:qr-entry']?.state === 'ok', 'scanner up');
    const taps: (TapResult & { reader: string })[] = [];
    rig.rt.door.on('tap', (r) => taps.push(r));
    pty.write(`${text}\r`);
    await until(() => taps.length === 1, 'pass tap');
    assert.deepEqual(taps[0], { outcome: 'pending', awaiting: 'escort', reader: 'qr-entry' });
    rig.rt.sim?.readers.get('entry')?.present('nfc', p.budiUid);
    await until(() => taps.length === 2, 'escort tap');
    assert.equal(taps[1]?.outcome, 'grant');

    await pty.kill();
    await until(() => rig.rt.health().modules['reader:qr-entry']?.state === 'down', 'scanner down');
    assert.equal(rig.rt.door.health().state, 'ok');
    await pty.start();
    await until(() => rig.rt.health().modules['reader:qr-entry']?.state === 'ok', 'scanner back');
    pty.write('garbage that is not a pass\r');
    await until(() => taps.length === 3, 'junk scan');
    assert.deepEqual(taps[2], { outcome: 'deny', reason: 'pass_malformed', reader: 'qr-entry' });
  });
});
