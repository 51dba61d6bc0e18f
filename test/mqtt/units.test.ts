/**
 * The MQTT parts that need no broker: scrubbing, the cursor file under write failures, the
 * publisher's durable-only reading and once-per-seq poison alarms (real journal in a temp dir, a
 * fake sink), and the topic rules. Commands: commands.test.ts.
 */
import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { AppError } from '../../src/domain/errors.js';
import { type JournalEvent, uncheckedEvent } from '../../src/domain/events.js';
import { accessMessage, eventMessage, scrubPersonalData, scrubString } from '../../src/mqtt/payloads.js';
import { EventPublisher, messagesFor, PoisonEventError, type PublishSink } from '../../src/mqtt/publisher.js';
import { assertPublishable, TopicError, Topics } from '../../src/mqtt/topics.js';
import { CursorFile } from '../../src/store/cursor.js';
import { Journal } from '../../src/store/journal.js';
import { listSegments } from '../../src/store/journal-segments.js';
import { until as waitUntil } from '../fixtures/wait.js';

const silent = pino({ level: 'silent' });
const NIK = '3319014507900003';

const until = (check: () => boolean, what: string, ms = 10_000) => waitUntil(check, what, ms);

describe('mqtt scrubPersonalData', () => {
  it('masks a NIK or phone number embedded anywhere in free text, and only those', () => {
    const cases: [string, string][] = [
      [`NIK ${NIK} salah`, 'NIK [redacted] salah'],
      [`nik:${NIK}.`, 'nik:[redacted].'],
      [`NIK${NIK}`, 'NIK[redacted]'],
      ['3319 0145 0790 0003 (KTP)', '[redacted] (KTP)'],
      ['hubungi 0812-3456-7890 ya', 'hubungi [redacted] ya'],
      ['hp +62 812 3456 7890, kantor', 'hp [redacted], kantor'],
      ['wa 6281234567890', 'wa [redacted]'],
      ['tel 081234567', 'tel [redacted]'], // 0, 8, seven more: the shortest
      [`dua: ${NIK} ${NIK}`, 'dua: [redacted]'],
      ['nomor 1 08123456789 lalu', 'nomor [redacted] lalu'],
      [NIK, '[redacted]'],
      ['081234567890', '[redacted]'],
      // Left alone: dates, times, counts, short numbers, epoch ms, ids.
      ['2024-05-01 10:00 ruang 12 lantai 3', '2024-05-01 10:00 ruang 12 lantai 3'],
      ['epoch 1714550000000', 'epoch 1714550000000'],
      ['08123456', '08123456'],
      ['12345678-1234-1234-1234-123456789012', '12345678-1234-1234-1234-123456789012'],
      ['operator dashboard', 'operator dashboard'],
      ['', ''],
    ];
    for (const [input, want] of cases) assert.equal(scrubString(input), want, input);
  });

  it('scrubs nested data, drops personal keys, and is cheap for ordinary strings', () => {
    const out = scrubPersonalData({
      nik: NIK,
      no_hp: '081234567890',
      note: `NIK ${NIK} salah`,
      list: [{ purpose: 'cek 0812 3456 7890' }, 5, null],
    });
    assert.deepEqual(out, {
      note: 'NIK [redacted] salah',
      list: [{ purpose: 'cek [redacted]' }, 5, null],
    });
    const ev: JournalEvent = {
      seq: 1,
      id: 'e1',
      type: 'access.denied',
      at: '2024-01-01T00:00:00.000Z',
      door: 'd',
      hash: 'h',
      prev: 'p',
      data: { reason: `kartu NIK ${NIK}`, by: { name: 'pak 081234567890' } },
    } as JournalEvent;
    assert.ok(!JSON.stringify(eventMessage(ev)).includes(NIK));
    assert.ok(!JSON.stringify(eventMessage(ev)).includes('081234567890'));
    assert.equal(accessMessage(ev)?.reason, 'kartu NIK [redacted]');
    // Cheap: a short string or a long one without nine digits in a row is one regex test.
    const long = 'Kunjungan rutin pemeliharaan server dan pengecekan UPS lantai 2 '.repeat(4);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 100_000; i++) {
      scrubString('operator dashboard');
      scrubString(long);
    }
    const nsPerPair = Number(process.hrtime.bigint() - t0) / 100_000;
    assert.ok(nsPerPair < 20_000, `${nsPerPair} ns per pair`);
  });
});

