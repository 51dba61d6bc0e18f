/** verifyJournal: every way a journal on disk can be wrong, named by seq, file and line. */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { JournalEvent } from '../../src/domain/events.js';
import type { Journal, JournalOptions } from '../../src/store/journal.js';
import { GENESIS_HASH, hashEvent, legacyHashEvent } from '../../src/store/journal-chain.js';
import { listSegments } from '../../src/store/journal-segments.js';
import { verifyJournal } from '../../src/store/journal-verify.js';
import { tempDir } from './helpers.js';
import { editLines, fileEvents, fill, open, rehash } from './journal-helpers.js';

describe('store/journal-verify', () => {
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
        legacyEvents: 0,
        checkpoints: { count: 0, verified: 0 },
        anchor: null,
        firstBad: null,
      });
    });

    it('accepts an empty or missing directory', () => {
      assert.deepEqual(verifyJournal(dir), {
        ok: true,
        events: 0,
        files: 0,
        lastSeq: 0,
        legacyEvents: 0,
        checkpoints: { count: 0, verified: 0 },
        anchor: null,
        firstBad: null,
      });
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

    it('accepts a journal whose oldest segments were pruned, with the journal.pruned event naming them', () => {
      const { segs } = build();
      // Retention's own record (journal-retention.ts), written before the file goes.
      const first = fileEvents(segs[1]!.file)[0]!;
      const j = start({ maxFileBytes: 2000 });
      j.append({
        type: 'journal.pruned',
        data: { lastPrunedSeq: first.seq - 1, lastPrunedHash: first.prev, files: [basename(segs[0]!.file)] },
      });
      j.stop();
      rmSync(segs[0]!.file);
      const v = verifyJournal(dir);
      assert.equal(v.ok, true, JSON.stringify(v.firstBad));
      assert.equal(v.lastSeq, 31);
      assert.equal(v.events, 31 - (segs[1]!.firstSeq - 1));
    });
  });

  describe('the hash covers the whole event', () => {
    function build(): ReturnType<typeof listSegments> {
      const j = start({ maxFileBytes: 2000 });
      fill(j, 12, 30);
      j.stop();
      opened.length = 0;
      return listSegments(dir);
    }
    const editEvent = (file: string, seq: number, edit: (e: JournalEvent) => object) =>
      editLines(file, (ls) =>
        ls.map((l) => {
          const e = JSON.parse(l) as JournalEvent;
          return e.seq === seq ? JSON.stringify(edit(e)) : l;
        }),
      );

    it('an event with an added top-level field fails, named, even with its hash recomputed', () => {
      for (const recompute of [false, true]) {
        rmSync(dir, { recursive: true, force: true });
        const segs = build();
        editEvent(segs[0]!.file, 4, (e) => {
          const withNote = { ...e, note: 'added later' };
          return recompute ? { ...withNote, hash: hashEvent(withNote) } : withNote;
        });
        const v = verifyJournal(dir);
        assert.equal(v.ok, false, `recompute ${recompute}`);
        assert.equal(v.firstBad!.seq, 4);
        assert.equal(v.firstBad!.line, 4);
        assert.match(v.firstBad!.problem, /outside the event: note/);
      }
    });

    it('an edited field fails, nested data included', () => {
      const segs = build();
      editEvent(segs[0]!.file, 2, (e) => ({ ...e, data: { ...e.data, pad: `${e.data.pad}!` } }));
      const v = verifyJournal(dir);
      assert.equal(v.ok, false);
      assert.equal(v.firstBad!.seq, 2);
      assert.match(v.firstBad!.problem, /hash does not match/);
    });

    it('a journal re-serialised with other key order still verifies', () => {
      const segs = build();
      for (const seg of segs)
        editLines(seg.file, (ls) =>
          ls.map((l) => {
            const e = JSON.parse(l) as Record<string, unknown>;
            const reversed = Object.fromEntries(Object.entries(e).reverse());
            // seq stays first: the line format readers rely on to skip cheaply.
            return JSON.stringify({ seq: e.seq, ...reversed });
          }),
        );
      const v = verifyJournal(dir);
      assert.equal(v.ok, true, JSON.stringify(v.firstBad));
      assert.equal(v.events, 12);
    });

    describe('journals written before (v1 hashes)', () => {
      /** Rewrites the journal as the old code wrote it: v1 hashes, chained. */
      function toV1(): void {
        let prev = GENESIS_HASH;
        for (const seg of listSegments(dir))
          editLines(seg.file, (ls) =>
            ls.map((l) => {
              const { hash: _h, ...rest } = JSON.parse(l) as JournalEvent;
              const e = { ...rest, prev };
              prev = legacyHashEvent(e);
              return JSON.stringify({ ...e, hash: prev });
            }),
          );
      }

      it('verify, and say how many events carry the v1 hash', () => {
        build();
        toV1();
        const v = verifyJournal(dir);
        assert.equal(v.ok, true, JSON.stringify(v.firstBad));
        assert.equal(v.events, 12);
        assert.equal(v.legacyEvents, 12);
      });

      it('continued by the new code, verify as a v1 prefix and a v2 rest', () => {
        build();
        toV1();
        const j = start({ maxFileBytes: 2000 });
        const next = j.append({ type: 'door.closed', data: {} });
        fill(j, 3);
        assert.equal(next.hash, hashEvent(next));
        const v = verifyJournal(dir);
        assert.equal(v.ok, true, JSON.stringify(v.firstBad));
        assert.deepEqual([v.events, v.legacyEvents, v.lastSeq], [16, 12, 16]);
      });

      it('fail on an added field or an edited field', () => {
        const segs = build();
        toV1();
        editEvent(segs[0]!.file, 3, (e) => ({ ...e, note: 'x' }));
        let v = verifyJournal(dir);
        assert.equal(v.ok, false);
        assert.equal(v.firstBad!.seq, 3);
        assert.match(v.firstBad!.problem, /outside the event: note/);
        rmSync(dir, { recursive: true, force: true });
        build();
        toV1();
        editEvent(listSegments(dir)[0]!.file, 3, (e) => ({ ...e, door: 'other' }));
        v = verifyJournal(dir);
        assert.equal(v.ok, false);
        assert.equal(v.firstBad!.seq, 3);
        assert.match(v.firstBad!.problem, /hash does not match/);
      });

      it('are accepted only before the first whole-event hash: a v1 event after it fails', () => {
        const segs = build();
        // Seq 6 rewritten with a v1 hash over its own fields (its prev still links).
        editEvent(segs[0]!.file, 6, (e) => {
          const { hash: _h, ...rest } = e;
          return { ...rest, hash: legacyHashEvent(rest) };
        });
        const v = verifyJournal(dir);
        assert.equal(v.ok, false);
        assert.equal(v.firstBad!.seq, 6);
        assert.match(v.firstBad!.problem, /v1 hash .* after whole-event hashes began/);
      });
    });
  });
});
