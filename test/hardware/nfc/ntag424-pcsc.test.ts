/**
 * Genuine NFC badges (NTAG 424 DNA, issue #10) through the real PC/SC stack: pcscd + vpcd, the
 * TypeScript virtual NTAG 424 DNA (test/fixtures/virtual-ntag424.ts) served by a VirtualCard, the
 * nfc-pcsc addon and the whole Runtime on its default, genuine-only configuration. Its master key
 * is the one the Runtime made on first start in <dataDir>/keys. Readers:
 *   entry → "Virtual PCD 00 00", exit → "Virtual PCD 00 01", enrol → "ACS ACR122U Virtual PCD 00 00".
 * Badges are enrolled the way a desk does it: a blank card on the enrol reader is personalised.
 * Waits are deadlines for something to happen, never timing assertions.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { NTAG424_KEY_NO } from '../../../src/domain/credential-keys.js';
import type { JournalEvent } from '../../../src/domain/events.js';
import type { TapResult } from '../../../src/door/door-controller.js';
import { cardKey } from '../../../src/hardware/nfc/ntag424/diversify.js';
import { nfcKeyPath } from '../../../src/services/credential-keys-service.js';
import { exactName, Pcscd, READERS, type VirtualReader } from '../../fixtures/pcscd.js';
import { issuedVisit, seedPeople, startRig, type TestRig } from '../../fixtures/runtime.js';
import { VirtualCard } from '../../fixtures/virtual-card.js';
import { ISO14443_4_ATR, VirtualNtag424 } from '../../fixtures/virtual-ntag424.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, fn: () => T | undefined | null | false, ms = 8000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const STAFF_UID = '04A1B2C3D4E5F7'; // Budi's genuine badge (enrolled here)
const VISITOR_UID = '04958CAA5C5E80'; // TAMU-G (enrolled here)
const PLAIN_STAFF_UID = '04A1B2C3D4E5F6'; // seedPeople: Budi's UID-only badge

type Enrolment = { state: string; error: { code: string } | null; badge: { id: string } | null };

describe('genuine NTAG 424 DNA badges through pcscd + vpcd', function () {
  this.timeout(90_000);
  let pcscd: Pcscd;
  let rig: TestRig;
  let taps: (TapResult & { reader: string })[];
  let p: Awaited<ReturnType<typeof seedPeople>>;
  const cards: VirtualCard[] = [];

  const events = (type?: string): JournalEvent[] =>
    rig.rt.journal.read(0, 1_000_000).filter((e) => !type || e.type === type);
  const readersOk = () =>
    ['entry', 'exit', 'enrol'].every((id) => rig.rt.health().modules[`reader:${id}`]?.state === 'ok');

  /** A VirtualCard on `reader` answering as `ntag` (its GET UID answered by the VirtualCard). */
  const on = (reader: VirtualReader, ntag: VirtualNtag424, responder = ntag.responder) => {
    const c = new VirtualCard({
      port: pcscd.port(reader),
      uid: ntag.uid.toString('hex'),
      atr: ISO14443_4_ATR,
      responder,
      watch: pcscd.watch(reader),
    });
    cards.push(c);
    return c;
  };
  const plain = (reader: VirtualReader, uid: string) => {
    const c = new VirtualCard({ port: pcscd.port(reader), uid, watch: pcscd.watch(reader) });
    cards.push(c);
    return c;
  };
  const tap = async (c: VirtualCard, until: () => boolean, what: string) => {
    await c.tap();
    await waitFor(what, until);
    await c.remove();
  };
  /** The card as this site's enrolment leaves it, without going through enrolment. */
  const keyedLike = (uid: string, master: Buffer, systemId: Buffer, version: number) => {
    const u = Buffer.from(uid, 'hex');
    const keys: Buffer[] = Array.from({ length: 5 }, () => Buffer.alloc(16));
    keys[0] = cardKey(master, u, NTAG424_KEY_NO.appMaster, systemId);
    keys[2] = cardKey(master, u, NTAG424_KEY_NO.door, systemId);
    return new VirtualNtag424({ uid, keys, versions: [version, 0, version, 0, 0] });
  };
  const material = () => {
    const m = rig.rt.credentialKeys.material();
    assert.ok(m, 'the Runtime made its master key');
    return m;
  };

  const enrolment = async (id: string, token: string) =>
    (await rig.inject({ method: 'GET', url: `/api/enrolments/${id}`, token })).json().enrolment as Enrolment;
  /** Starts an enrolment, presents `ntag` on the enrol reader, returns how it ended. */
  const enrol = async (ntag: VirtualNtag424, payload: object, token: string): Promise<Enrolment> => {
    const start = await rig.inject({ method: 'POST', url: '/api/enrolments', token, payload });
    assert.equal(start.statusCode, 201, start.body);
    const id = start.json().enrolment.id as string;
    const c = on('acr0', ntag);
    await c.tap();
    let e: Enrolment;
    const until = Date.now() + 10_000;
    for (;;) {
      e = await enrolment(id, token);
      if (e.state !== 'waiting' || Date.now() > until) break;
      await sleep(30);
    }
    await c.remove();
    return e;
  };
  /** Budi's and the visitor's genuine badges, personalised from blank cards; a visit issued. */
  const genuineVisit = async () => {
    const staff = new VirtualNtag424({ uid: STAFF_UID });
    const s = await enrol(staff, { label: 'Budi G', kind: 'staff', userId: p.budiId }, p.kasi);
    assert.equal(s.state, 'bound', JSON.stringify(s.error));
    const visitor = new VirtualNtag424({ uid: VISITOR_UID });
    const v = await enrol(visitor, { label: 'TAMU-G', kind: 'visitor' }, p.sari);
    assert.equal(v.state, 'bound', JSON.stringify(v.error));
    await issuedVisit(rig, { ...p, visitorBadge: v.badge?.id as string });
    return { staff, visitor };
  };

  before(async () => {
    pcscd = new Pcscd();
    await pcscd.start();
  });

  after(async () => {
    await pcscd?.dispose();
  });

  beforeEach(async () => {
    rig = await startRig({
      enrolment: { timeoutSeconds: 20 },
      access: { escortWindowSeconds: 30 },
      readers: [
        {
          id: 'entry',
          role: 'entry',
          driver: 'nfc',
          // No repeat debounce: a tampered tap and the honest one right after are both taps.
          nfc: { namePattern: exactName(READERS.plain0.name), debounceMs: 0 },
        },
        { id: 'exit', role: 'exit', driver: 'nfc', nfc: { namePattern: exactName(READERS.plain1.name) } },
        { id: 'enrol', role: 'enrol', driver: 'nfc', nfc: { namePattern: exactName(READERS.acr0.name) } },
      ],
    });
    taps = [];
    rig.rt.door.on('tap', (t) => taps.push(t));
    await waitFor('all three NFC readers bound', readersOk);
    p = await seedPeople(rig);
  });

  afterEach(async () => {
    await Promise.all(cards.splice(0).map((c) => c.remove()));
    await rig.stop();
  });

  it('makes the master key on first start (mode 600) and says genuine-only in /healthz', async () => {
    assert.equal(statSync(nfcKeyPath(rig.dir)).mode & 0o777, 0o600);
    const h = (await rig.inject({ method: 'GET', url: '/healthz', token: p.kasi })).json();
    assert.equal(h.modules.credentials.state, 'ok');
    assert.match(h.modules.credentials.detail, /genuine NTAG 424 DNA badges only/);
  });

  it('enrols blank cards (personalised), then grants the genuine visitor with their escort', async () => {
    const { staff, visitor } = await genuineVisit();
    assert.equal(staff.versions[2], 1, 'the door key now carries master key version 1');
    assert.ok(!staff.keys[2]?.equals(Buffer.alloc(16)), 'the factory key is gone');
    const list = (await rig.inject({ method: 'GET', url: '/api/badges', token: p.kasi })).json().badges as {
      label: string;
      keyVersion: number | null;
      stale: boolean;
    }[];
    assert.deepEqual(
      list.filter((b) => b.label.endsWith('G')).map((b) => [b.label, b.keyVersion, b.stale]),
      [
        ['Budi G', 1, false],
        ['TAMU-G', 1, false],
      ],
    );

    await tap(on('plain0', visitor), () => taps.length >= 1, 'the visitor tap');
    assert.deepEqual(taps[0], { outcome: 'pending', awaiting: 'escort', reader: 'entry' });
    await tap(on('plain0', staff), () => taps.length >= 2, 'the escort tap');
    assert.equal(taps[1]?.outcome, 'grant');
    assert.equal(rig.rt.relay.get(), true);
    assert.equal(events('access.granted').at(-1)?.data.credential, 'ntag424');
    assert.equal(events('access.awaiting_escort').at(-1)?.data.credential, 'ntag424');
    const keyHex = material().masterKeys[0]?.key.toString('hex') as string;
    const journal = JSON.stringify(events());
    assert.ok(!journal.toLowerCase().includes(keyHex), 'the master key is never journaled');
    assert.ok(!journal.includes(STAFF_UID), 'nor a full UID');
  });

  it('denies a clone answering with the copied UID only (credential_not_genuine), escort or not', async () => {
    const { visitor } = await genuineVisit();
    await tap(on('plain0', visitor), () => taps.length >= 1, 'the visitor tap');
    await tap(plain('plain0', STAFF_UID), () => taps.length >= 2, 'the cloned escort tap');
    assert.deepEqual(taps[1], { outcome: 'deny', reason: 'credential_not_genuine', reader: 'entry' });
    assert.equal(rig.rt.relay.get(), false, 'a cloned escort admits nobody');
    const denied = events('access.denied').at(-1);
    assert.equal(denied?.data.credential, 'uid');
    assert.equal(denied?.data.badge, 'Budi G');
  });

  it('denies a card keyed with another master key (wrong key)', async () => {
    await genuineVisit();
    const m = material();
    const forged = keyedLike(STAFF_UID, Buffer.alloc(16, 0x5a), m.systemId, 1);
    await tap(on('plain0', forged), () => taps.length >= 1, 'the forged tap');
    assert.deepEqual(taps[0], { outcome: 'deny', reason: 'credential_not_genuine', reader: 'entry' });
    assert.equal(events('access.denied').at(-1)?.data.detail, 'wrong_key');
  });

  it('denies a genuine card whose answer has a flipped MAC (bad_mac)', async () => {
    const { staff } = await genuineVisit();
    staff.tamper = (apdu, answer) => {
      if (apdu[1] !== 0x51) return answer; // GetCardUID: flip a bit of its MAC
      const out = Buffer.from(answer);
      out[out.length - 3] = (out[out.length - 3] as number) ^ 0x01;
      return out;
    };
    await tap(on('plain0', staff), () => taps.length >= 1, 'the tampered tap');
    assert.deepEqual(taps[0], { outcome: 'deny', reason: 'credential_not_genuine', reader: 'entry' });
    assert.equal(events('access.denied').at(-1)?.data.detail, 'bad_mac');
    staff.tamper = null;
    await tap(on('plain0', staff), () => taps.length >= 2, 'the honest tap');
    assert.equal(taps[1]?.outcome, 'grant');
  });

  it('denies a replay of a recorded genuine exchange', async () => {
    const { staff } = await genuineVisit();
    const from = staff.answers.length;
    await tap(on('plain0', staff), () => taps.length >= 1, 'the recorded tap');
    assert.equal(taps[0]?.outcome, 'grant');
    const recorded = staff.answers.slice(from).map((h) => Buffer.from(h, 'hex'));
    assert.equal(recorded.length, 5, 'SELECT, GetKeyVersion, two auth parts, GetCardUID');
    let i = 0;
    const replay = (apdu: Buffer) =>
      apdu[1] === 0xca ? null : (recorded[i++] ?? Buffer.from('6F00', 'hex'));
    await tap(on('plain0', staff, replay), () => taps.length >= 2, 'the replayed tap');
    assert.deepEqual(taps[1], { outcome: 'deny', reason: 'credential_not_genuine', reader: 'entry' });
  });

  it('no grant when the card is pulled away mid-authentication; the reader recovers', async () => {
    const { staff } = await genuineVisit();
    let n = 0;
    let pulled: Promise<void> | null = null;
    const c = on('plain0', staff, (apdu) => {
      // Pulled after SELECT and GetKeyVersion, during AuthenticateEV2First.
      if (apdu[1] !== 0xca && ++n === 3) pulled = c.remove();
      return staff.responder(apdu);
    });
    await c.tap();
    await waitFor('the card pulled away', () => pulled !== null);
    await pulled;
    await sleep(300);
    assert.equal(
      taps.length,
      0,
      `no tap, no grant: ${JSON.stringify(taps)} ${JSON.stringify(events('access.denied').at(-1)?.data)}`,
    );
    assert.equal(rig.rt.relay.get(), false);
    await tap(on('plain0', staff), () => taps.length >= 1, 'the next tap');
    assert.equal(taps[0]?.outcome, 'grant');
  });

  it('refuses another site’s card at enrolment, and binds nothing', async () => {
    const before = rig.rt.store.listBadges().length;
    const foreign = keyedLike(VISITOR_UID, Buffer.alloc(16, 0x33), Buffer.from('another-site'), 1);
    const e = await enrol(foreign, { label: 'TAMU-X', kind: 'visitor' }, p.sari);
    assert.equal(e.state, 'refused');
    assert.equal(e.error?.code, 'enrol_card_foreign');
    assert.equal(rig.rt.store.listBadges().length, before, 'no half-bound badge');
    assert.equal(events('enrolment.refused').at(-1)?.data.code, 'enrol_card_foreign');
  });

  it('refuses a plain card at enrolment (enrol_card_not_ntag424)', async () => {
    const start = await rig.inject({
      method: 'POST',
      url: '/api/enrolments',
      token: p.sari,
      payload: { label: 'TAMU-P', kind: 'visitor' },
    });
    const id = start.json().enrolment.id as string;
    await tap(plain('acr0', '04010203040506'), () => events('enrolment.refused').length >= 1, 'the refusal');
    assert.equal((await enrolment(id, p.sari)).error?.code, 'enrol_card_not_ntag424');
  });

  it('genuine only: a plain UID-only badge is denied credential_unsupported', async () => {
    await tap(plain('plain0', PLAIN_STAFF_UID), () => taps.length >= 1, 'the plain tap');
    assert.deepEqual(taps[0], { outcome: 'deny', reason: 'credential_unsupported', reader: 'entry' });
    assert.equal(events('access.denied').at(-1)?.data.credential, 'uid');
  });
});
