/**
 * The door's watch on the wall clock (the rule is src/domain/clock-trust.ts). It looks at the
 * clock on every tap and every poll; when the clock falls behind the latest trusted time it
 * journals `alarm.clock_untrusted` once for the episode, and the access policy refuses visitors
 * until the system reports its time synchronised or a superadmin confirms the clock
 * (`door.clock_trusted`). Expiry asks `agreedNow()`: a moment both the wall clock and the
 * monotonic anchor say has passed.
 */
import { ClockTrust } from '../domain/clock-trust.js';
import type { DoorCaller } from '../domain/door-modes.js';
import { AppError } from '../domain/errors.js';
import type { DoorParts } from './door-recorder.js';
import type { TimerHandle } from './timers.js';

/** Resolves true when the system's time is synchronised (time-sync.ts); injected. */
export type TimeSyncCheck = () => Promise<boolean>;

export interface ClockGuardDeps {
  clock: () => Date;
  parts: DoorParts;
  toleranceSeconds: number;
  timeSynchronised?: TimeSyncCheck | undefined;
  /** How often the clock is looked at without a tap (and the sync asked, while untrusted). */
  pollMs?: number | undefined;
}

export interface ClockStatus {
  trusted: boolean;
  wallTime: string;
  trustedTime: string;
}

/** While trusted, the sync is asked on every this-many polls (to re-anchor), not on every one. */
const TRUSTED_SYNC_EVERY = 10;

export class ClockGuard {
  private trust: ClockTrust | null = null;
  private interval: TimerHandle | null = null;
  private asking = false;
  private polls = 0;

  constructor(private readonly d: ClockGuardDeps) {}

  /** `latest`: the journal's last event time, the latest trusted time to start from. */
  start(latest: Date | null): void {
    const { parts } = this.d;
    this.trust = new ClockTrust({
      latestMs: latest?.getTime() ?? null,
      wallMs: this.wallMs(),
      mono: parts.timers.now(),
      toleranceMs: this.d.toleranceSeconds * 1000,
    });
    this.check();
    this.interval = parts.timers.setInterval(() => parts.safely(() => this.poll()), this.d.pollMs ?? 30_000);
  }

  stop(): void {
    if (this.interval !== null) this.d.parts.timers.clearInterval(this.interval);
    this.interval = null;
  }

  /** Looks at the clock now; true when it is trusted. Journals the alarm when an episode begins. */
  check(): boolean {
    const o = this.state().observe(this.wallMs(), this.d.parts.timers.now());
    if (o.trusted) return true;
    if (o.opened) {
      this.d.parts.recorder.record({
        type: 'alarm.clock_untrusted',
        data: {
          wallTime: new Date(o.wallMs).toISOString(),
          trustedTime: new Date(o.latestMs).toISOString(),
          toleranceSeconds: this.d.toleranceSeconds,
        },
      });
      this.d.parts.changed();
    }
    return false;
  }

  /** The latest trusted time: whatever ended before it stays ended. */
  get latestTrusted(): Date {
    return new Date(this.state().latestMs);
  }

  /** A time both clocks say has passed, for expiry; null while the clock is untrusted. */
  agreedNow(): Date | null {
    const ms = this.state().agreedMs(this.wallMs(), this.d.parts.timers.now());
    if (ms === null) {
      this.check(); // journals the alarm if this is how the episode was found
      return null;
    }
    return new Date(ms);
  }

  status(): ClockStatus {
    const trusted = this.check();
    return {
      trusted,
      wallTime: this.d.clock().toISOString(),
      trustedTime: this.latestTrusted.toISOString(),
    };
  }

  /**
   * A superadmin says the wall clock is right (with a reason): journaled, then trusted again.
   * Nothing to do when it is trusted already.
   */
  confirm(caller: DoorCaller, reason: string): ClockStatus {
    if (caller.role !== 'superadmin') throw new AppError('forbidden', { role: caller.role });
    const why = reason.trim();
    if (!why) throw new AppError('reason_required');
    if (this.check()) return this.status();
    this.restore('confirmed', { by: { id: caller.id, name: caller.name }, reason: why });
    return this.status();
  }

  private restore(
    source: 'confirmed' | 'synchronised',
    who: { by?: { id: string; name: string }; reason?: string },
  ) {
    const wallMs = this.wallMs();
    const recorded = this.d.parts.recorder.record({
      type: 'door.clock_trusted',
      data: {
        source,
        wallTime: new Date(wallMs).toISOString(),
        trustedTimeBefore: this.latestTrusted.toISOString(),
        ...who,
      },
    });
    // No record, no trust: the episode stays open.
    if (!recorded) throw new AppError('journal_unavailable');
    this.state().restore(wallMs, this.d.parts.timers.now());
    this.d.parts.changed();
  }

  private poll(): void {
    const trusted = this.check();
    const ask = this.d.timeSynchronised;
    this.polls++;
    if (!ask || this.asking || (trusted && this.polls % TRUSTED_SYNC_EVERY !== 0)) return;
    this.asking = true;
    ask().then(
      (synced) => {
        this.asking = false;
        if (!synced || this.interval === null) return;
        try {
          if (this.check()) this.state().reanchor(this.wallMs(), this.d.parts.timers.now());
          else this.restore('synchronised', {});
        } catch (err) {
          // Not journaled: the episode stays open; the next poll tries again.
          this.d.parts.logger.warn({ err }, 'clock trust not restored');
        }
      },
      () => {
        this.asking = false;
      },
    );
  }

  private state(): ClockTrust {
    if (!this.trust) throw new AppError('internal', { module: 'clock' });
    return this.trust;
  }

  private wallMs(): number {
    return this.d.clock().getTime();
  }
}
