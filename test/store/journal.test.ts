import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
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
import type { JournalEvent } from '../../src/domain/events.js';
import { Journal, type JournalOptions, JournalWriteError } from '../../src/store/journal.js';
import { GENESIS_HASH, hashEvent } from '../../src/store/journal-chain.js';
import { fileNameFor, listSegments, readLines } from '../../src/store/journal-segments.js';
import { verifyJournal } from '../../src/store/journal-verify.js';
import { tempDir, withPatchedFs } from './helpers.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function steppingClock(startIso = '2025-03-01T08:00:00.000Z'): () => Date {
  let t = Date.parse(startIso);
  return () => {
    t += 1000;
    return new Date(t);
  };
}

function open(dir: string, opts: Partial<JournalOptions> = {}): Journal {
  const j = new Journal({ dir, door: 'srv-1', maxFileBytes: 1 << 20, clock: steppingClock(), ...opts });
  j.start();
  return j;
}

function fill(j: Journal, n: number, pad = 0): JournalEvent[] {
  const out: JournalEvent[] = [];
  for (let i = 0; i < n; i++) out.push(j.append({ type: 'door.opened', data: { i, pad: 'p'.repeat(pad) } }));
  return out;
}

function fileEvents(file: string): JournalEvent[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as JournalEvent);
}

function allEvents(dir: string): JournalEvent[] {
  return listSegments(dir).flatMap((s) => fileEvents(s.file));
}

function seqs(evs: { seq: number }[]): number[] {
  return evs.map((e) => e.seq);
}

function range(from: number, to: number): number[] {
  const r: number[] = [];
  for (let i = from; i <= to; i++) r.push(i);
  return r;
}

/** Rewrites the lines of a segment through `edit`, byte for byte otherwise. */
function editLines(file: string, edit: (lines: string[]) => string[]): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  assert.equal(lines.pop(), '', 'segment should end with a newline');
  writeFileSync(
    file,
    edit(lines)
      .map((l) => `${l}\n`)
      .join(''),
  );
}

function rehash(e: JournalEvent): JournalEvent {
  const { hash: _h, ...rest } = e;
  return { ...rest, hash: hashEvent(rest) };
}

