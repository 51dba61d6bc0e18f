/** Stepped timers for the debouncer: tests move time by hand instead of waiting on it. */
import type { DebounceTimers } from '../../../src/hardware/gpio/debounce.js';

export class ManualTimers implements DebounceTimers {
  private now = 0;
  private nextId = 1;
  private readonly due = new Map<number, { at: number; fn: () => void }>();

  set(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.due.set(id, { at: this.now + ms, fn });
    return id;
  }

  clear(handle: unknown): void {
    this.due.delete(handle as number);
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const next = [...this.due.entries()]
        .filter(([, t]) => t.at <= until)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      this.due.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
    }
    this.now = until;
  }

  pending(): number {
    return this.due.size;
  }
}
