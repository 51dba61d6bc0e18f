/**
 * The NFC path through the real PC/SC stack: Debian's pcscd with vsmartcard's vpcd driver, a
 * virtual contactless card in TypeScript (test/fixtures/virtual-card.ts), nfc-pcsc's native addon,
 * and the whole jurukunci Runtime. Readers:
 *   entry → "Virtual PCD 00 00", exit → "Virtual PCD 00 01",
 *   enrol → "ACS ACR122U Virtual PCD 00 00" (ACR122U-class: gets LED/buzzer APDUs).
 * The site accepts cards by UID (credentials.nfc.accept: ['uid']); genuine NTAG 424 DNA badges
 * through the same stack are in ntag424-pcsc.test.ts.
 * Waits are deadlines for something to happen, never timing assertions. Every card is watched:
 * removing it waits until pcscd has seen it leave, so no card — in this test or the next one's
 * fresh Runtime — lands on a reader pcscd still thinks is occupied (test/fixtures/pcscd.ts).
 */
import assert from 'node:assert/strict';
import type { JournalEvent } from '../../../src/domain/events.js';
import type { TapResult } from '../../../src/door/door-controller.js';
import type { NfcReader } from '../../../src/hardware/nfc/nfc-reader.js';
import type { LazyReader } from '../../../src/hardware/reader-factory.js';
import { exactName, Pcscd, READERS, type VirtualReader } from '../../fixtures/pcscd.js';
import { issuedVisit, seedPeople, startRig, type TestRig } from '../../fixtures/runtime.js';
import { VirtualCard } from '../../fixtures/virtual-card.js';

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

const STAFF_UID = '04A1B2C3D4E5F6'; // seedPeople: Budi, escort
const VISITOR_UID = 'A1B2C3D4'; // seedPeople: TAMU-01

