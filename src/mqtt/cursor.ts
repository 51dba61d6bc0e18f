/**
 * The publisher's place in the journal, persisted in the data directory. It only ever holds a seq
 * whose event (and every one before it) the broker acknowledged; writes are coalesced, so after a
 * crash the cursor may lag a little and those events are sent again (at least once, with ids).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from '../store/durable-file.js';

export interface CursorState {
  seq: number;
  id: string | null;
  at: string | null;
}

export class CursorFile {
  readonly path: string;
  private current: CursorState = { seq: 0, id: null, at: null };
  private written = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    dataDir: string,
    // Each write is two fsyncs on the event loop; 200 ms keeps a drain at full speed and bounds
    // what a crash sends again to a fraction of a second of events.
    private readonly flushMs = 200,
    name = 'mqtt-cursor.json',
  ) {
    this.path = join(dataDir, name);
  }

  /** Reads the saved cursor; a missing file starts at the beginning of the journal. */
  load(): CursorState {
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<CursorState>;
      if (typeof parsed.seq !== 'number' || !Number.isInteger(parsed.seq) || parsed.seq < 0)
        throw new Error('seq is not a non-negative integer');
      this.current = { seq: parsed.seq, id: parsed.id ?? null, at: parsed.at ?? null };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.current = { seq: 0, id: null, at: null };
    }
    this.written = this.current.seq;
    return { ...this.current };
  }

  get seq(): number {
    return this.current.seq;
  }

  /** Moves the cursor forward (never back) and schedules a durable write. */
  advance(to: CursorState): void {
    if (to.seq <= this.current.seq) return;
    this.current = { ...to };
    if (!this.timer && this.flushMs > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.flushMs);
    } else if (this.flushMs <= 0) {
      this.flush();
    }
  }

  /** Resets to an explicit position (the journal was replaced); written at once. */
  reset(to: CursorState): void {
    this.current = { ...to };
    this.written = -1;
    this.flush();
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.written === this.current.seq) return;
    writeFileDurably(this.path, `${JSON.stringify(this.current)}\n`);
    this.written = this.current.seq;
  }
}
