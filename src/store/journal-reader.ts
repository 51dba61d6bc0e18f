/**
 * The one way to read the journal: from a cursor (a seq), in order, in blocks, without loading the
 * whole journal. It remembers where it stopped (segment, byte offset, line), so a consumer that
 * reads a block, waits for the journal's 'appended' signal and reads again never rescans what it
 * has already read; it follows rotation into the next segment by itself.
 *
 * Consumers: `Journal.read`/`iterate` (GET /api/journal), the MQTT publisher, the console's live
 * feed (`Last-Event-ID` is a seq: `journal.readFrom(lastEventId)`), and verify-journal, which reads
 * `raw` (every line as it is, including empty lines and a torn tail).
 *
 * A live reader waits for events to be durable: it hands out nothing past `upTo()` (the journal's
 * durable seq), so an event a deferred append wrote but did not yet fsync is read once it is synced.
 */
import type { JournalEvent } from '../domain/events.js';
import { type JournalSegment, listSegments, readLines, segmentIndexAfter } from './journal-segments.js';

/** One line of a segment: an event, or a line that is not one (`at`: the seq its place holds). */
export type JournalEntry =
  | { kind: 'event'; event: JournalEvent; segment: JournalSegment; line: number }
  | { kind: 'bad'; problem: string; at: number; segment: JournalSegment; line: number };

export interface JournalReaderOptions {
  /** Start after this seq; 0 reads from the beginning. */
  after?: number;
  /** The highest seq to hand out, asked before each block; unbounded when absent. */
  upTo?: () => number;
  /** Lines read per block (one file open per block). */
  blockSize?: number;
  /**
   * Every line in file order as it is, nothing skipped or reordered: empty lines and an
   * unterminated last line come out as `bad`. For verification; `after` and `upTo` are ignored.
   */
  raw?: boolean;
}