describe('mqtt cursor file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jk-cursor-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a failed write dirty and retries it, without an exception out of the timer', async () => {
    const errors: string[] = [];
    const cursor = new CursorFile(dir, 10, undefined, (e) => errors.push(e.message));
    cursor.load();
    // The temp file's name taken by a directory: the write fails as ENOSPC/EIO would.
    const blocker = join(dir, `.mqtt-cursor.json.${process.pid}.tmp`);
    mkdirSync(blocker);
    cursor.advance({ seq: 5, id: 'e5', at: null });
    await until(() => cursor.lastError !== null, 'a failed write');
    assert.equal(errors.length, 1);
    assert.ok(!existsSync(cursor.path));
    cursor.advance({ seq: 6, id: 'e6', at: null }); // still dirty: no throw, no new report
    rmSync(blocker, { recursive: true });
    await until(() => cursor.lastError === null, 'the retried write', 5000);
    assert.equal(JSON.parse(readFileSync(cursor.path, 'utf8')).seq, 6);
    assert.equal(cursor.flush(), true);
    cursor.close();
  });

  it('treats a corrupt file as seq 0 with the problem named, and keeps the poison seq', () => {
    const cursor = new CursorFile(dir, 0);
    writeFileSync(cursor.path, '{"seq": 12, "id": "x"'); // torn
    assert.equal(cursor.load().seq, 0);
    assert.match(cursor.loadProblem ?? '', /JSON/);
    cursor.advance({ seq: 3, id: 'e3', at: null });
    cursor.notePoison(2);
    const again = new CursorFile(dir, 0);
    assert.deepEqual(again.load(), { seq: 3, id: 'e3', at: null, poisonSeq: 2 });
    assert.equal(again.loadProblem, null);
  });
});

