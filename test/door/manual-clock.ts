/**
 * A hand-stepped clock for the door (src/door/timers.ts): timeouts, intervals and the monotonic
 * time all move only when a test calls `advance`, so door tests run without sleeping. Timers due
 * within one `advance` fire in due order, each seeing `now()` at its own due time.
 */
import type { DoorTimers, TimerHandle } from '../../src/door/timers.js';

interface Due {
  at: number;
  fn: () => void;
  every: number | null;
}

export class ManualClock implements DoorTimers {
  private t = 0;
  private nextId = 1;
  private readonly due = new Map<number, Due>();

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, null);
  }

  clearTimeout(handle: TimerHandle): void {
    this.due.delete(handle as number);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, Math.max(1, ms));
  }

  clearInterval(handle: TimerHandle): void {
    this.due.delete(handle as number);
  }

  /** Moves time on by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      let next: [number, Due] | undefined;
      for (const e of this.due) if (e[1].at <= until && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      const [id, d] = next;
      this.t = d.at;
      if (d.every === null) this.due.delete(id);
      else d.at += d.every;
      d.fn();
    }
    this.t = until;
  }

  /** Timeouts still waiting (intervals not counted). */
  pendingTimeouts(): number {
    return [...this.due.values()].filter((d) => d.every === null).length;
  }

  private add(fn: () => void, ms: number, every: number | null): number {
    const id = this.nextId++;
    this.due.set(id, { at: this.t + Math.max(0, ms), fn, every });
    return id;
  }
}