const SEQ_PREFIX_RE = /^\{"seq":(\d+),/;

export class JournalReader {
  private readonly upTo: () => number;
  private readonly blockSize: number;
  private readonly raw: boolean;
  private segment: JournalSegment | null = null;
  /** Byte offset of the first unread line in `segment`, and lines read before it. */
  private offset = 0;
  private lineNo = 0;
  /** Raw mode: the segment's unterminated tail was handed out already. */
  private tailDone = false;
  /** The seq of the last line read, handed out or not: a bad line's place is one after it. */
  private lastSeen = 0;
  /** The seq of the last event handed out by next(), and of the last one put into a block. */
  private handedOut: number;
  private queued: number;
  private block: JournalEntry[] = [];
  private blockPos = 0;
  private segmentCount = 0;

  constructor(
    private readonly dir: string,
    opts: JournalReaderOptions = {},
  ) {
    this.raw = opts.raw === true;
    this.handedOut = this.raw ? 0 : Math.max(0, opts.after ?? 0);
    this.queued = this.handedOut;
    this.upTo = this.raw || !opts.upTo ? () => Number.POSITIVE_INFINITY : opts.upTo;
    this.blockSize = Math.max(1, opts.blockSize ?? 512);
  }

  /** The seq of the last event handed out (the cursor to resume from). */
  get position(): number {
    return this.handedOut;
  }

  /** How many segment files the directory held when the reader last listed it. */
  get segments(): number {
    return this.segmentCount;
  }

  /** The next entry, or undefined when there is nothing more to read now (read again later). */
  next(): JournalEntry | undefined {
    if (this.blockPos >= this.block.length) {
      this.block = this.readBlock(this.blockSize);
      this.blockPos = 0;
    }
    const e = this.block[this.blockPos];
    if (e === undefined) return undefined;
    this.blockPos++;
    if (e.kind === 'event') this.handedOut = Math.max(this.handedOut, e.event.seq);
    return e;
  }

  /** Up to `limit` events, skipping lines that are not events; empty when caught up. */
  readEvents(limit: number): JournalEvent[] {
    const out: JournalEvent[] = [];
    while (out.length < limit) {
      const e = this.next();
      if (!e) break;
      if (e.kind === 'event') out.push(e.event);
    }
    return out;
  }

  /** Every event from here to what is readable now. */
  *events(): Generator<JournalEvent> {
    for (let e = this.next(); e; e = this.next()) if (e.kind === 'event') yield e.event;
  }

  private readBlock(max: number): JournalEntry[] {
    const out: JournalEntry[] = [];
    const upTo = this.upTo();
    while (out.length < max) {
      if (!this.segment && !this.openFirst()) break;
      const seg = this.segment as JournalSegment;
      const lines = this.linesOf(seg);
      let stopped = false;
      try {
        for (;;) {
          const r = lines.next();
          if (r.done) {
            if (this.raw && r.value.length > 0 && !this.tailDone) {
              this.tailDone = true;
              this.lineNo++;
              out.push(this.bad('torn last line (no newline)', seg));
            }
            break;
          }
          const took = this.take(r.value.line, seg, upTo);
          if (took === 'stop') {
            stopped = true;
            break;
          }
          this.offset = r.value.end;
          this.lineNo++;
          if (took !== null) out.push(took);
          if (out.length >= max) {
            stopped = true;
            break;
          }
        }
      } finally {
        lines.return('');
      }
      if (stopped || !this.moveToNextSegment()) break;
    }
    return out;
  }

  /** Decides one line: an entry to hand out, null to skip it, or 'stop' (not durable yet). */
  private take(line: string, seg: JournalSegment, upTo: number): JournalEntry | null | 'stop' {
    const lineNo = this.lineNo + 1;
    if (line.length === 0 && !this.raw) return null;
    if (!this.raw) {
      // Skip cheaply past lines before the cursor without parsing them (the line format starts with seq).
      const m = SEQ_PREFIX_RE.exec(line);
      if (m) {
        const seq = Number(m[1]);
        if (seq > upTo) return 'stop';
        if (seq <= this.queued) {
          this.lastSeen = seq;
          return null;
        }
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      return this.badUnlessBefore(`line is not valid JSON (${(err as Error).message})`, seg, lineNo, upTo);
    }
    const ev = parsed as JournalEvent;
    if (
      parsed === null ||
      typeof parsed !== 'object' ||
      !Number.isInteger(ev.seq) ||
      typeof ev.id !== 'string'
    )
      return this.badUnlessBefore('line is not a journal event', seg, lineNo, upTo);
    if (!this.raw) {
      if (ev.seq > upTo) return 'stop';
      if (ev.seq <= this.queued) {
        this.lastSeen = ev.seq;
        return null;
      }
      this.queued = ev.seq;
    }
    this.lastSeen = ev.seq;
    return { kind: 'event', event: ev, segment: seg, line: lineNo };
  }

  /** A bad line is handed out only when its place lies after the cursor and is durable. */
  private badUnlessBefore(
    problem: string,
    seg: JournalSegment,
    lineNo: number,
    upTo: number,
  ): JournalEntry | null | 'stop' {
    const at = this.lastSeen + 1;
    if (!this.raw) {
      if (at > upTo) return 'stop';
      if (at <= this.queued) return null;
    }
    return { kind: 'bad', problem, at, segment: seg, line: lineNo };
  }

  private bad(problem: string, seg: JournalSegment): JournalEntry {
    return { kind: 'bad', problem, at: this.lastSeen + 1, segment: seg, line: this.lineNo };
  }

  private openFirst(): boolean {
    const segs = listSegments(this.dir);
    this.segmentCount = segs.length;
    if (segs.length === 0) return false;
    const idx = this.raw ? 0 : segmentIndexAfter(segs, this.queued);
    this.enter(segs[idx]!);
    return true;
  }

  /** After the end of a segment: the next one, if the journal has rotated into it. */
  private moveToNextSegment(): boolean {
    const current = this.segment;
    const segs = listSegments(this.dir);
    this.segmentCount = segs.length;
    const next = segs.find((s) => current === null || s.firstSeq > current.firstSeq);
    if (!next) return false;
    this.enter(next);
    return true;
  }

  private enter(seg: JournalSegment): void {
    this.segment = seg;
    this.offset = 0;
    this.lineNo = 0;
    this.tailDone = false;
    // Until a line says otherwise, the segment's name says which seq comes first.
    this.lastSeen = seg.firstSeq - 1;
  }

  /** The segment's lines from the saved offset; a segment that vanished reads as empty. */
  private *linesOf(seg: JournalSegment): Generator<{ line: string; end: number }, string> {
    const it = readLines(seg.file, this.offset);
    try {
      for (;;) {
        let r: IteratorResult<{ line: string; end: number }, string>;
        try {
          r = it.next();
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
          throw err;
        }
        if (r.done) return r.value;
        yield r.value;
      }
    } finally {
      it.return('');
    }
  }
}