describe('mqtt publisher (real journal, fake sink)', () => {
  let dir: string;
  let journal: Journal;
  const topics = new Topics('jurukunci', 'door-1');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jk-pub-'));
    journal = new Journal({ dir: join(dir, 'journal'), door: 'door-1', maxFileBytes: 1 << 20 });
    journal.start();
  });
  afterEach(() => {
    journal.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function sink(opts: { fail?: (topic: string, n: number) => boolean } = {}) {
    const sent: { topic: string; seq: number }[] = [];
    let n = 0;
    const s: PublishSink & { sent: typeof sent } = {
      sent,
      connected: true,
      publishQos1(topic, payload, done) {
        n++;
        const failNow = opts.fail?.(topic, n) ?? false;
        if (!failNow) sent.push({ topic, seq: (JSON.parse(payload) as { seq: number }).seq });
        setImmediate(() => done(failNow ? new Error('injected publish failure') : undefined));
      },
    };
    return s;
  }
  const publisher = (s: PublishSink, cursor = new CursorFile(dir, 0)) =>
    new EventPublisher({
      journal,
      cursor,
      topics,
      sink: s,
      logger: silent,
      maxPayloadBytes: 4096,
    });
  const eventSeqs = (s: { sent: { topic: string; seq: number }[] }) =>
    s.sent.filter((m) => m.topic.includes('/events/')).map((m) => m.seq);

  it('never publishes an event before it is durable (deferred append, then sync)', async () => {
    for (let i = 0; i < 3; i++) journal.append(uncheckedEvent('door.exit_request', { i }));
    const deferred = journal.append(uncheckedEvent('door.exit_request', { i: 3 }), { defer: true });
    assert.equal(journal.seq, 4);
    const s = sink();
    const p = publisher(s);
    p.start(); // behind: reads the files, which already hold seq 4 (written, not fsynced)
    await until(() => p.acknowledgedSeq === 3, 'seq 3 acknowledged');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(eventSeqs(s), [1, 2, 3]);
    assert.equal(p.backlog, 0, 'backlog counts durable events only');
    p.pump();
    assert.deepEqual(eventSeqs(s), [1, 2, 3]);
    journal.sync();
    await until(() => p.acknowledgedSeq === deferred.seq, 'the synced event');
    assert.deepEqual(eventSeqs(s), [1, 2, 3, 4]);
    p.stop();
  });

  it('journals a poison alarm once per seq, across rewinds and restarts', async () => {
    journal.append(uncheckedEvent('door.exit_request', {}));
    const poison = journal.append(uncheckedEvent('access.denied', { blob: 'x'.repeat(8000) }));
    journal.append(uncheckedEvent('door.exit_request', {}));
    const alarms = () => journal.read(0, 10_000).filter((e) => e.type === 'alarm.mqtt_poison');
    // First run: the publish after the poison fails once, so the publisher rewinds over it.
    let failed = false;
    const s1 = sink({
      fail: (topic) => {
        if (failed || !topic.endsWith('door.exit_request')) return false;
        failed = true;
        return true;
      },
    });
    const cursor1 = new CursorFile(dir, 0);
    const p1 = publisher(s1, cursor1);
    p1.start();
    await until(() => p1.acknowledgedSeq >= poison.seq + 2, 'past the poison and its alarm', 5000);
    assert.ok(failed, 'a rewind happened');
    assert.equal(alarms().length, 1);
    assert.equal(alarms()[0]!.data.seq, poison.seq);
    assert.equal(p1.stats.poison, 1);
    p1.stop();
    // Restart with the cursor moved back (a lagging write): the same poison seq is met again.
    writeFileSync(cursor1.path, JSON.stringify({ seq: 0, id: null, at: null, poisonSeq: poison.seq }));
    const s2 = sink();
    const p2 = publisher(s2, new CursorFile(dir, 0));
    p2.start();
    await until(() => p2.acknowledgedSeq === journal.durableSeq, 'caught up again');
    assert.equal(alarms().length, 1, 'no second alarm for the same seq');
    assert.equal(p2.stats.poison, 1);
    p2.stop();
  });

  it('reads behind through the journal reader: a damaged line is one poison alarm, the rest is published', async () => {
    journal.append(uncheckedEvent('door.exit_request', {}));
    journal.append(uncheckedEvent('door.exit_request', {}));
    // A line damaged on disk between seq 2 and seq 3 (the journal appends after it).
    appendFileSync(listSegments(journal.dir)[0]!.file, '{"seq":3,"id":"torn-by-a-bad-sector\n');
    journal.append(uncheckedEvent('door.exit_request', {}));
    assert.equal(journal.seq, 3);
    const s = sink();
    const p = publisher(s);
    p.start();
    await until(
      () => p.acknowledgedSeq === journal.durableSeq && journal.seq === 4,
      'caught up with the alarm',
    );
    const alarms = journal.read(0).filter((e) => e.type === 'alarm.mqtt_poison');
    assert.equal(alarms.length, 1);
    assert.equal(alarms[0]!.data.seq, 3, 'reported at the seq the publisher was waiting for');
    assert.match(String(alarms[0]!.data.reason), /not valid JSON/);
    assert.deepEqual(eventSeqs(s), [1, 2, 3, 4]);
    assert.equal(p.stats.poison, 1);
    p.stop();
  });

  it('a poison event is a PoisonEventError, an AppError with the event_unpublishable code', () => {
    const ev = journal.append(uncheckedEvent('access.denied', { blob: 'x'.repeat(8000) }));
    assert.throws(
      () => messagesFor(ev, topics, 4096),
      (e: unknown) =>
        e instanceof PoisonEventError && e instanceof AppError && e.code === 'event_unpublishable',
    );
  });

  it('republishes from seq 1 when the saved cursor is ahead of the journal', async () => {
    journal.append(uncheckedEvent('door.exit_request', {}));
    const cursor = new CursorFile(dir, 0);
    writeFileSync(cursor.path, JSON.stringify({ seq: 99, id: 'gone', at: null, poisonSeq: 50 }));
    const s = sink();
    const p = publisher(s, cursor);
    p.start();
    await until(() => p.acknowledgedSeq === 1, 'seq 1');
    assert.deepEqual(eventSeqs(s), [1]);
    assert.equal(cursor.poisonSeq, 0);
    p.stop();
  });
});

describe('mqtt topics', () => {
  it('a topic nothing may be published to is a catalogued TopicError', () => {
    for (const [topic, why] of [
      ['jurukunci/+/state', /wildcards/],
      ['jurukunci/#', /wildcards/],
      ['', /empty/],
      ['a\u0000b', /NUL/],
    ] as const) {
      assert.throws(
        () => assertPublishable(topic),
        (err: unknown) =>
          err instanceof TopicError &&
          err instanceof AppError &&
          err.code === 'mqtt_topic_invalid' &&
          err.status === 500 &&
          err.topic === topic &&
          why.test(err.why) &&
          err.message.includes(`'${topic}'`),
      );
    }
    assert.equal(assertPublishable('jurukunci/server-room/state'), 'jurukunci/server-room/state');
  });

  it('the discovery prefix defaults to the schema default', () => {
    const topics = new Topics('jurukunci', 'server-room');
    assert.equal(topics.haStatus, `${loadConfig({ env: {} }).mqtt.discovery.prefix}/status`);
  });
});
