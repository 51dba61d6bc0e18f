/**
 * The timer functions and the monotonic clock the door parts use, injected so tests step time by
 * hand instead of sleeping (test/door/manual-clock.ts). Pulses, windows and alarms all run on
 * monotonic time; wall-clock time comes from the door's own `clock`.
 */
import { performance } from 'node:perf_hooks';

/** Opaque: only the DoorTimers that made a handle can clear it. */
export type TimerHandle = unknown;

export interface DoorTimers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Background watches: the real one does not keep the process alive. */
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
  /** Monotonic milliseconds. */
  now(): number;
}

export const realDoorTimers: DoorTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
  now: () => performance.now(),
};

/** A one-shot timer slot: set replaces the one before, clear is safe when nothing is set. */
export class TimerSlot {
  private handle: TimerHandle | null = null;

  constructor(private readonly timers: DoorTimers) {}

  get active(): boolean {
    return this.handle !== null;
  }

  set(fn: () => void, ms: number): void {
    this.clear();
    this.handle = this.timers.setTimeout(() => {
      this.handle = null;
      fn();
    }, ms);
  }

  clear(): void {
    if (this.handle !== null) this.timers.clearTimeout(this.handle);
    this.handle = null;
  }
}
