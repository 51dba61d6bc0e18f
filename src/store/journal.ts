/**
 * The append-only journal's writer: JSON Lines, one event per line, fsync per append, a monotonic
 * sequence number, an id for de-duplication and a sha256 hash chain (journal-chain.ts). Files
 * rotate by size and are named by their first sequence number (journal-segments.ts), so any cursor
 * finds its file without reading the others.
 *
 * It is the single source of events: consumers (MQTT, live feed, reports) read from their own
 * cursor with `readFrom()` (journal-reader.ts) and are woken by the 'appended' event; a journal on
 * disk is checked by journal-verify.ts.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../domain/errors.js';
import type { EventInput, JournalEvent } from '../domain/events.js';
import { fsyncDir } from './durable-file.js';
import { GENESIS_HASH, sealEvent } from './journal-chain.js';
import { JournalReader } from './journal-reader.js';
import { fileNameFor, listSegments } from './journal-segments.js';

export interface JournalOptions {
  dir: string;
  door: string;
  maxFileBytes: number;
  clock?: () => Date;
  /** Turn off only in benchmarks that build a large journal quickly. */
  fsync?: boolean;
}

/** An append or sync that did not reach the disk: `journal_unavailable` in the error catalogue. */
export class JournalWriteError extends AppError {
  constructor(cause: unknown) {
    super(
      'journal_unavailable',
      undefined,
      `journal not writable: ${(cause as Error)?.message ?? String(cause)}`,
    );
    this.name = 'JournalWriteError';
    this.cause = cause;
  }
}

export class Journal extends EventEmitter<{ appended: [JournalEvent] }> {
  private fd: number | null = null;
  private fileBytes = 0;
  private lastSeq = 0;
  private lastHash = GENESIS_HASH;
  /** The wall time of the last event (the latest trusted time at start: domain/clock-trust.ts). */
  private lastAt: string | null = null;
  private healthy = false;
  private started = false;
  /** Written but not yet fsynced (deferred appends), oldest first. */
  private unsynced: JournalEvent[] = [];
  /** The last seq known to be on disk; readers never see past it. */
  private syncedSeq = 0;
  private lastError: string | null = null;
  private readonly clock: () => Date;

  constructor(private readonly opts: JournalOptions) {
    super();
    this.clock = opts.clock ?? (() => new Date());
  }

  /** Opens the newest segment, cuts off a torn last line, and records that it did. */
  start(): { recovered: { file: string; droppedBytes: number } | null } {
    mkdirSync(this.opts.dir, { recursive: true });
    const segs = listSegments(this.opts.dir);
    let recovered: { file: string; droppedBytes: number } | null = null;
    const last = segs[segs.length - 1];
    if (last) {
      const tail = this.scanTail(last.file);
      // O_APPEND: writes go to the end of the file, not to offset 0 where a plain r+ fd would start.
      this.fd = openSync(last.file, 'a+');
      const size = fstatSync(this.fd).size;
      if (tail.goodEnd < size) {
        ftruncateSync(this.fd, tail.goodEnd);
        fsyncSync(this.fd);
        recovered = { file: last.file, droppedBytes: size - tail.goodEnd };
      }
      this.fileBytes = tail.goodEnd;
      if (tail.lastEvent) {
        this.lastSeq = tail.lastEvent.seq;
        this.lastHash = tail.lastEvent.hash;
        this.lastAt = tail.lastEvent.at;
      } else {
        // An empty newest segment: the chain continues from the segment before it.
        const prev = segs[segs.length - 2];
        const prevTail = prev ? this.scanTail(prev.file) : null;
        this.lastSeq = prevTail?.lastEvent?.seq ?? last.firstSeq - 1;
        this.lastHash = prevTail?.lastEvent?.hash ?? GENESIS_HASH;
        this.lastAt = prevTail?.lastEvent?.at ?? null;
      }
    }
    this.healthy = true;
    this.started = true;
    this.syncedSeq = this.lastSeq;
    if (recovered) {
      this.append({
        type: 'journal.recovered',
        data: {
          file: recovered.file.split('/').pop(),
          droppedBytes: recovered.droppedBytes,
          lastGoodSeq: this.lastSeq,
        },
      });
    }
    return { recovered };
  }