describe('NFC through pcscd + vpcd + a virtual card', function () {
  this.timeout(60_000);
  let pcscd: Pcscd;
  let rig: TestRig;
  let taps: (TapResult & { reader: string })[];
  const cards: VirtualCard[] = [];

  const card = (reader: VirtualReader, uid: string) => {
    const c = new VirtualCard({ port: pcscd.port(reader), uid, watch: pcscd.watch(reader) });
    cards.push(c);
    return c;
  };
  const events = (type?: string): JournalEvent[] =>
    rig.rt.journal.read(0, 1_000_000).filter((e) => !type || e.type === type);
  const readerHealth = (id: string) => rig.rt.health().modules[`reader:${id}`];
  const allReadersOk = () => ['entry', 'exit', 'enrol'].every((id) => readerHealth(id)?.state === 'ok');
  /** One tap: put the card on, wait for what it caused, take it away. */
  const tap = async (c: VirtualCard, until: () => boolean, what: string) => {
    await c.tap();
    await waitFor(what, until);
    await c.remove();
  };

  before(async () => {
    pcscd = new Pcscd();
    await pcscd.start();
  });

  after(async () => {
    await pcscd?.dispose();
  });

  /**
   * A Runtime with the three NFC readers; overrides as for startRig. These cards are plain
   * (ISO 14443-3, UID only), so the site accepts UIDs (genuine cards: ntag424-pcsc.test.ts).
   */
  const up = async (overrides: Record<string, unknown> = {}) => {
    rig = await startRig({
      mqtt: { enabled: false },
      credentials: { nfc: { accept: ['uid'] } },
      enrolment: { timeoutSeconds: 3 },
      readers: [
        {
          id: 'entry',
          role: 'entry',
          driver: 'nfc',
          nfc: { namePattern: exactName(READERS.plain0.name), debounceMs: 300 },
        },
        { id: 'exit', role: 'exit', driver: 'nfc', nfc: { namePattern: exactName(READERS.plain1.name) } },
        { id: 'enrol', role: 'enrol', driver: 'nfc', nfc: { namePattern: exactName(READERS.acr0.name) } },
      ],
      ...overrides,
    });
    taps = [];
    rig.rt.door.on('tap', (t) => taps.push(t));
    await waitFor('all three NFC readers bound', allReadersOk);
  };

  beforeEach(async function () {
    // The deny test needs a short escort window; the others one long enough for two taps.
    await up({ access: { escortWindowSeconds: this.currentTest?.title.includes('alone') ? 1 : 30 } });
  });

  afterEach(async () => {
    await Promise.all(cards.splice(0).map((c) => c.remove()));
    await rig.stop();
  });

  it('binds readers by name pattern; the enrol reader is not given to the door', () => {
    assert.equal(readerHealth('entry')?.detail, READERS.plain0.name);
    assert.equal(readerHealth('exit')?.detail, READERS.plain1.name);
    assert.equal(readerHealth('enrol')?.detail, READERS.acr0.name);
    assert.deepEqual(
      rig.rt.readers.map((r) => [r.reader.id, r.role]),
      [
        ['entry', 'entry'],
        ['exit', 'exit'],
      ],
    );
    assert.deepEqual(
      rig.rt.enrolReaders.map((r) => r.id),
      ['enrol'],
    );
  });

  it('grants a visitor with their escort, and lets them out on the exit reader', async () => {
    const p = await seedPeople(rig);
    await issuedVisit(rig, p);
    const visitor = card('plain0', VISITOR_UID.toLowerCase());
    const escort = card('plain0', STAFF_UID);

    await tap(visitor, () => taps.length >= 1, 'the visitor tap');
    assert.deepEqual(taps[0], { outcome: 'pending', awaiting: 'escort', reader: 'entry' });
    assert.equal(rig.rt.relay.get(), false);
    await tap(escort, () => taps.length >= 2, 'the escort tap');
    assert.equal(taps[1]?.outcome, 'grant');
    assert.equal(rig.rt.relay.get(), true);
    const granted = events('access.granted').at(-1)!;
    assert.equal(granted.data.reader, 'entry');
    // A UID-only site (accept: ['uid']): the register shows the entry was weakly proven.
    assert.equal(granted.data.credential, 'uid');
    assert.equal(granted.data.uid, '…E5F6');
    assert.ok(!JSON.stringify(events()).includes(STAFF_UID), 'the full UID is never journaled');

    await tap(card('plain1', VISITOR_UID), () => taps.length >= 3, 'the exit tap');
    assert.deepEqual(taps[2], { outcome: 'exit', reader: 'exit' });
  });

  it('denies a visitor alone (escort_required)', async () => {
    const p = await seedPeople(rig);
    await issuedVisit(rig, p);
    await tap(card('plain0', VISITOR_UID), () => taps.length >= 1, 'the visitor tap');
    assert.equal(taps[0]?.outcome, 'pending');
    await waitFor('the escort window to run out', () => taps.length >= 2);
    // The denial that ends the wait names the reader the visitor waited at.
    assert.deepEqual(taps[1], { outcome: 'deny', reason: 'escort_required', reader: taps[0]!.reader });
    assert.equal(rig.rt.relay.get(), false);
    assert.equal(events('access.denied').at(-1)?.data.reason, 'escort_required');
    assert.equal(events('access.denied').at(-1)?.data.reader, taps[0]!.reader);
  });

  it('denies an unknown card (unknown_credential)', async () => {
    await tap(card('plain0', '0A0B0C0D0E0F10'), () => taps.length >= 1, 'the tap');
    assert.deepEqual(taps[0], { outcome: 'deny', reason: 'unknown_credential', reader: 'entry' });
    assert.equal(rig.rt.relay.get(), false);
    assert.equal(events('access.denied').at(-1)?.data.uid, '…0F10');
  });

  it('counts a card held on the reader as one tap', async () => {
    await seedPeople(rig);
    const c = card('plain0', STAFF_UID);
    await c.tap();
    await waitFor('the tap', () => taps.length >= 1);
    // Held well past pcscd's polling and the reader's debounce.
    await sleep(1500);
    await c.remove();
    await sleep(300);
    assert.equal(taps.length, 1);
    assert.equal(taps[0]?.outcome, 'grant');
    assert.equal(c.uidRequests, 1);
  });

  it('refuses a card whose UID is not 4, 7 or 10 bytes, and never opens', async () => {
    const c = card('plain0', '0102030405');
    await c.tap();
    const entry = (rig.rt.readers[0]!.reader as LazyReader).driver as NfcReader;
    await waitFor('the refusal', () => entry.stats.rejected >= 1);
    await c.remove();
    assert.equal(taps.length, 0);
    assert.equal(rig.rt.relay.get(), false);
  });

  it('recovers after pcscd restarts: health shows it, taps work again', async () => {
    await seedPeople(rig);
    await pcscd.restart();
    // The restart may be quick enough that "down" is never observed; what matters is recovery.
    await waitFor('readers bound again', allReadersOk, 20_000);
    await tap(card('plain0', STAFF_UID), () => taps.length >= 1, 'a tap after the restart');
    assert.equal(taps[0]?.outcome, 'grant');
  });

  it('shows a reader as down while pcscd is gone, and up when it is back', async () => {
    await pcscd.stop();
    const down = await waitFor(
      'entry reader down',
      () => readerHealth('entry')?.state === 'down' && readerHealth('entry'),
    );
    assert.match(String(down.detail), /pcscd|PC\/SC|SCard/);
    assert.equal(rig.rt.health().modules.door?.state, 'ok', 'the door keeps running');
    await pcscd.start();
    await waitFor('readers bound again', allReadersOk, 20_000);
  });

  it('sends LED/buzzer feedback only to the ACR122U-class reader', async () => {
    const p = await seedPeople(rig);
    const entryCard = card('plain0', STAFF_UID);
    await tap(entryCard, () => taps.length >= 1, 'the entry tap');
    assert.ok(!entryCard.apdus.some((a) => a.startsWith('FF0040')), 'no ACR pseudo-APDU to a plain reader');

    const start = await rig.inject({
      method: 'POST',
      url: '/api/enrolments',
      token: p.sari,
      payload: { label: 'TAMU-02', kind: 'visitor' },
    });
    assert.equal(start.statusCode, 201, start.body);
    const enrolCard = card('acr0', '04112233445566');
    await enrolCard.tap();
    await waitFor('the feedback APDU', () => enrolCard.apdus.some((a) => a.startsWith('FF0040')));
    await enrolCard.remove();
  });

  describe('enrolment', () => {
    const status = async (token: string, id: string) => {
      const r = await rig.inject({ method: 'GET', url: `/api/enrolments/${id}`, token });
      assert.equal(r.statusCode, 200, r.body);
      return r.json().enrolment as {
        state: string;
        badge: { id: string; uid: string } | null;
        error: { code: string } | null;
      };
    };

    it('binds the next card on the enrol reader to the new badge', async () => {
      const p = await seedPeople(rig);
      const start = await rig.inject({
        method: 'POST',
        url: '/api/enrolments',
        token: p.sari,
        payload: { label: 'TAMU-02', kind: 'visitor' },
      });
      assert.equal(start.statusCode, 201, start.body);
      const id = start.json().enrolment.id as string;
      assert.equal(start.json().enrolment.state, 'waiting');

      const c = card('acr0', '04aabbccddeeff');
      await c.tap();
      let st = await status(p.sari, id);
      const until = Date.now() + 8000;
      while (st.state === 'waiting' && Date.now() < until) {
        await sleep(50);
        st = await status(p.sari, id);
      }
      await c.remove();
      assert.equal(st.state, 'bound');
      assert.equal(st.badge?.uid, '…EEFF');
      const badge = rig.rt.badges.get(st.badge!.id);
      assert.equal(badge.uid, '04AABBCCDDEEFF');
      assert.equal(badge.label, 'TAMU-02');
      assert.equal(badge.kind, 'visitor');
      assert.equal(events('enrolment.completed').at(-1)?.data.enrolmentId, id);
      assert.equal(taps.length, 0, 'an enrol tap never reaches the door');
      assert.ok(!JSON.stringify(events()).includes('04AABBCCDDEEFF'));
    });

    it('refuses a UID that is already bound (badge_uid_taken)', async () => {
      const p = await seedPeople(rig);
      const start = await rig.inject({
        method: 'POST',
        url: '/api/enrolments',
        token: p.kasi,
        payload: { label: 'Budi 2', kind: 'staff', userId: p.budiId },
      });
      assert.equal(start.statusCode, 201, start.body);
      const id = start.json().enrolment.id as string;
      const before = rig.rt.badges.list().length;
      await tap(card('acr0', STAFF_UID), () => events('enrolment.refused').length >= 1, 'the refusal');
      const st = await status(p.kasi, id);
      assert.equal(st.state, 'refused');
      assert.equal(st.error?.code, 'badge_uid_taken');
      assert.equal(rig.rt.badges.list().length, before);
      assert.equal(taps.length, 0);
    });

    it('times out when no card comes, and says so in the journal', async () => {
      const p = await seedPeople(rig);
      const start = await rig.inject({
        method: 'POST',
        url: '/api/enrolments',
        token: p.sari,
        payload: { label: 'TAMU-03', kind: 'visitor' },
      });
      const id = start.json().enrolment.id as string;
      await waitFor('the timeout', () => events('enrolment.timed_out').length >= 1, 10_000);
      assert.equal((await status(p.sari, id)).state, 'timed_out');
      // A card now binds nothing.
      const before = rig.rt.badges.list().length;
      const c = card('acr0', '04010203040506');
      await c.tap();
      await sleep(1000);
      await c.remove();
      assert.equal(rig.rt.badges.list().length, before);
    });

    it('lets only a superadmin enrol a staff badge, and one enrolment wait at a time', async () => {
      const p = await seedPeople(rig);
      const staff = await rig.inject({
        method: 'POST',
        url: '/api/enrolments',
        token: p.sari,
        payload: { label: 'X', kind: 'staff', userId: p.sariId },
      });
      assert.equal(staff.statusCode, 403);
      const a = await rig.inject({
        method: 'POST',
        url: '/api/enrolments',
        token: p.sari,
        payload: { label: 'A', kind: 'visitor' },
      });
      assert.equal(a.statusCode, 201);
      const b = await rig.inject({
        method: 'POST',
        url: '/api/enrolments',
        token: p.sari,
        payload: { label: 'B', kind: 'visitor' },
      });
      assert.equal(b.statusCode, 409);
      const cancel = await rig.inject({
        method: 'DELETE',
        url: `/api/enrolments/${a.json().enrolment.id}`,
        token: p.sari,
      });
      assert.equal(cancel.statusCode, 200);
      assert.equal(cancel.json().enrolment.state, 'cancelled');
    });
  });
});
