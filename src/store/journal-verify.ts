/**
 * Checks a journal on disk line by line: every line an event with no field outside the hashed
 * ones, seqs contiguous, each segment starting at the seq it is named for, every prev linking to
 * the hash before it, every hash right over the whole event (v1 hashes only before the first v2
 * one: see journal-chain.ts). The first problem found is named by seq, file and line.
 *
 * And against what lies outside the journal (docs/journal-threat-model.md):
 * - a journal that starts after seq 1 must hold the `journal.pruned` event naming the seq and hash
 *   before its first event (retention writes it before deleting: journal-retention.ts);
 * - every `journal.checkpoint` must name the head before it, and, given the device's public key,
 *   carry a good signature by that key (checkpoint-signer.ts);
 * - an anchor (seq, hash) copied elsewhere (the dashboard's retained head): the journal must reach
 *   it and agree with it.
 */
import type { KeyObject } from 'node:crypto';
import { keyIdOf, verifyCheckpoint } from './checkpoint-signer.js';
import { GENESIS_HASH, hashEvent, legacyHashEvent, unknownFields } from './journal-chain.js';
import { JournalReader } from './journal-reader.js';
import { listSegments } from './journal-segments.js';

export interface JournalAnchor {
  seq: number;
  hash: string;
}

export interface VerifyOptions {
  /** A head copied outside the Pi: the journal must reach it and hold exactly it. */
  anchor?: JournalAnchor | undefined;
  /** The device's checkpoint key: every checkpoint's signature is checked with it. */
  publicKey?: KeyObject | null | undefined;
}

export interface VerifyResult {
  ok: boolean;
  events: number;
  files: number;
  lastSeq: number;
  /** Events verified by the v1 hash (written before whole-event hashing); 0 for a new journal. */
  legacyEvents: number;
  /** Checkpoints found, and how many had their signature checked (a public key was given). */
  checkpoints: { count: number; verified: number };
  /** match: the journal holds the anchor; pruned: the anchor is older than the journal's start. */
  anchor: 'match' | 'pruned' | null;
  firstBad: { seq: number | null; file: string; line: number; problem: string } | null;
}

/** Parses `SEQ:HASH` (a 64-digit hex sha256); null when it is not one. */
export function parseAnchor(text: string): JournalAnchor | null {
  const m = /^(\d{1,15}):([0-9a-f]{64})$/i.exec(text.trim());
  return m ? { seq: Number(m[1]), hash: m[2]!.toLowerCase() } : null;
}

/** Checks every line of every segment in `dir` (a journal directory): parse, sequence, prev link and hash. */
export function verifyJournal(dir: string, opts: VerifyOptions = {}): VerifyResult {
  const reader = new JournalReader(dir, { raw: true });
  let prevHash = GENESIS_HASH;
  let expectSeq: number | null = null;
  let events = 0;
  let legacyEvents = 0;
  const checkpoints = { count: 0, verified: 0 };
  let anchor: VerifyResult['anchor'] = null;
  const keyId = opts.publicKey ? keyIdOf(opts.publicKey) : null;
  /** Once an event carries a whole-event hash, a v1 hash after it is a downgrade, not history. */
  let v2Seen = false;
  // A journal whose oldest segments were pruned starts with an event linking to one not here.
  const segments = listSegments(dir);
  const prunedFrom = segments[0]?.firstSeq ?? 1;
  let start: { seq: number; prev: string; file: string } | null = null;
  /** journal.pruned events: last pruned seq → its hash. */
  const pruned = new Map<number, string>();
  const lastSeq = () => (expectSeq === null ? 0 : expectSeq - 1);
  const result = (firstBad: VerifyResult['firstBad']): VerifyResult => ({
    ok: firstBad === null,
    events,
    files: reader.segments,
    lastSeq: lastSeq(),
    legacyEvents,
    checkpoints,
    anchor,
    firstBad,
  });
  for (let entry = reader.next(); entry; entry = reader.next()) {
    const bad = (seq: number | null, problem: string): VerifyResult =>
      result({ seq, file: entry.segment.file, line: entry.line, problem });
    if (entry.kind === 'bad') return bad(expectSeq, entry.problem);
    const ev = entry.event;
    expectSeq ??= ev.seq;
    if (entry.line === 1 && ev.seq !== entry.segment.firstSeq)
      return bad(ev.seq, `segment named for seq ${entry.segment.firstSeq} starts at ${ev.seq}`);
    if (ev.seq !== expectSeq) return bad(expectSeq, `expected seq ${expectSeq}, found ${ev.seq}`);
    const prunedStart = events === 0 && ev.seq === prunedFrom && ev.seq > 1;
    if (prunedStart) start = { seq: ev.seq, prev: ev.prev, file: entry.segment.file };
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
    if (opts.anchor && ev.seq === opts.anchor.seq) {
      if (hash !== opts.anchor.hash)
        return bad(
          ev.seq,
          `disagrees with the anchor: hash ${hash.slice(0, 12)}…, anchor ${opts.anchor.hash.slice(0, 12)}…`,
        );
      anchor = 'match';
    }
    if (ev.type === 'journal.pruned') {
      const d = ev.data as { lastPrunedSeq?: unknown; lastPrunedHash?: unknown };
      if (typeof d.lastPrunedSeq === 'number' && typeof d.lastPrunedHash === 'string')
        pruned.set(d.lastPrunedSeq, d.lastPrunedHash);
    }
    if (ev.type === 'journal.checkpoint') {
      const d = ev.data as { seq?: unknown; hash?: unknown; signature?: unknown; keyId?: unknown };
      checkpoints.count++;
      if (d.seq !== ev.seq - 1 || d.hash !== ev.prev)
        return bad(ev.seq, 'checkpoint does not name the head before it');
      if (opts.publicKey) {
        if (d.keyId !== keyId)
          return bad(ev.seq, `checkpoint signed by key ${String(d.keyId)}, not ${keyId}`);
        const good = verifyCheckpoint(opts.publicKey, {
          door: ev.door,
          seq: d.seq,
          hash: d.hash,
          signature: typeof d.signature === 'string' ? d.signature : '',
        });
        if (!good) return bad(ev.seq, 'checkpoint signature does not verify with the public key');
        checkpoints.verified++;
      }
    }
    prevHash = hash;
    expectSeq++;
    events++;
  }
  if (start && pruned.get(start.seq - 1) !== start.prev) {
    return result({
      seq: start.seq,
      file: start.file,
      line: 1,
      problem: `the journal starts at seq ${start.seq} but no journal.pruned event names seq ${start.seq - 1}: oldest segment(s) missing`,
    });
  }
  if (opts.anchor && anchor === null) {
    const a = opts.anchor;
    if (a.seq > lastSeq()) {
      const last = segments[segments.length - 1];
      return result({
        seq: lastSeq(),
        file: last?.file ?? dir,
        line: 0,
        problem: `stops short of the anchor: the journal ends at seq ${lastSeq()}, the anchor is seq ${a.seq}`,
      });
    }
    if (a.seq < prunedFrom) anchor = 'pruned';
  }
  return result(null);
}
