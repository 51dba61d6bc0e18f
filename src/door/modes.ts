/**
 * The door mode (normal, lockdown, emergency release) and the fire-alarm input. Every change asks
 * the door rules (src/domain/door-modes.ts) and is journaled before it takes effect; what a change
 * does to the lock, the alarms and the pairing is the composing door's `apply`.
 */
import {
  type DoorCaller,
  type DoorVerdict,
  decideModeChange,
  mayChangeUnrecorded,
} from '../domain/door-modes.js';
import { AppError } from '../domain/errors.js';
import type { DoorMode } from '../domain/types.js';
import type { DoorRecorder } from './door-recorder.js';

export const FIRE_INPUT: DoorCaller = {
  id: 'system',
  name: 'fire alarm',
  role: 'system',
  channel: 'fire_input',
};

export interface ModesDeps {
  recorder: DoorRecorder;
  /** The fire-alarm input is active now (false without one). */
  fireActive: () => boolean;
  /** Carries a change out, once it is decided and journaled. */
  apply: (from: DoorMode, to: DoorMode) => void;
}

export class DoorModes {
  private mode: DoorMode = 'normal';
  /** The mode a fire interrupted, to return to when the input clears (kept across a restart). */
  private beforeFire: DoorMode | null = null;

  constructor(private readonly deps: ModesDeps) {}

  get current(): DoorMode {
    return this.mode;
  }

  get modeBeforeFire(): DoorMode | null {
    return this.beforeFire;
  }

  restore(mode: DoorMode, modeBeforeFire: DoorMode | null): void {
    this.mode = mode;
    this.beforeFire = modeBeforeFire;
  }

  /** What the door rules say to `caller` asking for `to` now; changes nothing. */
  check(to: DoorMode, caller: DoorCaller): DoorVerdict {
    return decideModeChange({ from: this.mode, to, caller, fireActive: this.deps.fireActive() });
  }

  /** Changes the mode, or throws the coded refusal of the door rules (or journal_unavailable). */
  setMode(to: DoorMode, caller: DoorCaller, reason?: string): void {
    const from = this.mode;
    const verdict = this.check(to, caller);
    if (!verdict.ok) throw new AppError(verdict.code, { mode: from, requested: to });
    if (verdict.noop) return;
    const recorded = this.deps.recorder.record({
      type: 'door.mode_changed',
      data: {
        from,
        to,
        by: { id: caller.id, name: caller.name },
        via: caller.channel,
        ...(reason ? { reason } : {}),
      },
    });
    if (!recorded && !mayChangeUnrecorded(to, caller)) throw new AppError('journal_unavailable');
    this.mode = to;
    this.deps.apply(from, to);
  }

  /** The fire input releases the door; when it clears, the door returns to the mode before. */
  onFireAlarm(active: boolean): void {
    if (active) {
      if (this.mode !== 'emergency_release') this.beforeFire = this.mode;
      this.setMode('emergency_release', FIRE_INPUT, 'fire alarm input active');
      return;
    }
    const back = this.beforeFire;
    if (back === null) return;
    this.beforeFire = null;
    try {
      this.setMode(back, FIRE_INPUT, 'fire alarm input cleared');
    } catch (err) {
      // Not returned (the journal refused): still released, and the next start tries again.
      this.beforeFire = back;
      throw err;
    }
  }
}
