/**
 * Issue #12 §3: parts of the door taken away while it works — pcscd killed -9 and restarted, the QR
 * scanner's pty removed and brought back, the MQTT broker killed for ten minutes of traffic. The
 * door keeps deciding (every tap answered, each outcome the one the rules give), health shows each
 * part as it is at every step (the signed-in view and the anonymous /healthz), and every journaled
 * event reaches an MQTT subscriber once the broker is back: all of them, in journal order.
 *
 * Real parts: Debian's pcscd with vsmartcard's vpcd and a virtual card (test/fixtures/pcscd.ts),
 * socat's pty as the serial scanner, Mosquitto as the broker, the production drivers (nfc-pcsc's
 * native addon, serialport, mqtt.js) and the whole Runtime. Only the GPIO lines are simulated (the
 * sim readers `entry`/`exit` stand for further readers at the door: their taps go through
 * /api/sim/tap, the HTTP path, whose reply carries the door's answer).
 *
 * In-process (startRig), not the service process: the ten minutes of traffic need a clock the test
 * moves — the rig's settable wall clock and the door's injected timers (test/door/manual-clock.ts),
 * which a child process cannot take (faketime would also skew pcscd's polling and the broker). The
 * runtime is the same composition root with the same drivers as `jurukunci start`; what a child
 * process would add (HTTP over a socket, kill -9 of the service) is covered by
 * test/mqtt/outage.test.ts and test/fault/kill-random.test.ts. A dead part that stalled the event
 * loop (the PC/SC addon spinning on a dead daemon) would stall this test just the same.
 *
 * The subscriber keeps a persistent session (clean: false) on a Mosquitto that saves it on every
 * change, so it is subscribed again the moment the broker is: whether the service or the subscriber
 * reconnects first, nothing published is missed by the subscriber, and a missing event is the
 * service's fault. Waits are deadlines for something to happen, never timing assertions.
 */
import assert from 'node:assert/strict';
import type { TapEvent } from '../../src/door/tap-handler.js';
import type { SerialQrScanner } from '../../src/hardware/qr/serial-scanner.js';
import type { LazyReader } from '../../src/hardware/reader-factory.js';
import { ManualClock } from '../door/manual-clock.js';
import { Mosquitto, Recorder } from '../fixtures/mosquitto.js';
import { exactName, Pcscd, READERS } from '../fixtures/pcscd.js';
import { seedPeople, startRig, type TestRig, visitRequest } from '../fixtures/runtime.js';
import { SocatPty } from '../fixtures/socat-pty.js';
import { VirtualCard } from '../fixtures/virtual-card.js';
import { until } from '../fixtures/wait.js';

const ROOT = 'jurukunci/server-room';
const EVENTS = `${ROOT}/events/#`;
const SUBSCRIBER = 'jk-outages-subscriber';
const UNKNOWN_UID = '0A0B0C0D0E0F10';
/** Simulated traffic while the broker is gone: a step every TICK_MS for OUTAGE_MS. */
const OUTAGE_MS = 10 * 60_000;
const TICK_MS = 2000;
/** Parts whose state the steps change; every other module must keep the state it had at start. */
const PARTS = ['reader:nfc-entry', 'reader:qr-entry', 'reader:entry', 'reader:exit', 'mqtt', 'door'] as const;
type Part = (typeof PARTS)[number];
type State = 'ok' | 'degraded' | 'down' | 'stopped';
type People = Awaited<ReturnType<typeof seedPeople>>;
type Outcome = TapEvent['outcome'];
interface ModuleView {
  state: State;
  detail?: string;
}

