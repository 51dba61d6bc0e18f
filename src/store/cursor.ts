/**
 * A journal consumer's place in the journal, persisted in the data directory (one file per
 * consumer; the MQTT publisher's is `mqtt-cursor.json`). It only ever holds a seq whose event (and
 * every one before it) the consumer has delivered — for MQTT, acknowledged by the broker; writes
 * are coalesced, so after a crash the cursor may lag a little and those events are sent again (at
 * least once, with ids). Resume reading with `journal.readFrom(cursor.seq)`.
 *
 * It also remembers the highest seq already reported as poison (an event the consumer cannot
 * deliver), so a rewind or a restart does not journal the same alarm (`alarm.mqtt_poison`) again.
 *
 * A write that fails (ENOSPC, EIO) never throws out of a timer: the state stays dirty, the error
 * is kept for the module's health, and the write is retried later. Losing the file costs only
 * duplicates, never events.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from './durable-file.js';

export interface CursorState {
  seq: number;
  id: string | null;
  at: string | null;
  /** The highest journal seq already reported (journaled) as a poison event; 0 when none. */
  poisonSeq?: number;
}

const RETRY_MAX_MS = 30_000;

export class CursorFile {
  readonly path: string;
  private current: Required<CursorState> = { seq: 0, id: null, at: null, poisonSeq: 0 };
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private retryMs: number;
  /** Why the last write failed; null once a write succeeds. */
  lastError: string | null = null;
  /** Why the saved file could not be used at load (it was treated as seq 0); null when it could. */
  loadProblem: string | null = null;

  constructor(
    dataDir: string,
    // Each write is two fsyncs on the event loop; 200 ms keeps a drain at full speed and bounds
    // what a crash sends again to a fraction of a second of events.
    private readonly flushMs = 200,
    name = 'mqtt-cursor.json',
    /** Called once per failed write (the publisher logs it). */
    private readonly onWriteError: (err: Error) => void = () => {},
  ) {
    this.path = join(dataDir, name);
    this.retryMs = Math.max(flushMs, 1000);
  }

  /**
   * Reads the saved cursor. A missing file starts at the beginning of the journal; so does a file
   * that cannot be read or parsed (at least once: everything is sent again), with `loadProblem` set.
   */
  load(): CursorState {
    this.loadProblem = null;
    this.current = { seq: 0, id: null, at: null, poisonSeq: 0 };
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<CursorState> | null;
      if (!parsed || typeof parsed !== 'object') throw new Error('not a JSON object');
      if (typeof parsed.seq !== 'number' || !Number.isInteger(parsed.seq) || parsed.seq < 0)
        throw new Error('seq is not a non-negative integer');
      const poisonSeq =
        typeof parsed.poisonSeq === 'number' && Number.isInteger(parsed.poisonSeq) && parsed.poisonSeq > 0
          ? parsed.poisonSeq
          : 0;
      this.current = {
        seq: parsed.seq,
        id: typeof parsed.id === 'string' ? parsed.id : null,
        at: typeof parsed.at === 'string' ? parsed.at : null,
        poisonSeq,
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.loadProblem = (err as Error).message;
    }
    this.dirty = false;
    return { ...this.current };
  }

  get seq(): number {
    return this.current.seq;
  }

  get poisonSeq(): number {
    return this.current.poisonSeq;
  }

  /** Moves the cursor forward (never back) and schedules a durable write. */
  advance(to: CursorState): void {
    if (to.seq <= this.current.seq) return;
    this.current = { seq: to.seq, id: to.id, at: to.at, poisonSeq: this.current.poisonSeq };
    this.markDirty();
  }

  /** Remembers that the poison event at `seq` was reported (never moves back). */
  notePoison(seq: number): void {
    if (seq <= this.current.poisonSeq) return;
    this.current.poisonSeq = seq;
    this.markDirty();
  }

  /** Resets to an explicit position (the journal was replaced); written at once (or retried). */
  reset(to: CursorState): void {
    this.current = { seq: to.seq, id: to.id, at: to.at, poisonSeq: to.poisonSeq ?? 0 };
    this.dirty = true;
    this.flush();
  }

  /**
   * Writes the cursor if it changed. Never throws: on failure the state stays dirty, `lastError`
   * says why, and a retry is scheduled. Returns whether the file now holds the current state.
   */
  flush(): boolean {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.dirty) return true;
    try {
      writeFileDurably(this.path, `${JSON.stringify(this.current)}\n`);
    } catch (err) {
      const first = this.lastError === null;
      this.lastError = (err as Error).message;
      if (first) this.onWriteError(err as Error);
      this.schedule(this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
      return false;
    }
    this.dirty = false;
    this.lastError = null;
    this.retryMs = Math.max(this.flushMs, 1000);
    return true;
  }

  /** Stops any pending write timer (after a final flush). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private markDirty(): void {
    this.dirty = true;
    if (this.flushMs <= 0 && this.lastError === null) this.flush();
    else if (!this.timer) this.schedule(this.lastError === null ? this.flushMs : this.retryMs);
  }

  private schedule(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, ms);
    this.timer.unref();
  }
}
