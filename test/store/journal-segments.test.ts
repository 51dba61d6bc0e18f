/** Segment names, listing, lines, and finding the journal in a data directory. */

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { uncheckedEvent } from '../../src/domain/events.js';
import { Journal } from '../../src/store/journal.js';
import {
  fileNameFor,
  findJournalDir,
  listSegments,
  readLines,
  segmentIndexAfter,
} from '../../src/store/journal-segments.js';
import { tempDir } from './helpers.js';

describe('store/journal-segments', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('jurukunci-journal-'));
    dir = join(dir, 'journal');
  });
  afterEach(() => cleanup());

  describe('segments', () => {
    it('names segments by their zero-padded first sequence number', () => {
      assert.equal(fileNameFor(1), 'journal-000000000001.jsonl');
      assert.equal(fileNameFor(1234567), 'journal-000001234567.jsonl');
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

  it('segmentIndexAfter names the segment that holds the seq after a cursor', () => {
    const segs = [1, 11, 21].map((firstSeq) => ({ firstSeq, file: fileNameFor(firstSeq) }));
    assert.deepEqual(
      [0, 1, 9, 10, 11, 19, 20, 21, 500].map((after) => segmentIndexAfter(segs, after)),
      [0, 0, 0, 1, 1, 1, 2, 2, 2],
    );
    // A pruned journal (oldest segments gone): a cursor before it starts at the first segment.
    assert.equal(segmentIndexAfter(segs.slice(1), 0), 0);
    assert.equal(segmentIndexAfter([], 5), 0);
  });

  describe('findJournalDir', () => {
    const withJournal = (jdir: string) => {
      const j = new Journal({ dir: jdir, door: 'd', maxFileBytes: 1 << 20 });
      j.start();
      j.append(uncheckedEvent('system.started', {}));
      j.stop();
    };

    it('takes the journal directory itself', () => {
      withJournal(dir);
      assert.equal(findJournalDir(dir), dir);
    });

    it('takes a data directory and finds its journal/ directory', () => {
      withJournal(dir);
      const data = join(dir, '..');
      writeFileSync(join(data, 'state.json'), '{}\n');
      assert.equal(findJournalDir(data), join(data, 'journal'));
    });

    it('is null for a missing directory, a file, or a directory with no segment files', () => {
      assert.equal(findJournalDir(join(dir, 'missing')), null);
      mkdirSync(dir, { recursive: true });
      assert.equal(findJournalDir(dir), null, 'an empty journal directory holds no journal');
      writeFileSync(join(dir, 'notes.txt'), '');
      writeFileSync(join(dir, 'journal-1.jsonl'), '');
      assert.equal(findJournalDir(dir), null);
      assert.equal(findJournalDir(join(dir, 'notes.txt')), null, 'a file is not a directory');
      assert.deepEqual(listSegments(join(dir, 'notes.txt')), []);
    });
  });
});
