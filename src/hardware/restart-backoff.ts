/**
 * Restart with exponential backoff, for anything that dies and is brought back: a gpiod tool
 * process, a serial port that was unplugged, the PC/SC context when pcscd restarts, the firmware
 * bridge's link. One schedule: the n-th attempt since the last success waits
 * `initialMs * factor^n`, capped at `maxMs`, optionally shortened by a random jitter so several
 * restarts after one common cause do not fire in lockstep.
 *
 * The owner says what happened: `schedule()` after a failure, `succeeded()` once the thing is back,
 * `stop()` when it is stopped itself (a late failure then schedules nothing). At most one attempt is
 * pending at a time, so a burst of error and close events makes one retry, not several. The timer
 * functions are injectable so tests step time instead of waiting.
 */

export interface BackoffTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** A pending retry alone does not keep the process alive; stop() cancels it anyway. */
const realTimers: BackoffTimers = {
  set: (fn, ms) => setTimeout(fn, ms).unref(),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface RestartBackoffOptions {
  /** Wait before the first attempt after a success (or after start()). */
  initialMs: number;
  /** The wait never grows beyond this. */
  maxMs: number;
  /** Growth per failed attempt; 2 unless told. */
  factor?: number | undefined;
  /** 0..1: each wait is shortened by up to this fraction, at random. 0 unless told. */
  jitter?: number | undefined;
  /** For jitter; Math.random unless told (tests). */
  random?: (() => number) | undefined;
  timers?: BackoffTimers | undefined;
  /** An attempt that threw or rejected is a failed attempt: it is reported here, then retried. */
  onError?: ((err: unknown) => void) | undefined;
}

export class RestartBackoff {
  private timer: unknown = null;
  private active = false;
  private failed = 0;
  private lastDelay = 0;
  private readonly timers: BackoffTimers;

  constructor(
    private readonly opts: RestartBackoffOptions,
    private readonly attempt: () => void | Promise<void>,
  ) {
    this.timers = opts.timers ?? realTimers;
  }

  /** Arms the helper with a fresh count; until then (and after stop()) schedule() does nothing. */
  start(): void {
    this.cancel();
    this.active = true;
    this.failed = 0;
  }

  /** Cancels a pending attempt; nothing is scheduled again until start(). */
  stop(): void {
    this.cancel();
    this.active = false;
    this.failed = 0;
  }

  /**
   * After a failure: runs the attempt once the backoff has passed. Returns the wait armed, or null
   * when an attempt is already pending or the helper is stopped.
   */
  schedule(): number | null {
    if (!this.active || this.timer !== null) return null;
    const delay = this.delayFor(this.failed);
    this.failed++;
    this.lastDelay = delay;
    this.timer = this.timers.set(() => this.fire(), delay);
    return delay;
  }

  /** The thing is back: the next failure waits `initialMs` again. */
  succeeded(): void {
    this.failed = 0;
  }

  /** Cancels a pending attempt but keeps the count (the owner gives up for now, e.g. a fatal error). */
  cancel(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
  }

  /** Attempts scheduled since the last success (health reads it). */
  get attempts(): number {
    return this.failed;
  }

  /** Whether an attempt is waiting for its timer. */
  get pending(): boolean {
    return this.timer !== null;
  }

  /** The wait armed by the last schedule(), in ms (logs, health). */
  get lastDelayMs(): number {
    return this.lastDelay;
  }

  /** The wait the next schedule() would arm, before jitter. */
  get nextDelayMs(): number {
    return this.baseDelay(this.failed);
  }

  private baseDelay(n: number): number {
    const factor = this.opts.factor ?? 2;
    // Capped exponent: past the cap the product only overflows towards Infinity.
    const raw = this.opts.initialMs * factor ** Math.min(n, 64);
    return Math.min(this.opts.maxMs, raw);
  }

  private delayFor(n: number): number {
    const base = this.baseDelay(n);
    const jitter = Math.min(Math.max(this.opts.jitter ?? 0, 0), 1);
    if (jitter === 0) return base;
    const r = (this.opts.random ?? Math.random)();
    return Math.round(base * (1 - jitter * r));
  }

  private fire(): void {
    this.timer = null;
    if (!this.active) return;
    let result: unknown;
    try {
      result = this.attempt();
    } catch (err) {
      this.failedAttempt(err);
      return;
    }
    if (result instanceof Promise) result.catch((err: unknown) => this.failedAttempt(err));
  }

  private failedAttempt(err: unknown): void {
    this.opts.onError?.(err);
    this.schedule();
  }
}
