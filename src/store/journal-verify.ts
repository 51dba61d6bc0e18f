/**
 * Checks a journal on disk line by line: every line an event, seqs contiguous, each segment
 * starting at the seq it is named for, every prev linking to the hash before it, every hash right.
 * The first problem found is named by seq, file and line.
 */
import { GENESIS_HASH, hashEvent } from './journal-chain.js';
import { JournalReader } from './journal-reader.js';
import { listSegments } from './journal-segments.js';

export interface VerifyResult {
  ok: boolean;
  events: number;
  files: number;
  lastSeq: number;
  firstBad: { seq: number | null; file: string; line: number; problem: string } | null;
}

/** Checks every line of every segment in `dir` (a journal directory): parse, sequence, prev link and hash. */
export function verifyJournal(dir: string): VerifyResult {
  const reader = new JournalReader(dir, { raw: true });
  let prevHash = GENESIS_HASH;
  let expectSeq: number | null = null;
  let events = 0;
  // A journal whose oldest segments were pruned starts with an event linking to one not here.
  const prunedFrom = listSegments(dir)[0]?.firstSeq ?? 1;
  const lastSeq = () => (expectSeq === null ? 0 : expectSeq - 1);
  for (let entry = reader.next(); entry; entry = reader.next()) {
    const bad = (seq: number | null, problem: string): VerifyResult => ({
      ok: false,
      events,
      files: reader.segments,
      lastSeq: lastSeq(),
      firstBad: { seq, file: entry.segment.file, line: entry.line, problem },
    });
    if (entry.kind === 'bad') return bad(expectSeq, entry.problem);
    const ev = entry.event;
    expectSeq ??= ev.seq;
    if (entry.line === 1 && ev.seq !== entry.segment.firstSeq)
      return bad(ev.seq, `segment named for seq ${entry.segment.firstSeq} starts at ${ev.seq}`);
    if (ev.seq !== expectSeq) return bad(expectSeq, `expected seq ${expectSeq}, found ${ev.seq}`);
    const prunedStart = events === 0 && ev.seq === prunedFrom && ev.seq > 1;
    if (ev.prev !== prevHash && !prunedStart)
      return bad(ev.seq, 'prev does not match the hash of the event before');
    const { hash, ...rest } = ev;
    if (hashEvent(rest) !== hash) return bad(ev.seq, 'hash does not match the event');
    prevHash = hash;
    expectSeq++;
    events++;
  }
  return { ok: true, events, files: reader.segments, lastSeq: lastSeq(), firstBad: null };
}
