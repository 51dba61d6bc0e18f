/**
 * Checks a journal on disk line by line: every line an event with no field outside the hashed
 * ones, seqs contiguous, each segment starting at the seq it is named for, every prev linking to
 * the hash before it, every hash right over the whole event (v1 hashes only before the first v2
 * one: see journal-chain.ts). The first problem found is named by seq, file and line.
 */
import { GENESIS_HASH, hashEvent, legacyHashEvent, unknownFields } from './journal-chain.js';
import { JournalReader } from './journal-reader.js';
import { listSegments } from './journal-segments.js';

export interface VerifyResult {
  ok: boolean;
  events: number;
  files: number;
  lastSeq: number;
  /** Events verified by the v1 hash (written before whole-event hashing); 0 for a new journal. */
  legacyEvents: number;
  firstBad: { seq: number | null; file: string; line: number; problem: string } | null;
}

/** Checks every line of every segment in `dir` (a journal directory): parse, sequence, prev link and hash. */
export function verifyJournal(dir: string): VerifyResult {
  const reader = new JournalReader(dir, { raw: true });
  let prevHash = GENESIS_HASH;
  let expectSeq: number | null = null;
  let events = 0;
  let legacyEvents = 0;
  /** Once an event carries a whole-event hash, a v1 hash after it is a downgrade, not history. */
  let v2Seen = false;
  // A journal whose oldest segments were pruned starts with an event linking to one not here.
  const prunedFrom = listSegments(dir)[0]?.firstSeq ?? 1;
  const lastSeq = () => (expectSeq === null ? 0 : expectSeq - 1);
  for (let entry = reader.next(); entry; entry = reader.next()) {
    const bad = (seq: number | null, problem: string): VerifyResult => ({
      ok: false,
      events,
      files: reader.segments,
      lastSeq: lastSeq(),
      legacyEvents,
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
    const extra = unknownFields(ev);
    if (extra.length > 0) return bad(ev.seq, `field(s) outside the event: ${extra.join(', ')}`);
    const { hash, ...rest } = ev;
    if (!v2Seen && legacyHashEvent(rest) === hash) legacyEvents++;
    else if (hashEvent(rest) === hash) v2Seen = true;
    else if (legacyHashEvent(rest) === hash)
      return bad(ev.seq, 'a v1 hash (named fields only) after whole-event hashes began');
    else return bad(ev.seq, 'hash does not match the event');
    prevHash = hash;
    expectSeq++;
    events++;
  }
  return { ok: true, events, files: reader.segments, lastSeq: lastSeq(), legacyEvents, firstBad: null };
}
