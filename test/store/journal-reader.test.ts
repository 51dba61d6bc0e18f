/**
 * The journal's one reader: from a seq, in order, in blocks; resuming where it stopped (after new
 * appends and across rotation) without rereading; never past the durable seq; lines that are not
 * events handed out in their place (live) or as they are (raw, for verify).
 */
import assert from 'node:assert/strict';
import fs, { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalEvent } from '../../src/domain/events.js';
import type { Journal, JournalOptions } from '../../src/store/journal.js';
import { type JournalEntry, JournalReader } from '../../src/store/journal-reader.js';
import { fileNameFor, listSegments } from '../../src/store/journal-segments.js';
import { tempDir, withPatchedFs } from './helpers.js';
import { editLines, fill, open, range, seqs } from './journal-helpers.js';

function drain(r: JournalReader): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (let e = r.next(); e; e = r.next()) out.push(e);
  return out;
}

const eventSeqs = (entries: JournalEntry[]) =>
  entries.flatMap((e) => (e.kind === 'event' ? [e.event.seq] : []));

describe('store/journal-reader', () => {
  let dir: string;
  let cleanup: () => void;
  const opened: Journal[] = [];
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('jurukunci-reader-'));
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

  it('reads events after any seq, in order, in blocks of any size, across segments', () => {
    const j = start({ maxFileBytes: 900 });
    const evs = fill(j, 40, 20);
    assert.ok(listSegments(dir).length >= 4);
    for (const after of [0, 1, 9, 10, 11, 25, 39, 40, 99]) {
      for (const blockSize of [1, 3, 16, 1000]) {
        const r = j.readFrom(after, { blockSize });
        const got = drain(r);
        assert.deepEqual(eventSeqs(got), range(after + 1, 40), `after ${after}, block ${blockSize}`);
        assert.ok(
          got.every((e) => e.kind === 'event'),
          'an intact journal has no bad lines',
        );
        assert.equal(r.position, Math.max(after, 40));
      }
    }
    assert.deepEqual(j.readFrom(0).readEvents(5), evs.slice(0, 5));
    // Each entry names where it came from.
    const first = j.readFrom(0).next()!;
    assert.equal(first.kind, 'event');
    assert.equal(first.segment.file, listSegments(dir)[0]!.file);
    assert.equal(first.line, 1);
  });

  it('hands out nothing past the durable seq; a deferred event comes once it is synced', () => {
    const j = start();
    fill(j, 3);
    j.append({ type: 'door.closed', data: {} }, { defer: true });
    const r = j.readFrom(0);
    assert.deepEqual(seqs(r.readEvents(100)), [1, 2, 3]);
    assert.deepEqual(r.readEvents(100), []);
    j.sync();
    assert.deepEqual(seqs(r.readEvents(100)), [4]);
  });

  it('resumes where it stopped after new appends, reading only the new bytes', async () => {
    const j = start({ maxFileBytes: 1 << 20 });
    fill(j, 50, 200);
    const r = j.readFrom(0, { blockSize: 1000 });
    assert.equal(r.readEvents(1000).length, 50);
    fill(j, 2);
    let bytesRead = 0;
    const realRead = fs.readSync;
    const counting = ((...a: Parameters<typeof fs.readSync>) => {
      const n = realRead(...a);
      bytesRead += n;
      return n;
    }) as typeof fs.readSync;
    const more = await withPatchedFs({ readSync: counting }, () => r.readEvents(1000));
    assert.deepEqual(seqs(more), [51, 52]);
    assert.ok(bytesRead < 1000, `read ${bytesRead} bytes for two short events (the file is > 10 KiB)`);
    assert.deepEqual(r.readEvents(1000), []);
  });

  it('follows the journal into segments created after the reader was made', () => {
    const j = start({ maxFileBytes: 700 });
    fill(j, 5, 20);
    const r = j.readFrom(0, { blockSize: 4 });
    assert.deepEqual(seqs(r.readEvents(100)), range(1, 5));
    const segsBefore = listSegments(dir).length;
    fill(j, 30, 20);
    assert.ok(listSegments(dir).length > segsBefore, 'the journal rotated');
    assert.deepEqual(seqs(r.readEvents(100)), range(6, 35));
  });

  it('serves a live feed: a block per "appended", every event exactly once, in order', () => {
    const j = start({ maxFileBytes: 800 });
    fill(j, 7, 20);
    const reader = j.readFrom(3, { blockSize: 2 });
    const got: JournalEvent[] = [];
    const onAppended = () => got.push(...reader.readEvents(50));
    onAppended(); // the backlog from Last-Event-ID 3
    j.on('appended', onAppended);
    fill(j, 20, 20);
    j.off('appended', onAppended);
    assert.deepEqual(seqs(got), range(4, 27));
  });

  it('hands out a line that is not an event in its place after the cursor, and skips empty lines', () => {
    const j = start();
    fill(j, 6);
    j.stop();
    opened.length = 0;
    const file = listSegments(dir)[0]!.file;
    // seq 2 becomes garbage, an empty line follows seq 4, seq 5 is not an event.
    editLines(file, (ls) => [ls[0]!, '{"seq":2,"id":', ls[2]!, ls[3]!, '', '[5]', ls[5]!]);
    const all = drain(new JournalReader(dir));
    assert.deepEqual(
      all.map((e) => (e.kind === 'event' ? `event ${e.event.seq}` : `bad at ${e.at}, line ${e.line}`)),
      ['event 1', 'bad at 2, line 2', 'event 3', 'event 4', 'bad at 5, line 6', 'event 6'],
    );
    const problems = all.flatMap((e) => (e.kind === 'bad' ? [e.problem] : []));
    assert.match(problems[0] ?? '', /not valid JSON/);
    assert.match(problems[1] ?? '', /not a journal event/);
    // After the cursor only: a bad line before seq 3 is behind a reader from 3.
    assert.deepEqual(
      drain(new JournalReader(dir, { after: 3 })).map((e) =>
        e.kind === 'event' ? e.event.seq : `bad@${e.at}`,
      ),
      [4, 'bad@5', 6],
    );
  });

  it('is monotonic: a repeated or out-of-order event is not handed out twice', () => {
    const j = start();
    fill(j, 4);
    j.stop();
    opened.length = 0;
    const file = listSegments(dir)[0]!.file;
    editLines(file, (ls) => [ls[0]!, ls[1]!, ls[0]!, ls[2]!, ls[1]!, ls[3]!]);
    assert.deepEqual(eventSeqs(drain(new JournalReader(dir))), [1, 2, 3, 4]);
  });

  it('raw: every line as it is, including empty lines, repeats and a torn tail (for verify)', () => {
    const j = start();
    fill(j, 3);
    j.stop();
    opened.length = 0;
    const file = listSegments(dir)[0]!.file;
    editLines(file, (ls) => [ls[0]!, ls[0]!, '', ls[1]!, ls[2]!]);
    appendFileSync(file, '{"seq":4');
    const all = drain(new JournalReader(dir, { raw: true, after: 2 }));
    assert.deepEqual(
      all.map((e) => (e.kind === 'event' ? e.event.seq : e.problem.replace(/ \(.*/, ''))),
      [1, 1, 'line is not valid JSON', 2, 3, 'torn last line'],
    );
    assert.deepEqual(
      all.map((e) => e.line),
      [1, 2, 3, 4, 5, 6],
    );
  });

  it('reads nothing from a missing directory or an empty segment, and counts the segments', () => {
    const missing = new JournalReader(join(dir, 'missing'));
    assert.equal(missing.next(), undefined);
    assert.equal(missing.segments, 0);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, fileNameFor(1)), '');
    const empty = new JournalReader(dir);
    assert.equal(empty.next(), undefined);
    assert.equal(empty.segments, 1);
  });
});