function errno(code: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: simulated`) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}

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

  describe('hashEvent', () => {
    it('is sha256(prev + "\\n" + JSON of {seq,id,at,door,type,data}) regardless of key order', () => {
      const e = {
        data: { b: 1 },
        type: 'door.closed' as const,
        door: 'd',
        at: '2025-01-01T00:00:00.000Z',
        id: 'x',
        seq: 3,
        prev: 'a'.repeat(64),
      };
      const body = JSON.stringify({
        seq: 3,
        id: 'x',
        at: e.at,
        door: 'd',
        type: 'door.closed',
        data: { b: 1 },
      });
      const expected = createHash('sha256')
        .update(`${'a'.repeat(64)}\n${body}`)
        .digest('hex');
      assert.equal(hashEvent(e), expected);
      assert.notEqual(hashEvent({ ...e, prev: GENESIS_HASH }), expected);
      assert.notEqual(hashEvent({ ...e, data: { b: 2 } }), expected);
    });

    it('names segments by their zero-padded first sequence number', () => {
      assert.equal(fileNameFor(1), 'journal-000000000001.jsonl');
      assert.equal(fileNameFor(1234567), 'journal-000001234567.jsonl');
    });
  });

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

    it('fsyncs once per append (and not at all with fsync: false)', async () => {
      const realFsync = fs.fsyncSync;
      let n = 0;
      const count = {
        fsyncSync: (fd: number) => {
          n++;
          realFsync(fd);
        },
      };
      const j = start();
      j.append({ type: 'system.started', data: {} }); // creates the segment
      await withPatchedFs(count, () => fill(j, 10));
      assert.equal(n, 10);
      j.stop();
      n = 0;
      const k = start({ fsync: false });
      await withPatchedFs(count, () => fill(k, 10));
      assert.equal(n, 0);
    });

    it('refuses to append before start and after stop', () => {
      const j = new Journal({ dir, door: 'd', maxFileBytes: 1000 });
      assert.throws(() => j.append({ type: 'door.closed', data: {} }), JournalWriteError);
      j.start();
      j.append({ type: 'door.closed', data: {} });
      j.stop();
      assert.throws(
        () => j.append({ type: 'door.closed', data: {} }),
        (e: unknown) => {
          assert.ok(e instanceof JournalWriteError);
          assert.equal(e.name, 'JournalWriteError');
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
      const big = j.append({ type: 'door.opened', data: { blob: 'z'.repeat(2000) } });
      fill(j, 2);
      const segs = listSegments(dir);
      const own = segs.find((s) => s.firstSeq === big.seq);
      assert.ok(own, 'the big event starts a segment');
      assert.deepEqual(seqs(fileEvents(own.file)), [big.seq]);
      assert.deepEqual(seqs(allEvents(dir)), range(1, 5));
      assert.ok(verifyJournal(dir).ok);
    });

    it('listSegments sorts numerically, ignores foreign files, and is empty for a missing dir', () => {
      mkdirSync(dir, { recursive: true });
      for (const n of [100, 2, 30]) writeFileSync(join(dir, fileNameFor(n)), '');
      writeFileSync(join(dir, 'journal-1.jsonl'), '');
      writeFileSync(join(dir, 'notes.txt'), '');
      writeFileSync(join(dir, `${fileNameFor(5)}.bak`), '');
      assert.deepEqual(
        listSegments(dir).map((s) => s.firstSeq),
        [2, 30, 100],
      );
      assert.deepEqual(listSegments(join(dir, 'missing')), []);
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

    it('readLines returns the complete lines and the unterminated rest', () => {
      mkdirSync(dir, { recursive: true });
      const f = join(dir, 'x');
      writeFileSync(f, 'a\nbb\n\nccc');
      const it = readLines(f);
      const lines: string[] = [];
      let r = it.next();
      while (!r.done) {
        lines.push(r.value.line);
        r = it.next();
      }
      assert.deepEqual(lines, ['a', 'bb', '']);
      assert.equal(r.value, 'ccc');
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
      const next = k.append({ type: 'system.started', data: {} });
      assert.equal(next.seq, 11);
      assert.equal(next.prev, first[9]!.hash);
      const after = readFileSync(listSegments(dir)[0]!.file);
      assert.deepEqual(after.subarray(0, before.length), before, 'earlier events were overwritten');
      assert.deepEqual(allEvents(dir), [...first, next]);
      assert.deepEqual(verifyJournal(dir), { ok: true, events: 11, files: 1, lastSeq: 11, firstBad: null });
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
      const e = k.append({ type: 'door.closed', data: {} });
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

        const e12 = k.append({ type: 'door.closed', data: {} });
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
      const huge = j.append({ type: 'door.opened', data: { blob: 'h'.repeat(200_000) } });
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

  describe('verifyJournal', () => {
    /** A 3-segment journal of 30 events. */
    function build(): { evs: JournalEvent[]; segs: ReturnType<typeof listSegments> } {
      const j = start({ maxFileBytes: 2000 });
      const evs = fill(j, 30, 30);
      j.stop();
      const segs = listSegments(dir);
      assert.ok(segs.length >= 3);
      return { evs, segs };
    }

    it('accepts an intact journal and counts events and files', () => {
      const { segs } = build();
      assert.deepEqual(verifyJournal(dir), {
        ok: true,
        events: 30,
        files: segs.length,
        lastSeq: 30,
        firstBad: null,
      });
    });

    it('accepts an empty or missing directory', () => {
      assert.deepEqual(verifyJournal(dir), { ok: true, events: 0, files: 0, lastSeq: 0, firstBad: null });
      mkdirSync(dir);
      assert.equal(verifyJournal(dir).ok, true);
    });

    it('detects tampered data and names the first bad seq', () => {
      const { segs } = build();
      const f = segs[0]!.file;
      editLines(f, (ls) =>
        ls.map((l) => {
          const e = JSON.parse(l) as JournalEvent;
          return e.seq === 5 ? JSON.stringify({ ...e, data: { ...e.data, i: 999 } }) : l;
        }),
      );
      const v = verifyJournal(dir);
      assert.equal(v.ok, false);
      assert.equal(v.firstBad!.seq, 5);
      assert.match(v.firstBad!.problem, /hash/);
      assert.equal(v.firstBad!.file, f);
      assert.equal(v.firstBad!.line, 5);
      assert.equal(v.lastSeq, 4);
    });

    it('detects a tampered field outside data (type, at, door)', () => {
      for (const field of ['type', 'at', 'door'] as const) {
        rmSync(dir, { recursive: true, force: true });
        const { segs } = build();
        const f = segs[1]!.file;
        const target = segs[1]!.firstSeq + 1;
        const value = { type: 'door.forced', at: '2020-01-01T00:00:00.000Z', door: 'other' }[field];
        editLines(f, (ls) =>
          ls.map((l) => {
            const e = JSON.parse(l) as JournalEvent;
            return e.seq === target ? JSON.stringify({ ...e, [field]: value }) : l;
          }),
        );
        const v = verifyJournal(dir);
        assert.equal(v.ok, false, field);
        assert.equal(v.firstBad!.seq, target, field);
      }
    });

    it('detects a rewritten event whose own hash was recomputed (the next link breaks)', () => {
      const { segs } = build();
      const f = segs[0]!.file;
      editLines(f, (ls) =>
        ls.map((l) => {
          const e = JSON.parse(l) as JournalEvent;
          return e.seq === 3 ? JSON.stringify(rehash({ ...e, type: 'door.closed' })) : l;
        }),
      );
      const v = verifyJournal(dir);
      assert.equal(v.ok, false);
      assert.equal(v.firstBad!.seq, 4);
      assert.match(v.firstBad!.problem, /prev/);
    });

    it('detects a deleted line as a seq gap', () => {
      const { segs } = build();
      editLines(segs[0]!.file, (ls) => ls.filter((l) => (JSON.parse(l) as JournalEvent).seq !== 4));
      const v = verifyJournal(dir);
      assert.equal(v.ok, false);
      assert.equal(v.firstBad!.seq, 4);
      assert.match(v.firstBad!.problem, /expected seq 4, found 5/);
    });

    it('detects a deleted first line of a later segment', () => {
      const { segs } = build();
      editLines(segs[1]!.file, (ls) => ls.slice(1));
      const v = verifyJournal(dir);
      assert.equal(v.ok, false);
      assert.equal(v.firstBad!.file, segs[1]!.file);
      assert.equal(v.firstBad!.line, 1);
    });

    it('detects a deleted middle segment', () => {
      const { segs } = build();
      rmSync(segs[1]!.file);
      const v = verifyJournal(dir);
      assert.equal(v.ok, false);
      assert.equal(v.firstBad!.seq, segs[1]!.firstSeq, 'names the first missing seq');
      assert.equal(v.firstBad!.file, segs[2]!.file);
      assert.match(
        v.firstBad!.problem,
        new RegExp(`expected seq ${segs[1]!.firstSeq}, found ${segs[2]!.firstSeq}`),
      );
    });

    it('detects reordered lines and names the first out-of-place seq', () => {
      const { segs } = build();
      editLines(segs[0]!.file, (ls) => {
        const c = [...ls];
        [c[2], c[3]] = [c[3]!, c[2]!];
        return c;
      });
      const v = verifyJournal(dir);
      assert.equal(v.ok, false);
      assert.equal(v.firstBad!.seq, 3);
      assert.equal(v.firstBad!.line, 3);
    });

    it('detects reordered lines even when the seq numbers were renumbered and rehashed', () => {
      const { segs } = build();
      editLines(segs[0]!.file, (ls) => {
        const evs = ls.map((l) => JSON.parse(l) as JournalEvent);
        const a = evs[2]!;
        const b = evs[3]!;
        // Swap the payloads of seq 3 and 4, keeping seq/prev, and recompute the hashes of both.
        const n3 = rehash({ ...b, seq: 3, prev: a.prev });
        const n4 = rehash({ ...a, seq: 4, prev: n3.hash });
        evs[2] = n3;
        evs[3] = n4;
        return evs.map((e) => JSON.stringify(e));
      });
      const v = verifyJournal(dir);
      assert.equal(v.ok, false);
      assert.equal(v.firstBad!.seq, 5, 'seq 5 still links to the original seq 4');
      assert.match(v.firstBad!.problem, /prev/);
    });

    it('detects a bad prev link even when that event hash is consistent', () => {
      const { segs } = build();
      const target = segs[1]!.firstSeq; // the link that crosses a segment boundary
      editLines(segs[1]!.file, (ls) =>
        ls.map((l) => {
          const e = JSON.parse(l) as JournalEvent;
          return e.seq === target ? JSON.stringify(rehash({ ...e, prev: 'f'.repeat(64) })) : l;
        }),
      );
      const v = verifyJournal(dir);
      assert.equal(v.ok, false);
      assert.equal(v.firstBad!.seq, target);
      assert.match(v.firstBad!.problem, /prev/);
    });

    it('detects a torn last line and a line that is not JSON', () => {
      const { segs } = build();
      const last = segs[segs.length - 1]!.file;
      appendFileSync(last, '{"seq":31');
      let v = verifyJournal(dir);
      assert.equal(v.ok, false);
      assert.equal(v.firstBad!.seq, 31);
      assert.match(v.firstBad!.problem, /torn/);
      assert.equal(v.lastSeq, 30);

      editLines(segs[0]!.file, (ls) => ls.map((l, i) => (i === 2 ? l.slice(0, 40) : l)));
      v = verifyJournal(dir);
      assert.equal(v.ok, false);
      assert.equal(v.firstBad!.seq, 3);
      assert.equal(v.firstBad!.line, 3);
      assert.match(v.firstBad!.problem, /JSON/);
    });

    it('detects an extra event spliced in', () => {
      const { segs, evs } = build();
      editLines(segs[0]!.file, (ls) => [...ls.slice(0, 2), JSON.stringify(evs[1]), ...ls.slice(2)]);
      const v = verifyJournal(dir);
      assert.equal(v.ok, false);
      assert.equal(v.firstBad!.seq, 3);
    });

    it('accepts a journal whose oldest segments were pruned', () => {
      const { segs } = build();
      rmSync(segs[0]!.file);
      const v = verifyJournal(dir);
      assert.equal(v.ok, true, JSON.stringify(v.firstBad));
      assert.equal(v.lastSeq, 30);
      assert.equal(v.events, 30 - (segs[1]!.firstSeq - 1));
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
        () => j.append({ type: 'access.granted', data: {} }),
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
      assert.throws(() => j.append({ type: 'access.granted', data: {} }), JournalWriteError);
    });

    it('a removed journal directory fails the append; once it is back, appends resume without a seq gap', () => {
      const j = start({ maxFileBytes: 500 });
      fill(j, 5, 20);
      rmSync(dir, { recursive: true });
      // The next appends need a new segment, which cannot be created.
      let failures = 0;
      for (let i = 0; i < 5; i++) {
        try {
          j.append({ type: 'door.opened', data: { pad: 'p'.repeat(100) } });
        } catch (e) {
          assert.ok(e instanceof JournalWriteError);
          failures++;
        }
      }
      assert.ok(failures > 0, 'some append must have needed a new segment');
      assert.equal(j.health().ok, false);
      const seqAtFailure = j.seq;
      mkdirSync(dir);
      const e = j.append({ type: 'system.started', data: {} });
      assert.equal(e.seq, seqAtFailure + 1);
      assert.deepEqual(j.health(), { ok: true, seq: e.seq, error: null });
      assert.equal(verifyJournal(dir).ok, true);
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
        () => assert.throws(() => j.append({ type: 'door.forced', data: {} }), JournalWriteError),
      );
      assert.equal(calls, 2);
      assert.equal(statSync(file).size, size, 'the half-written line must be cut');
      assert.equal(j.health().ok, false);
      assert.match(j.health().error ?? '', /EIO/);
      const next = j.append({ type: 'door.forced', data: {} });
      assert.equal(next.seq, 4);
      assert.equal(next.prev, evs[2]!.hash);
      assert.equal(j.health().ok, true);
      assert.deepEqual(verifyJournal(dir), { ok: true, events: 4, files: 1, lastSeq: 4, firstBad: null });
    });

    it('an fsync failure fails the append and does not leave the unsynced event in the file', async () => {
      const j = start();
      fill(j, 2);
      await withPatchedFs(
        {
          fsyncSync: () => {
            throw errno('EIO');
          },
        },
        () => assert.throws(() => j.append({ type: 'door.forced', data: {} }), JournalWriteError),
      );
      assert.equal(j.health().ok, false);
      assert.deepEqual(seqs(allEvents(dir)), [1, 2]);
      assert.equal(j.append({ type: 'door.closed', data: {} }).seq, 3);
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
        () => assert.throws(() => j.append({ type: 'door.forced', data: {} }), JournalWriteError),
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