describe('fault: outages of pcscd, the QR scanner and the broker (real parts)', function () {
  // Bounds a hang; the suite itself takes far less.
  this.timeout(120_000);
  let pcscd: Pcscd;
  let pty: SocatPty;
  let broker: Mosquitto;
  let rec: Recorder;
  let rig: TestRig;
  let mono: ManualClock;
  let p: People;
  let taps: TapEvent[];
  /** Module states at start, once every part is up: the ones no step touches must stay so. */
  let baseline: Record<string, State>;
  const cards: VirtualCard[] = [];

  const card = (uid: string) => {
    const c = new VirtualCard({ port: pcscd.port('plain0'), uid, watch: pcscd.watch('plain0') });
    cards.push(c);
    return c;
  };

  /** Moves both clocks on: the wall clock (visit windows, journal times) and the door's timers. */
  const tick = (ms: number) => {
    rig.clock.advance(ms);
    mono.advance(ms);
  };

  /** A tap on a sim reader through the HTTP path: the reply is the door's answer. */
  const simTap = async (reader: 'entry' | 'exit', uid: string) => {
    const r = await rig.inject({
      method: 'POST',
      url: '/api/sim/tap',
      token: p.sari,
      payload: { reader, uid },
    });
    assert.equal(r.statusCode, 200, r.body);
    const result = r.json().result as TapEvent | undefined;
    assert.ok(result, `tap ${reader} ${uid} answered`);
    return result;
  };

  /** A card on the real NFC reader: the door's answer is its next 'tap' event. */
  const nfcTap = async (uid: string) => {
    const before = taps.length;
    const c = card(uid);
    await c.tap();
    await until(() => taps.length > before, `the door to answer the NFC tap of …${uid.slice(-4)}`, 15_000);
    await c.remove();
    assert.equal(taps.length, before + 1, 'one tap, one answer');
    return taps.at(-1)!;
  };

  /** A line from the real QR scanner: the door's answer is its next 'tap' event. */
  const qrScan = async (text: string) => {
    const before = taps.length;
    pty.write(`${text}\r`);
    await until(() => taps.length > before, 'the door to answer the QR scan', 15_000);
    assert.equal(taps.length, before + 1, 'one scan, one answer');
    return taps.at(-1)!;
  };

  const post = async (url: string, token: string, payload: object) => {
    const r = await rig.inject({ method: 'POST', url, token, payload });
    assert.ok(r.statusCode < 300, `${url}: ${r.statusCode} ${r.body}`);
    return r.json();
  };

  /** SOP steps up to badge_issued, on the one visitor badge (free again after each close). */
  const issueVisit = async (): Promise<string> => {
    const v = await post('/api/visits', p.sari, visitRequest(rig.clock.now));
    const id = v.visit.id as string;
    await post(`/api/visits/${id}/verify`, p.sari, { formComplete: true, ktpHeld: true, ktpTray: 'A1' });
    await post(`/api/visits/${id}/approve`, p.kasi, {});
    const issued = await post(`/api/visits/${id}/issue-badge`, p.sari, {
      badgeId: p.visitorBadge,
      escortIds: [p.budiId],
    });
    assert.equal(issued.visit.state, 'badge_issued');
    return id;
  };
  const checkOutAndClose = async (id: string) => {
    const out = await post(`/api/visits/${id}/check-out`, p.sari, {
      devicesOut: [{ type: 'laptop', model: 'ThinkPad T14', serial: 'PF3ABC12' }],
      badgeReturned: true,
      ktpReturned: true,
    });
    assert.equal(out.visit.state, 'checked_out');
    assert.equal((await post(`/api/visits/${id}/close`, p.sari, {})).visit.state, 'closed');
  };
  const issuePass = async (visitId: string): Promise<string> => {
    const r = await post(`/api/visits/${visitId}/passes`, p.sari, {});
    return rig.rt.passes.token(r.pass.id as string);
  };

  /**
   * Both health views, checked against each other: the anonymous one carries each module's state
   * and the overall verdict only; the signed-in one the same states with their details.
   */
  const health = async () => {
    const anon = await rig.inject({ method: 'GET', url: '/healthz' });
    const signed = await rig.inject({ method: 'GET', url: '/healthz', token: p.kasi });
    type Counts = { configured: number; working: number };
    const a = anon.json() as { ok: boolean; modules: Record<string, ModuleView>; entryReaders: Counts };
    const s = signed.json() as {
      ok: boolean;
      modules: Record<string, ModuleView>;
      journal: { seq: number };
      entryReaders: Counts;
    };
    assert.equal(anon.statusCode, signed.statusCode);
    assert.equal(anon.statusCode, s.ok ? 200 : 503);
    assert.equal(a.ok, s.ok);
    assert.deepEqual(
      Object.keys(a).sort(),
      ['entryReaders', 'modules', 'ok'],
      'the anonymous view says nothing more',
    );
    assert.deepEqual(a.entryReaders, s.entryReaders);
    assert.deepEqual(
      a.modules,
      Object.fromEntries(Object.entries(s.modules).map(([k, m]) => [k, { state: m.state }])),
      'the anonymous view shows the same state for every module, without details',
    );
    assert.ok(typeof s.journal.seq === 'number', 'the signed-in view has the details');
    const states = Object.fromEntries(Object.entries(s.modules).map(([k, m]) => [k, m.state]));
    return { status: anon.statusCode, ok: s.ok, states, modules: s.modules };
  };

  /** Health shows the parts as `changed` says (the rest as at the start); returns the modules. */
  const expectHealth = async (changed: Partial<Record<Part, State>> = {}) => {
    const h = await health();
    assert.deepEqual(h.states, { ...baseline, ...changed });
    // Readers and MQTT are optional: the door does its job without them, so /healthz stays 200.
    assert.equal(h.ok, true);
    assert.equal(h.status, 200);
    return h.modules;
  };
  const moduleState = (name: Part) => rig.rt.health().modules[name]?.state;
  const scannerOpens = () => {
    const qr = rig.rt.readers.find((r) => r.reader.id === 'qr-entry')?.reader as LazyReader | undefined;
    return (qr?.driver as SerialQrScanner | null)?.opens ?? 0;
  };

  before(async () => {
    pcscd = new Pcscd();
    await pcscd.start();
    pty = new SocatPty();
    await pty.start();
    // Sessions survive the broker's kill -9; no per-subscriber queue limit (hundreds of events
    // may be published before the subscriber is back).
    broker = new Mosquitto({ persistent: true, extraConfig: ['max_queued_messages 0'] });
    await broker.start();
    rec = await Recorder.connect(broker.url, [EVENTS], { clean: false, clientId: SUBSCRIBER });
    await until(() => broker.sessionSaved(SUBSCRIBER, EVENTS), 'the subscriber session saved by the broker');

    mono = new ManualClock();
    rig = await startRig(
      {
        mqtt: { enabled: true, url: broker.url },
        // The virtual cards are plain (ISO 14443-3, UID only); sim taps are genuine badges.
        credentials: { nfc: { accept: ['uid'] } },
        readers: [
          {
            id: 'nfc-entry',
            role: 'entry',
            driver: 'nfc',
            nfc: { namePattern: exactName(READERS.plain0.name), debounceMs: 300 },
          },
          // Reopen backoff capped at 1 s (default 5 s): a bound on the wall time of the suite.
          {
            id: 'qr-entry',
            role: 'entry',
            driver: 'qr-serial',
            serial: { path: pty.device, reconnectMinMs: 50, reconnectMaxMs: 1000 },
          },
          { id: 'entry', role: 'entry', driver: 'sim' },
          { id: 'exit', role: 'exit', driver: 'sim' },
        ],
      },
      { doorTimers: mono },
    );
    taps = [];
    rig.rt.door.on('tap', (t) => taps.push(t));
    p = await seedPeople(rig);
    await until(
      () => PARTS.every((m) => moduleState(m) === 'ok'),
      'NFC reader bound, scanner open, MQTT connected',
      20_000,
    );
  });

  after(async () => {
    await Promise.all(cards.splice(0).map((c) => c.remove().catch(() => undefined)));
    await rig?.stop();
    await rec?.close();
    await broker?.destroy();
    await pty?.stop();
    await pcscd?.dispose();
  });

  it('all parts up: health shows each, and every reader decides', async () => {
    const h = await health();
    baseline = h.states;
    for (const m of PARTS) assert.equal(baseline[m], 'ok', m);
    assert.equal(h.modules['reader:nfc-entry']?.detail, READERS.plain0.name);
    assert.match(h.modules['reader:qr-entry']?.detail ?? '', new RegExp(`^${pty.device} `));
    assert.match(h.modules.mqtt?.detail ?? '', /^connected to /);

    const visit = await issueVisit();
    // The visitor's QR pass on the real scanner, then the escort on the real NFC reader.
    assert.deepEqual(await qrScan(await issuePass(visit)), {
      outcome: 'pending',
      awaiting: 'escort',
      reader: 'qr-entry',
    });
    tick(TICK_MS);
    const granted = await nfcTap(p.budiUid);
    assert.equal(granted.outcome, 'grant');
    assert.equal(granted.reader, 'nfc-entry');
    assert.equal(granted.outcome === 'grant' && granted.admits.length, 2, 'visitor and escort admitted');
    assert.equal(rig.rt.relay.get(), true);
    tick(TICK_MS);
    assert.equal((await simTap('exit', p.visitorUid)).outcome, 'exit');
    assert.equal((await simTap('exit', p.budiUid)).outcome, 'exit');
    assert.deepEqual(await simTap('entry', UNKNOWN_UID), {
      outcome: 'deny',
      reason: 'unknown_credential',
      reader: 'entry',
    });
    await checkOutAndClose(visit);
    await expectHealth();
  });

  it('pcscd killed -9: the NFC reader shows down, QR and sim taps are still decided; restarted, the reader comes back by itself', async () => {
    await pcscd.kill('SIGKILL');
    await until(() => moduleState('reader:nfc-entry') === 'down', 'the NFC reader down', 15_000);
    const down = await expectHealth({ 'reader:nfc-entry': 'down' });
    assert.match(down['reader:nfc-entry']?.detail ?? '', /pcscd|PC\/SC/);

    assert.deepEqual(await qrScan('NOT-A-PASS'), {
      outcome: 'deny',
      reason: 'pass_malformed',
      reader: 'qr-entry',
    });
    const solo = await simTap('entry', p.budiUid);
    assert.equal(solo.outcome, 'grant');
    tick(TICK_MS);
    assert.equal((await simTap('exit', p.budiUid)).outcome, 'exit');
    await expectHealth({ 'reader:nfc-entry': 'down' });

    // The restart backoff keeps trying while pcscd is gone (the context's error came first).
    await until(
      () => /pcscd not reachable/.test(rig.rt.health().modules['reader:nfc-entry']?.detail ?? ''),
      'a reconnect attempt finding no pcscd',
    );
    await expectHealth({ 'reader:nfc-entry': 'down' });

    // Nothing is done for the reader: the manager's restart backoff finds the new daemon.
    await pcscd.start();
    await until(
      () => moduleState('reader:nfc-entry') === 'ok',
      'the NFC reader back after the restart',
      20_000,
    );
    const back = await expectHealth();
    assert.equal(back['reader:nfc-entry']?.detail, READERS.plain0.name);
    assert.deepEqual(await nfcTap(UNKNOWN_UID), {
      outcome: 'deny',
      reason: 'unknown_credential',
      reader: 'nfc-entry',
    });
    const again = await nfcTap(p.budiUid);
    assert.equal(again.outcome, 'grant');
    assert.equal(again.reader, 'nfc-entry');
    tick(TICK_MS);
    assert.equal((await simTap('exit', p.budiUid)).outcome, 'exit');
  });

  it("the scanner's pty removed: the scanner shows down, NFC and sim taps are still decided; a new pty at the same path: it reconnects and reads a pass", async () => {
    const opened = scannerOpens();
    await pty.kill();
    await until(() => moduleState('reader:qr-entry') === 'down', 'the scanner down', 15_000);
    const down = await expectHealth({ 'reader:qr-entry': 'down' });
    assert.match(down['reader:qr-entry']?.detail ?? '', new RegExp(`^${pty.device}: .*retrying`));

    const visit = await issueVisit();
    assert.deepEqual(await nfcTap(p.visitorUid), {
      outcome: 'pending',
      awaiting: 'escort',
      reader: 'nfc-entry',
    });
    tick(TICK_MS);
    const pair = await simTap('entry', p.budiUid);
    assert.equal(pair.outcome, 'grant');
    assert.equal(pair.outcome === 'grant' && pair.admits.length, 2);
    tick(TICK_MS);
    assert.equal((await simTap('exit', p.visitorUid)).outcome, 'exit');
    assert.equal((await simTap('exit', p.budiUid)).outcome, 'exit');
    await expectHealth({ 'reader:qr-entry': 'down' });

    // Plugged back in: a new pty behind the same path; the driver's reopen backoff finds it.
    await pty.start();
    await until(() => moduleState('reader:qr-entry') === 'ok', 'the scanner open again', 15_000);
    assert.equal(scannerOpens(), opened + 1, 'opened once more');
    await expectHealth();
    assert.deepEqual(await qrScan(await issuePass(visit)), {
      outcome: 'pending',
      awaiting: 'escort',
      reader: 'qr-entry',
    });
    tick(TICK_MS);
    assert.equal((await nfcTap(p.budiUid)).outcome, 'grant');
    tick(TICK_MS);
    assert.equal((await simTap('exit', p.visitorUid)).outcome, 'exit');
    assert.equal((await simTap('exit', p.budiUid)).outcome, 'exit');
    await checkOutAndClose(visit);
  });

  it('the broker killed for ten simulated minutes: every tap answered as the rules say, health shows MQTT degraded with its backlog; the broker back: every journaled event arrives, in order', async () => {
    // Killed in the middle of traffic: some of these taps' events may be in flight, unacknowledged.
    const seqBeforeBurst = rig.rt.journal.durableSeq;
    for (let i = 0; i < 10; i++) {
      assert.equal((await simTap('entry', p.budiUid)).outcome, 'grant');
      assert.equal((await simTap('exit', p.budiUid)).outcome, 'exit');
    }
    await broker.stop(); // SIGKILL
    const seqAtKill = rig.rt.journal.durableSeq;
    await until(() => moduleState('mqtt') === 'degraded', 'MQTT degraded', 15_000);
    const lost = await expectHealth({ mqtt: 'degraded' });
    const unacked = Number(/unreachable .*backlog (\d+) event/.exec(lost.mqtt?.detail ?? '')?.[1]);
    assert.ok(
      unacked >= 0 && unacked <= seqAtKill - seqBeforeBurst,
      `backlog at the kill: ${lost.mqtt?.detail}`,
    );

    const answered: Record<string, number> = {};
    let steps = 0;
    /** One step of traffic, then the clocks move on by a tick. */
    const step = async <T>(action: () => Promise<T>): Promise<T> => {
      const r = await action();
      steps++;
      tick(TICK_MS);
      return r;
    };
    const expectTap = (t: TapEvent, outcome: Outcome, reason?: string) => {
      assert.equal(t.outcome, outcome, JSON.stringify(t));
      if (reason) assert.equal(t.outcome === 'deny' && t.reason, reason, JSON.stringify(t));
      const key = reason ? `${outcome}:${reason}` : outcome;
      answered[key] = (answered[key] ?? 0) + 1;
    };
    const tapStep = (reader: 'entry' | 'exit', uid: string, outcome: Outcome, reason?: string) =>
      step(async () => expectTap(await simTap(reader, uid), outcome, reason));
    const cycles = OUTAGE_MS / (30 * TICK_MS);
    const startedAt = rig.clock.now.getTime();

    for (let c = 0; c < cycles; c++) {
      // One visit per simulated minute. In the middle of the outage the real parts take part: the
      // visitor comes by QR pass on the scanner, the escort's solo entry is a card on the NFC reader.
      const real = c === Math.floor(cycles / 2);
      const visit = await step(async () => {
        const v = await post('/api/visits', p.sari, visitRequest(rig.clock.now));
        return v.visit.id as string;
      });
      await step(() =>
        post(`/api/visits/${visit}/verify`, p.sari, { formComplete: true, ktpHeld: true, ktpTray: 'A1' }),
      );
      await step(() => post(`/api/visits/${visit}/approve`, p.kasi, {}));
      await step(() =>
        post(`/api/visits/${visit}/issue-badge`, p.sari, { badgeId: p.visitorBadge, escortIds: [p.budiId] }),
      );
      if (real) {
        const pass = await step(() => issuePass(visit));
        await step(async () => expectTap(await qrScan(pass), 'pending'));
      } else {
        await tapStep('entry', UNKNOWN_UID, 'deny', 'unknown_credential');
        await tapStep('entry', p.visitorUid, 'pending');
      }
      // The escort within the window: both in, one unlock.
      await step(async () => {
        const t = await simTap('entry', p.budiUid);
        expectTap(t, 'grant');
        assert.equal(t.outcome === 'grant' && t.admits.length, 2);
        assert.equal(rig.rt.relay.get(), true, 'unlocked');
      });
      await tapStep('entry', p.budiUid, 'deny', 'anti_passback');
      await tapStep('entry', p.visitorUid, 'deny', 'anti_passback');
      await tapStep('exit', p.visitorUid, 'exit');
      await tapStep('exit', p.budiUid, 'exit');
      if (real) await step(async () => expectTap(await nfcTap(p.budiUid), 'grant'));
      else await tapStep('entry', p.budiUid, 'grant');
      await tapStep('exit', p.budiUid, 'exit');
      // The visitor alone: pending, and denied by the door's timer once the escort window is over.
      await tapStep('entry', p.visitorUid, 'pending');
      const expiredBefore = taps.filter((t) => t.outcome === 'deny' && t.reason === 'escort_required').length;
      for (let i = 0; i < 5; i++) await tapStep('entry', UNKNOWN_UID, 'deny', 'unknown_credential');
      await until(
        () =>
          taps.filter((t) => t.outcome === 'deny' && t.reason === 'escort_required').length ===
          expiredBefore + 1,
        'the lone visitor denied when the escort window ran out',
      );
      assert.deepEqual(taps.at(-1), { outcome: 'deny', reason: 'escort_required', reader: 'entry' });
      for (let i = 0; i < 4; i++) {
        await tapStep('entry', p.budiUid, 'grant');
        await tapStep('exit', p.budiUid, 'exit');
      }
      await tapStep('entry', UNKNOWN_UID, 'deny', 'unknown_credential');
      await step(async () => {
        const out = await post(`/api/visits/${visit}/check-out`, p.sari, {
          devicesOut: [{ type: 'laptop', model: 'ThinkPad T14', serial: 'PF3ABC12' }],
          badgeReturned: true,
          ktpReturned: true,
        });
        assert.equal(out.visit.state, 'checked_out');
      });
      await step(async () =>
        assert.equal((await post(`/api/visits/${visit}/close`, p.sari, {})).visit.state, 'closed'),
      );

      // Health at the end of each simulated minute: MQTT degraded, its backlog all the outage made.
      const h = await expectHealth({ mqtt: 'degraded' });
      const backlog = unacked + rig.rt.journal.durableSeq - seqAtKill;
      assert.match(h.mqtt?.detail ?? '', new RegExp(`unreachable .*backlog ${backlog} event`));
    }
    assert.equal(rig.clock.now.getTime() - startedAt, OUTAGE_MS, 'ten simulated minutes');
    assert.equal(steps, OUTAGE_MS / TICK_MS);
    const answeredTotal = Object.values(answered).reduce((a, b) => a + b, 0);
    assert.deepEqual(answered, {
      'deny:unknown_credential': 7 * cycles - 1,
      pending: 2 * cycles,
      grant: 6 * cycles,
      'deny:anti_passback': 2 * cycles,
      exit: 7 * cycles,
    });
    assert.equal(answeredTotal, 24 * cycles - 1);

    const journal = rig.rt.journal.read(0, 1_000_000);
    assert.ok(journal.length - seqAtKill > answeredTotal, 'the outage journaled every tap and step');

    await broker.start();
    await until(
      () =>
        moduleState('mqtt') === 'ok' && /backlog 0 event/.test(rig.rt.health().modules.mqtt?.detail ?? ''),
      'MQTT connected, backlog drained',
      30_000,
    );
    await expectHealth();
    const received = () =>
      rec.messages.map((m) => JSON.parse(m.payload) as { id: string; seq: number; type: string });
    const want = new Set(journal.map((e) => e.id));
    await until(
      () =>
        new Set(
          received()
            .filter((e) => want.has(e.id))
            .map((e) => e.id),
        ).size === want.size,
      'every journaled event at the subscriber',
      30_000,
    );
    // Deduped by id (at least once allows repeats), the first delivery of each follows the journal.
    const seen = new Set<string>();
    const firsts = received().filter((e) => {
      if (seen.has(e.id)) return false;
      seen.add(e.id);
      return true;
    });
    assert.deepEqual(
      firsts.filter((e) => want.has(e.id)).map((e) => [e.seq, e.id, e.type]),
      journal.map((e) => [e.seq, e.id, e.type]),
    );
    const now = new Set(rig.rt.journal.read(0, 1_000_000).map((e) => e.id));
    assert.deepEqual(
      firsts.filter((e) => !now.has(e.id)),
      [],
      'nothing published that the journal does not hold',
    );
  });
});
