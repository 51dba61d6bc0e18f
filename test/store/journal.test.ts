/** The journal writer: append, rotation, reading back, restart, torn-line recovery, failed appends. */
import assert from 'node:assert/strict';
import fs, {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { AppError } from '../../src/domain/errors.js';
import { type JournalEvent, uncheckedEvent } from '../../src/domain/events.js';
import { Journal, type JournalOptions, JournalWriteError } from '../../src/store/journal.js';
import { GENESIS_HASH, hashEvent } from '../../src/store/journal-chain.js';
import { fileNameFor, listSegments } from '../../src/store/journal-segments.js';
import { verifyJournal } from '../../src/store/journal-verify.js';
import { tempDir, withPatchedFs } from './helpers.js';
import { allEvents, errno, fileEvents, fill, open, range, rehash, seqs, UUID_RE } from './journal-helpers.js';

describe('store/journal', () => {
  let dir: string;
  let cleanup: () => void;
  const opened: Journal[] = [];
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('jurukunci-journal-'));
    dir = join(dir, 'journal');
  });
  afterEach(() => {
    for (const j of opened.splice(0)) j.stop();
    cleanup();
  });
  const start = (opts: Partial<JournalOptions> = {}): Journal => {
    const j = open(dir, opts);
    opened.push(j);
    return j;
  };

  describe('append', () => {
    it('assigns monotonic seqs, unique ids, the clock time and door, and a valid hash chain', () => {
      const j = start();
      assert.equal(j.seq, 0);
      assert.deepEqual(j.head, { seq: 0, hash: GENESIS_HASH });
      const evs = fill(j, 100);
      assert.deepEqual(seqs(evs), range(1, 100));
      assert.equal(new Set(evs.map((e) => e.id)).size, 100);
      for (const e of evs) assert.match(e.id, UUID_RE);
      assert.equal(evs[0]!.prev, GENESIS_HASH);
      for (let i = 0; i < evs.length; i++) {
        const e = evs[i]!;
        if (i > 0) assert.equal(e.prev, evs[i - 1]!.hash);
        const { hash, ...rest } = e;
        assert.equal(hash, hashEvent(rest));
        assert.match(hash, /^[0-9a-f]{64}$/);
        assert.equal(e.door, 'srv-1');
        assert.equal(e.type, 'door.opened');
        assert.deepEqual(e.data, { i, pad: '' });
      }
      assert.equal(evs[0]!.at, '2025-03-01T08:00:01.000Z');
      assert.equal(evs[1]!.at, '2025-03-01T08:00:02.000Z');
      assert.deepEqual(j.head, { seq: 100, hash: evs[99]!.hash });
      assert.deepEqual(j.health(), { ok: true, seq: 100, error: null });
    });

    it('writes one JSON line per event, newline-terminated, identical to what append returned', () => {
      const j = start();
      const evs = fill(j, 5);
      const segs = listSegments(dir);
      assert.equal(segs.length, 1);
      assert.equal(basename(segs[0]!.file), 'journal-000000000001.jsonl');
      const text = readFileSync(segs[0]!.file, 'utf8');
      assert.ok(text.endsWith('\n'));
      assert.equal(text.split('\n').length, 6);
      assert.deepEqual(fileEvents(segs[0]!.file), evs);
      assert.equal(statSync(segs[0]!.file).mode & 0o777, 0o600);
    });

    it('emits "appended" once per event, in order, after it is on disk', () => {
      const j = start();
      const got: JournalEvent[] = [];
      j.on('appended', (e) => {
        assert.ok(
          allEvents(dir).some((x) => x.id === e.id),
          'event emitted before it was written',
        );
        got.push(e);
      });
      const evs = fill(j, 3);
      assert.deepEqual(got, evs);
    });

    it('syncs once per append, with fdatasync (and not at all with fsync: false)', async () => {
      const realFsync = fs.fsyncSync;
      const realFdatasync = fs.fdatasyncSync;
      let n = 0;
      let full = 0;
      const count = {
        // fdatasync: the data and the new file size (what reading it back needs), not timestamps.
        fdatasyncSync: (fd: number) => {
          n++;
          realFdatasync(fd);
        },
        fsyncSync: (fd: number) => {
          full++;
          realFsync(fd);
        },
      };
      const j = start();
      j.append(uncheckedEvent('system.started', {})); // creates the segment
      await withPatchedFs(count, () => fill(j, 10));
      assert.equal(n, 10);
      assert.equal(full, 0, 'no second sync per append');
      j.stop();
      n = 0;
      const k = start({ fsync: false });
      await withPatchedFs(count, () => fill(k, 10));
      assert.equal(n, 0);
    });

    it('refuses to append before start and after stop', () => {
      const j = new Journal({ dir, door: 'd', maxFileBytes: 1000 });
      assert.throws(() => j.append(uncheckedEvent('door.closed', {})), JournalWriteError);
      j.start();
      j.append(uncheckedEvent('door.closed', {}));
      j.stop();
      assert.throws(
        () => j.append(uncheckedEvent('door.closed', {})),
        (e: unknown) => {
          assert.ok(e instanceof JournalWriteError);
          assert.equal(e.name, 'JournalWriteError');
          // In the one catalogue: callers match the code, never the message.
          assert.ok(e instanceof AppError);
          assert.equal(e.code, 'journal_unavailable');
          assert.equal(e.status, 503);
          return true;
        },
      );
      assert.equal(j.health().ok, false);
      assert.equal(allEvents(dir).length, 1);
    });

    it('start on a fresh directory creates it and records nothing', () => {
      const j = new Journal({ dir: join(dir, 'a', 'b'), door: 'd', maxFileBytes: 1000 });
      opened.push(j);
      assert.deepEqual(j.start(), { recovered: null });
      assert.ok(existsSync(join(dir, 'a', 'b')));
      assert.equal(j.seq, 0);
      assert.deepEqual(listSegments(join(dir, 'a', 'b')), []);
    });
  });

  describe('rotation', () => {
    it('rotates by size into several files named by their first seq; no file exceeds maxFileBytes', () => {
      const max = 1200;
      const j = start({ maxFileBytes: max });
      const evs = fill(j, 60, 50);
      const segs = listSegments(dir);
      assert.ok(segs.length >= 5, `expected several segments, got ${segs.length}`);
      for (const s of segs) {
        const inFile = fileEvents(s.file);
        assert.ok(inFile.length > 0);
        assert.equal(inFile[0]!.seq, s.firstSeq);
        assert.equal(basename(s.file), fileNameFor(s.firstSeq));
        assert.ok(statSync(s.file).size <= max, `${basename(s.file)} is ${statSync(s.file).size} bytes`);
      }
      // Segments are contiguous and together hold exactly the appended events.
      assert.deepEqual(allEvents(dir), evs);
      assert.equal(verifyJournal(dir).ok, true);
      assert.equal(verifyJournal(dir).files, segs.length);
    });

    it('puts an event larger than maxFileBytes into a segment of its own', () => {
      const j = start({ maxFileBytes: 400 });
      fill(j, 2);
      const big = j.append(uncheckedEvent('door.opened', { blob: 'z'.repeat(2000) }));
      fill(j, 2);
      const segs = listSegments(dir);
      const own = segs.find((s) => s.firstSeq === big.seq);
      assert.ok(own, 'the big event starts a segment');
      assert.deepEqual(seqs(fileEvents(own.file)), [big.seq]);
      assert.deepEqual(seqs(allEvents(dir)), range(1, 5));
      assert.ok(verifyJournal(dir).ok);
    });
  });

  describe('read', () => {
    it('reads from any cursor with any limit, within and across segments', () => {
      const j = start({ maxFileBytes: 900 });
      const evs = fill(j, 45, 20);
      assert.ok(listSegments(dir).length >= 4);
      assert.deepEqual(j.read(0, 1000), evs);
      assert.deepEqual(seqs(j.read(-10)), range(1, 45));
      for (let after = 0; after <= 46; after++) {
        for (const limit of [1, 2, 7, 1000]) {
          const want = range(after + 1, Math.min(45, after + limit));
          assert.deepEqual(seqs(j.read(after, limit)), want, `read(${after}, ${limit})`);
        }
      }
      assert.deepEqual(j.read(45), []);
      assert.deepEqual(j.read(1000), []);
      // Paging with the last seq as cursor visits every event exactly once.
      const paged: JournalEvent[] = [];
      let cursor = 0;
      for (;;) {
        const page = j.read(cursor, 4);
        if (page.length === 0) break;
        paged.push(...page);
        cursor = page[page.length - 1]!.seq;
      }
      assert.deepEqual(paged, evs);
    });

    it('iterate yields everything after the cursor', () => {
      const j = start({ maxFileBytes: 700 });
      fill(j, 20, 10);
      assert.deepEqual(seqs([...j.iterate(13)]), range(14, 20));
    });

    it('a reader opened on the same dir sees what the writer appended (after start)', () => {
      const j = start({ maxFileBytes: 700 });
      const evs = fill(j, 12, 10);
      j.stop();
      const r = start({ maxFileBytes: 700 });
      assert.deepEqual(r.read(5, 3), evs.slice(5, 8));
    });
  });

  describe('restart', () => {
    it('continues the chain after stop and start without touching existing lines', () => {
      const j = start();
      const first = fill(j, 10);
      j.stop();
      const before = readFileSync(listSegments(dir)[0]!.file);
      const k = start();
      assert.equal(k.seq, 10);
      assert.deepEqual(k.head, { seq: 10, hash: first[9]!.hash });
      const next = k.append(uncheckedEvent('system.started', {}));
      assert.equal(next.seq, 11);
      assert.equal(next.prev, first[9]!.hash);
      const after = readFileSync(listSegments(dir)[0]!.file);
      assert.deepEqual(after.subarray(0, before.length), before, 'earlier events were overwritten');
      assert.deepEqual(allEvents(dir), [...first, next]);
      assert.deepEqual(verifyJournal(dir), {
        ok: true,
        events: 11,
        files: 1,
        lastSeq: 11,
        legacyEvents: 0,
        checkpoints: { count: 0, verified: 0 },
        anchor: null,
        firstBad: null,
      });
    });

    it('continues in the newest of several rotated segments, and keeps rotating', () => {
      const j = start({ maxFileBytes: 800 });
      fill(j, 25, 20);
      const segsBefore = listSegments(dir).length;
      j.stop();
      for (let round = 0; round < 3; round++) {
        const k = start({ maxFileBytes: 800 });
        fill(k, 10, 20);
        k.stop();
      }
      assert.ok(listSegments(dir).length > segsBefore);
      const v = verifyJournal(dir);
      assert.equal(v.ok, true, JSON.stringify(v.firstBad));
      assert.equal(v.lastSeq, 55);
      assert.deepEqual(seqs(allEvents(dir)), range(1, 55));
    });

    it('continues from the previous segment when the newest segment is empty', () => {
      const j = start({ maxFileBytes: 600 });
      const evs = fill(j, 10, 20);
      j.stop();
      // A crash between creating a segment and writing its first line leaves an empty file.
      writeFileSync(join(dir, fileNameFor(11)), '');
      const k = start({ maxFileBytes: 600 });
      assert.deepEqual(k.head, { seq: 10, hash: evs[9]!.hash });
      const e = k.append(uncheckedEvent('door.closed', {}));
      assert.equal(e.seq, 11);
      assert.ok(verifyJournal(dir).ok);
    });
  });

  describe('torn last line recovery', () => {
    const tornCases: { name: string; tail: (next: string) => Buffer }[] = [
      { name: 'garbage without a newline', tail: () => Buffer.from('{"seq":11,"id":"garb') },
      {
        name: 'the first half of a real event line',
        tail: (next) => Buffer.from(next.slice(0, next.length >> 1)),
      },
      { name: 'a whole event line missing only its newline', tail: (next) => Buffer.from(next.trimEnd()) },
      { name: 'zero bytes (blocks allocated, data never written)', tail: () => Buffer.alloc(4096) },
      {
        name: 'two lines that never reached the disk (zeros with a newline between)',
        tail: () => Buffer.concat([Buffer.alloc(100), Buffer.from('\n'), Buffer.alloc(57)]),
      },
      { name: 'non-UTF-8 bytes', tail: () => Buffer.from([0xff, 0xfe, 0x7b, 0x22, 0xc3]) },
    ];

    for (const tc of tornCases) {
      it(`cuts ${tc.name} at start and journals journal.recovered`, () => {
        const j = start({ maxFileBytes: 1000 });
        const evs = fill(j, 10, 20);
        j.stop();
        const segs = listSegments(dir);
        const last = segs[segs.length - 1]!;
        const goodBytes = readFileSync(last.file);
        const nextLine = `${JSON.stringify(rehash({ ...evs[9]!, seq: 11, prev: evs[9]!.hash }))}\n`;
        const tail = tc.tail(nextLine);
        appendFileSync(last.file, tail);

        const pre = verifyJournal(dir);
        assert.equal(pre.ok, false, 'verify should see the torn tail');
        assert.equal(pre.firstBad!.seq, 11);

        const k = new Journal({ dir, door: 'srv-1', maxFileBytes: 1000 });
        opened.push(k);
        const recordedEvents: JournalEvent[] = [];
        k.on('appended', (e) => recordedEvents.push(e));
        const res = k.start();
        assert.deepEqual(res.recovered, { file: last.file, droppedBytes: tail.length });
        const content = readFileSync(last.file);
        assert.deepEqual(content.subarray(0, goodBytes.length), goodBytes);
        const rec = fileEvents(last.file).pop()!;
        assert.equal(rec.type, 'journal.recovered');
        assert.equal(rec.seq, 11);
        assert.equal(rec.prev, evs[9]!.hash);
        assert.deepEqual(rec.data, { file: basename(last.file), droppedBytes: tail.length, lastGoodSeq: 10 });
        assert.deepEqual(recordedEvents, [rec]);
        assert.equal(content.length, goodBytes.length + Buffer.byteLength(`${JSON.stringify(rec)}\n`));
        assert.deepEqual(k.health(), { ok: true, seq: 11, error: null });

        const e12 = k.append(uncheckedEvent('door.closed', {}));
        assert.equal(e12.seq, 12);
        const v = verifyJournal(dir);
        assert.equal(v.ok, true, JSON.stringify(v.firstBad));
        assert.equal(v.lastSeq, 12);
        assert.deepEqual(k.read(9), [evs[9]!, rec, e12]);
      });
    }

    it('recovers a newest segment that holds only a torn line, continuing from the segment before', () => {
      const j = start({ maxFileBytes: 600 });
      const evs = fill(j, 10, 20);
      j.stop();
      const torn = join(dir, fileNameFor(11));
      writeFileSync(torn, '{"seq":11,"id":"ab');
      const k = start({ maxFileBytes: 600 });
      const rec = k.read(10);
      assert.equal(rec.length, 1);
      assert.equal(rec[0]!.type, 'journal.recovered');
      assert.equal(rec[0]!.seq, 11);
      assert.equal(rec[0]!.prev, evs[9]!.hash);
      assert.deepEqual(rec[0]!.data, { file: fileNameFor(11), droppedBytes: 18, lastGoodSeq: 10 });
      assert.deepEqual(fileEvents(torn), rec);
      assert.ok(verifyJournal(dir).ok);
    });

    it('recovers a lone segment that holds only a torn line', () => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, fileNameFor(1)), Buffer.alloc(300));
      const k = start();
      assert.deepEqual(seqs(k.read(0)), [1]);
      assert.equal(k.read(0)[0]!.prev, GENESIS_HASH);
      assert.equal(k.read(0)[0]!.data.droppedBytes, 300);
      assert.ok(verifyJournal(dir).ok);
    });

    it('finds the last good line when it is longer than the 64 KiB tail window', () => {
      const j = start({ maxFileBytes: 10 << 20 });
      fill(j, 3);
      const huge = j.append(uncheckedEvent('door.opened', { blob: 'h'.repeat(200_000) }));
      j.stop();
      const file = listSegments(dir)[0]!.file;
      // First: a clean journal whose last line is huge needs no recovery.
      const k = start({ maxFileBytes: 10 << 20 });
      assert.deepEqual(k.head, { seq: 4, hash: huge.hash });
      k.stop();
      opened.length = 0;
      // Then: the same, with a torn tail after the huge line.
      appendFileSync(file, `{"seq":5,${'x'.repeat(70_000)}`);
      const m = new Journal({ dir, door: 'srv-1', maxFileBytes: 10 << 20 });
      opened.push(m);
      assert.equal(m.start().recovered?.droppedBytes, 70_009);
      assert.equal(m.read(4)[0]!.type, 'journal.recovered');
      assert.equal(m.read(4)[0]!.prev, huge.hash);
      assert.ok(verifyJournal(dir).ok);
    });

    it('a clean journal is not "recovered" on start', () => {
      const j = start();
      fill(j, 3);
      j.stop();
      const k = start();
      assert.equal(k.seq, 3);
      assert.deepEqual(
        allEvents(dir).map((e) => e.type),
        ['door.opened', 'door.opened', 'door.opened'],
      );
    });
  });

  describe('failed appends', () => {
    it('a segment on a full disk (/dev/full) throws JournalWriteError and marks health not ok', () => {
      mkdirSync(dir, { recursive: true });
      symlinkSync('/dev/full', join(dir, fileNameFor(1)));
      const j = start();
      const emitted: JournalEvent[] = [];
      j.on('appended', (e) => emitted.push(e));
      assert.throws(
        () => j.append(uncheckedEvent('access.granted', {})),
        (e: unknown) => {
          assert.ok(e instanceof JournalWriteError);
          assert.equal((e.cause as NodeJS.ErrnoException).code, 'ENOSPC');
          assert.match(e.message, /journal not writable/);
          return true;
        },
      );
      const h = j.health();
      assert.equal(h.ok, false);
      assert.equal(h.seq, 0);
      assert.match(h.error ?? '', /ENOSPC/);
      assert.equal(j.seq, 0);
      assert.deepEqual(emitted, []);
      assert.throws(() => j.append(uncheckedEvent('access.granted', {})), JournalWriteError);
    });

    it('a removed journal directory fails the append; once it is back, appends resume without a seq gap', () => {
      const j = start({ maxFileBytes: 500 });
      fill(j, 5, 20);
      rmSync(dir, { recursive: true });
      // The next appends need a new segment, which cannot be created.
      let failures = 0;
      for (let i = 0; i < 5; i++) {
        try {
          j.append(uncheckedEvent('door.opened', { pad: 'p'.repeat(100) }));
        } catch (e) {
          assert.ok(e instanceof JournalWriteError);
          failures++;
        }
      }
      assert.ok(failures > 0, 'some append must have needed a new segment');
      assert.equal(j.health().ok, false);
      const seqAtFailure = j.seq;
      mkdirSync(dir);
      const e = j.append(uncheckedEvent('system.started', {}));
      assert.equal(e.seq, seqAtFailure + 1);
      assert.deepEqual(j.health(), { ok: true, seq: e.seq, error: null });
      // The chain from the new segment on is intact; the segments removed with the directory are
      // reported missing: no journal.pruned says where they went (journal-retention.ts).
      const v = verifyJournal(dir);
      assert.equal(v.ok, false);
      assert.match(v.firstBad!.problem, /no journal\.pruned event/);
    });

    it('a write failing half-way leaves no partial line; the next append reuses the seq', async () => {
      const j = start();
      const evs = fill(j, 3);
      const file = listSegments(dir)[0]!.file;
      const size = statSync(file).size;
      const realWrite = fs.writeSync as (...a: unknown[]) => number;
      let calls = 0;
      await withPatchedFs(
        {
          writeSync: ((fd: number, buf: Buffer, off: number, len: number) => {
            // The first call really writes half the line, the second hits an I/O error.
            if (++calls === 1) return realWrite(fd, buf, off, len >> 1);
            throw errno('EIO');
          }) as unknown as typeof fs.writeSync,
        },
        () => assert.throws(() => j.append(uncheckedEvent('door.forced', {})), JournalWriteError),
      );
      assert.equal(calls, 2);
      assert.equal(statSync(file).size, size, 'the half-written line must be cut');
      assert.equal(j.health().ok, false);
      assert.match(j.health().error ?? '', /EIO/);
      const next = j.append(uncheckedEvent('door.forced', {}));
      assert.equal(next.seq, 4);
      assert.equal(next.prev, evs[2]!.hash);
      assert.equal(j.health().ok, true);
      assert.deepEqual(verifyJournal(dir), {
        ok: true,
        events: 4,
        files: 1,
        lastSeq: 4,
        legacyEvents: 0,
        checkpoints: { count: 0, verified: 0 },
        anchor: null,
        firstBad: null,
      });
    });

    it('an fsync failure fails the append and does not leave the unsynced event in the file', async () => {
      const j = start();
      fill(j, 2);
      await withPatchedFs(
        {
          fsyncSync: () => {
            throw errno('EIO');
          },
          fdatasyncSync: () => {
            throw errno('EIO');
          },
        },
        () => assert.throws(() => j.append(uncheckedEvent('door.forced', {})), JournalWriteError),
      );
      assert.equal(j.health().ok, false);
      assert.deepEqual(seqs(allEvents(dir)), [1, 2]);
      assert.equal(j.append(uncheckedEvent('door.closed', {})).seq, 3);
      assert.ok(verifyJournal(dir).ok);
    });

    it('a failed append leaves nothing for a restart to recover', async () => {
      const j = start();
      fill(j, 2);
      const realWrite = fs.writeSync as (...a: unknown[]) => number;
      let calls = 0;
      await withPatchedFs(
        {
          writeSync: ((fd: number, buf: Buffer, off: number) => {
            if (++calls === 1) return realWrite(fd, buf, off, 10);
            throw errno('EIO');
          }) as unknown as typeof fs.writeSync,
        },
        () => assert.throws(() => j.append(uncheckedEvent('door.forced', {})), JournalWriteError),
      );
      j.stop();
      opened.length = 0;
      const k = start();
      assert.equal(k.seq, 2);
      assert.deepEqual(
        allEvents(dir).map((e) => e.type),
        ['door.opened', 'door.opened'],
      );
      assert.ok(readdirSync(dir).every((n) => n.startsWith('journal-')));
    });
  });
});
