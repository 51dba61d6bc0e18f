/**
 * Whether the wall clock can be believed. A Raspberry Pi has no battery clock: it boots with a
 * stale time until NTP answers, and root can set it to anything. Two facts the door keeps:
 *
 * - The latest trusted time: the last journaled event at start, then every wall time seen while
 *   the clock is trusted. Time does not run backwards, so a wall clock earlier than that by more
 *   than the tolerance opens an *untrusted episode*. It ends only when the system says its time is
 *   synchronised, or a superadmin confirms the clock (`restore`); the wall clock coming back on
 *   its own does not end it — the door cannot tell which of the two readings was right.
 * - A monotonic anchor: the wall time when trust was last established plus the monotonic time
 *   elapsed since. `agreedMs` is the earlier of that and the wall clock: a moment both clocks say
 *   has passed. Expiry uses it, so a clock jumped forward for a minute expires nothing.
 *
 * Pure: wall and monotonic times are passed in.
 */

export interface ClockTrustInit {
  /** The latest time known to have passed (the journal's last event); null for a new journal. */
  latestMs: number | null;
  wallMs: number;
  mono: number;
  toleranceMs: number;
}

export type ClockObservation =
  | { trusted: true }
  /** `opened`: this observation began the episode (raise the alarm once). */
  | { trusted: false; opened: boolean; wallMs: number; latestMs: number };

export class ClockTrust {
  private latest: number;
  private episode: { sinceWallMs: number } | null = null;
  private anchor: { wallMs: number; mono: number };
  private readonly toleranceMs: number;

  constructor(init: ClockTrustInit) {
    this.toleranceMs = Math.max(0, init.toleranceMs);
    this.latest = init.latestMs ?? init.wallMs;
    this.anchor = { wallMs: init.wallMs, mono: init.mono };
  }

  get trusted(): boolean {
    return this.episode === null;
  }

  /** The latest trusted time: a window or pass that ended before it stays ended. */
  get latestMs(): number {
    return this.latest;
  }

  /** Looks at the wall clock now; opens an episode when it is earlier than the latest trusted time. */
  observe(wallMs: number, _mono: number): ClockObservation {
    if (this.episode) return { trusted: false, opened: false, wallMs, latestMs: this.latest };
    if (wallMs < this.latest - this.toleranceMs) {
      this.episode = { sinceWallMs: wallMs };
      return { trusted: false, opened: true, wallMs, latestMs: this.latest };
    }
    if (wallMs > this.latest) this.latest = wallMs;
    return { trusted: true };
  }

  /**
   * The latest moment both clocks agree has passed: the wall clock, but never later than the
   * anchor plus monotonic time elapsed. Null while the clock is untrusted (nothing expires).
   */
  agreedMs(wallMs: number, mono: number): number | null {
    if (this.observe(wallMs, mono).trusted === false) return null;
    const byMono = this.anchor.wallMs + Math.max(0, mono - this.anchor.mono);
    return Math.min(wallMs, byMono);
  }

  /**
   * The system says its time is synchronised while the clock is trusted: the wall clock becomes
   * the anchor (a Pi that booted on a saved time and was then stepped forward by NTP expires on
   * time again).
   */
  reanchor(wallMs: number, mono: number): void {
    if (this.episode) return;
    this.anchor = { wallMs, mono };
    if (wallMs > this.latest) this.latest = wallMs;
  }

  /**
   * The wall clock is right again (synchronised, or confirmed by a superadmin): it becomes the
   * latest trusted time and the new anchor, even if earlier than the time before. Returns the
   * latest trusted time it replaced.
   */
  restore(wallMs: number, mono: number): number {
    const before = this.latest;
    this.episode = null;
    this.latest = wallMs;
    this.anchor = { wallMs, mono };
    return before;
  }
}
