/**
 * The lock relay: momentary unlocks that relock after `unlockSeconds` (or when the door closes),
 * the hold of an emergency release, and a once-a-second watch that puts the relay back where the
 * door wants it after a driver drops or sticks it. Fail secure: locked unless a grant, an exit or
 * the release holds it open.
 */
import type { RelockReason, UnlockReason } from '../domain/events.js';
import type { Relay } from '../hardware/interfaces.js';
import type { DoorParts } from './door-recorder.js';
import { type TimerHandle, TimerSlot } from './timers.js';

export type { RelockReason, UnlockReason };

const WATCH_MS = 1000;

export class Lock {
  private readonly relockTimer: TimerSlot;
  private watch: TimerHandle | null = null;
  /** Set while a grant or an exit allows the door to open. */
  private authorised = false;
  /** Held open by emergency release. */
  private held = false;

  constructor(
    private readonly relay: Relay,
    private readonly unlockMs: number,
    private readonly parts: DoorParts,
  ) {
    this.relockTimer = new TimerSlot(parts.timers);
  }

  /** A grant or exit allows the door to be open now. */
  get authorisedOpen(): boolean {
    return this.authorised;
  }

  get released(): boolean {
    return this.held;
  }

  get unlocked(): boolean {
    return this.relay.get();
  }

  /** At start: the relay as the saved mode wants it, and the watch running. */
  start(released: boolean): void {
    this.held = released;
    this.relay.set(released);
    this.watch = this.parts.timers.setInterval(() => this.parts.safely(() => this.reassert()), WATCH_MS);
  }

  /** Stops the timers; fail secure, unless released (a fail-safe lock opens on power loss anyway). */
  stop(): void {
    this.relockTimer.clear();
    if (this.watch !== null) this.parts.timers.clearInterval(this.watch);
    this.watch = null;
    if (!this.held) this.relay.set(false);
  }

  /** `defer`: the caller flushes the journal once the relay and the reader are done. */
  unlock(reason: UnlockReason, defer = false): void {
    const wasUnlocked = this.relay.get();
    this.relay.set(true);
    this.authorised = true;
    if (this.held) return;
    if (!wasUnlocked) this.parts.recorder.record({ type: 'door.unlocked', data: { reason } }, defer);
    this.relockTimer.set(() => this.parts.safely(() => this.relock('timeout')), this.unlockMs);
  }

  relock(why: RelockReason): void {
    this.relockTimer.clear();
    this.authorised = false;
    if (this.held) return;
    if (this.relay.get()) {
      this.relay.set(false);
      this.parts.recorder.record({ type: 'door.locked', data: { reason: why } });
      this.parts.changed();
    }
  }

  /** Emergency release: held open until `endRelease`, no relock timer. */
  release(): void {
    this.relockTimer.clear();
    this.held = true;
    this.relay.set(true);
    this.parts.recorder.record({ type: 'door.unlocked', data: { reason: 'emergency' } });
  }

  endRelease(): void {
    this.held = false;
    this.relock('mode');
  }

  /** After a handler fault: lock, unless a grant, an exit or the release holds the door open. */
  failSecure(): void {
    if (!this.held && !this.authorised) this.relay.set(false);
  }

  /**
   * Drivers may drop to locked on a fault (a dead gpioset, a bridge reset). Once a second the
   * relay is put back where the door wants it: released in emergency release, locked when no
   * grant or exit holds it open.
   */
  private reassert(): void {
    const want = this.held || this.authorised;
    if (this.relay.get() !== want) {
      this.parts.logger.warn(
        { want: want ? 'unlocked' : 'locked' },
        'relay not where the door wants it; setting it again',
      );
      this.relay.set(want);
      this.parts.changed();
    }
  }
}
