/**
 * Software debounce shared by both GPIO drivers: a new level counts only once it has held for
 * `ms` without changing. Neither onoff's lodash debounce nor gpiomon v1 does what a door needs
 * (onoff reads the line after the quiet time; gpiomon has no debounce at all), so it lives here.
 * The timer functions are injectable so tests can step time instead of waiting.
 */
export interface DebounceTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: DebounceTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class Debouncer {
  private stable: boolean;
  private pending: boolean;
  private timer: unknown = null;

  constructor(
    initial: boolean,
    private readonly ms: number,
    private readonly onStable: (value: boolean) => void,
    private readonly timers: DebounceTimers = realTimers,
  ) {
    this.stable = initial;
    this.pending = initial;
  }

  get value(): boolean {
    return this.stable;
  }

  /** Feeds one raw sample (an edge or a poll). */
  feed(raw: boolean): void {
    // Polling repeats the same level: the quiet time runs from its first sample, not its latest.
    if (raw === this.pending && this.timer !== null) return;
    this.pending = raw;
    if (this.ms <= 0) {
      this.settle();
      return;
    }
    if (this.timer !== null) this.timers.clear(this.timer);
    if (raw === this.stable) {
      // Bounced back before the quiet time ran out: nothing happened.
      this.timer = null;
      return;
    }
    this.timer = this.timers.set(() => {
      this.timer = null;
      this.settle();
    }, this.ms);
  }

  /** Resets to a known level without an event (start-up, after a reconnect). */
  reset(value: boolean): void {
    this.cancel();
    this.stable = this.pending = value;
  }

  cancel(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
  }

  private settle(): void {
    if (this.pending === this.stable) return;
    this.stable = this.pending;
    this.onStable(this.stable);
  }
}