  /**
   * Finds the end of the last complete, parseable line. A power cut can leave a partial line (no
   * newline) or a line whose bytes never reached the disk (zeros); both are cut.
   */
  private scanTail(file: string): { goodEnd: number; lastEvent: JournalEvent | null } {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      let window = Math.min(size, 64 * 1024);
      for (;;) {
        const start = size - window;
        const buf = Buffer.alloc(window);
        readSync(fd, buf, 0, window, start);
        let end = buf.length;
        // Walk back over lines until one parses.
        for (;;) {
          const nl = end > 0 ? buf.lastIndexOf(10, end - 1) : -1;
          if (nl === -1) break;
          const prevNl = nl > 0 ? buf.lastIndexOf(10, nl - 1) : -1;
          if (prevNl === -1 && start > 0) break; // the line may begin before this window
          const text = buf.toString('utf8', prevNl + 1, nl);
          try {
            const ev = JSON.parse(text) as JournalEvent;
            if (typeof ev.seq === 'number' && typeof ev.hash === 'string')
              return { goodEnd: start + nl + 1, lastEvent: ev };
          } catch {
            // not a whole line: keep walking back
          }
          end = prevNl + 1;
          if (prevNl === -1) break;
        }
        if (start === 0) return { goodEnd: 0, lastEvent: null };
        window = Math.min(size, window * 4);
      }
    } finally {
      closeSync(fd);
    }
  }

  get seq(): number {
    return this.lastSeq;
  }

  /** The last seq on disk for sure: consumers that publish read no further than this. */
  get durableSeq(): number {
    return this.syncedSeq;
  }

  get head(): { seq: number; hash: string } {
    return { seq: this.lastSeq, hash: this.lastHash };
  }

  /** When the last event was written (its `at`); null for an empty journal. */
  get lastEventAt(): Date | null {
    return this.lastAt === null ? null : new Date(this.lastAt);
  }

  health(): { ok: boolean; seq: number; error: string | null } {
    return { ok: this.healthy, seq: this.lastSeq, error: this.lastError };
  }

  /**
   * Appends one event and returns it once it is on disk. Throws JournalWriteError (and marks the
   * journal unhealthy) when the bytes cannot be written or synced.
   */
  append(input: EventInput, opts: { defer?: boolean; id?: string } = {}): JournalEvent {
    if (!this.started) throw new JournalWriteError(new Error('journal not started'));
    // After a failure, every append proves the disk again with a real fsync before anyone acts
    // on it: a write into the page cache proves nothing.
    const defer = opts.defer === true && this.healthy && this.opts.fsync !== false;
    const partial: Omit<JournalEvent, 'hash'> = {
      seq: this.lastSeq + 1,
      // A step's events carry ids chosen before its state was written (services/transaction.ts).
      id: opts.id ?? randomUUID(),
      at: this.clock().toISOString(),
      door: this.opts.door,
      type: input.type,
      data: input.data,
      prev: this.lastHash,
    };
    const sealed = sealEvent(partial);
    const event = sealed.event;
    const line = Buffer.from(sealed.line);
    try {
      if (this.fd === null || this.fileBytes + line.length > this.opts.maxFileBytes) {
        if (this.fd !== null && this.unsynced.length) fsyncSync(this.fd);
        this.rotate(event.seq);
      }
      const fd = this.fd as number;
      let off = 0;
      while (off < line.length) off += writeSync(fd, line, off, line.length - off);
      // fdatasync: the bytes and the metadata needed to read them back (the new file size), not
      // the timestamps — an append is on disk all the same, with one journal commit less on ext4.
      if (this.opts.fsync !== false && !defer) fdatasyncSync(fd);
    } catch (err) {
      this.healthy = false;
      this.lastError = (err as Error).message;
      // Cut partial bytes so a later append does not land after a torn line; if even that fails,
      // the next start cuts them (torn-line recovery).
      try {
        if (this.fd !== null) ftruncateSync(this.fd, this.fileBytes);
      } catch {
        // the disk is gone; nothing more to do here
      }
      throw new JournalWriteError(err);
    }
    this.fileBytes += line.length;
    this.lastSeq = event.seq;
    this.lastHash = event.hash;
    this.lastAt = event.at;
    this.unsynced.push(event);
    if (!defer) {
      this.healthy = true;
      this.lastError = null;
      this.announce();
    }
    return event;
  }

  /**
   * Makes deferred appends durable. The door writes a grant (so a failed write still denies),
   * switches the relay, then syncs: the fsync no longer sits between the tap and the lock.
   * Throws JournalWriteError, and marks the journal unhealthy, when the sync fails.
   */
  sync(): void {
    if (this.unsynced.length === 0 || this.fd === null) return;
    try {
      fsyncSync(this.fd);
    } catch (err) {
      this.healthy = false;
      this.lastError = (err as Error).message;
      throw new JournalWriteError(err);
    }
    this.healthy = true;
    this.lastError = null;
    this.announce();
  }

  /** Consumers hear of events only once they are on disk, in order. */
  private announce(): void {
    this.syncedSeq = this.lastSeq;
    const pending = this.unsynced;
    this.unsynced = [];
    for (const e of pending) this.emit('appended', e);
  }

  private rotate(firstSeq: number): void {
    if (this.fd !== null) {
      if (this.fileBytes === 0) return; // an empty segment takes the event whatever its size
      closeSync(this.fd);
      this.fd = null;
    }
    this.fd = openSync(join(this.opts.dir, fileNameFor(firstSeq)), 'a+', 0o600);
    this.fileBytes = 0;
    fsyncDir(this.opts.dir);
  }

  /** The directory the segments are in. */
  get dir(): string {
    return this.opts.dir;
  }

  /**
   * A reader from the cursor `after` (events with seq > after), in order and in blocks, that never
   * hands out an event before it is durable. Keep it to read on after the next 'appended'.
   */
  readFrom(after: number, opts: { blockSize?: number } = {}): JournalReader {
    return new JournalReader(this.opts.dir, { after, upTo: () => this.syncedSeq, ...opts });
  }

  /** Events with seq > `after`, in order, at most `limit`. */
  read(after: number, limit = 1000): JournalEvent[] {
    return this.readFrom(after, { blockSize: Math.min(Math.max(limit, 1), 1000) }).readEvents(limit);
  }

  /** Iterates every durable event with seq > `after`, reading only the segments that can hold them. */
  iterate(after: number): Generator<JournalEvent> {
    return this.readFrom(after).events();
  }

  stop(): void {
    if (this.fd !== null) {
      try {
        this.sync();
      } catch {
        // stopping anyway; the next start recovers what reached the disk
      }
      closeSync(this.fd);
      this.fd = null;
    }
    this.healthy = false;
    this.started = false;
  }
}
