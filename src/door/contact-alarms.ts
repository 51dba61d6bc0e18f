/**
 * The door contact: door.opened / door.closed, door.forced when it opens without a grant or exit,
 * door.held_open when it stays open past `heldOpenSeconds`, both cleared when it closes. Closing
 * after a grant relocks at once. In emergency release an open door is neither forced nor held.
 */
import type { DoorMode } from '../domain/types.js';
import type { DoorParts } from './door-recorder.js';
import type { Lock } from './lock.js';
import { TimerSlot } from './timers.js';

export class ContactAlarms {
  private readonly heldTimer: TimerSlot;
  private isForced = false;
  private isHeldOpen = false;

  constructor(
    private readonly heldOpenSeconds: number,
    private readonly lock: Lock,
    private readonly mode: () => DoorMode,
    private readonly parts: DoorParts,
  ) {
    this.heldTimer = new TimerSlot(parts.timers);
  }

  get alarms(): { forced: boolean; heldOpen: boolean } {
    return { forced: this.isForced, heldOpen: this.isHeldOpen };
  }

  onContact(open: boolean): void {
    const { recorder } = this.parts;
    if (open) {
      const released = this.lock.released;
      const authorised = this.lock.authorisedOpen || released;
      recorder.record({ type: 'door.opened', data: { authorised } });
      if (!authorised) {
        this.isForced = true;
        recorder.record({ type: 'door.forced', data: { mode: this.mode() } });
      }
      this.heldTimer.clear();
      if (!released) {
        this.heldTimer.set(
          () =>
            this.parts.safely(() => {
              this.isHeldOpen = true;
              recorder.record({ type: 'door.held_open', data: { seconds: this.heldOpenSeconds } });
              this.parts.changed();
            }),
          this.heldOpenSeconds * 1000,
        );
      }
    } else {
      this.heldTimer.clear();
      const wasAlarm = this.isForced || this.isHeldOpen;
      this.isForced = false;
      this.isHeldOpen = false;
      recorder.record({ type: 'door.closed', data: wasAlarm ? { alarmCleared: true } : {} });
      // Relock as soon as the door closes again after a grant.
      if (this.lock.authorisedOpen) this.lock.relock('door_closed');
    }
    this.parts.changed();
  }

  /** Emergency release: an open door is expected, no held-open alarm. */
  cancelHeldOpen(): void {
    this.heldTimer.clear();
  }

  stop(): void {
    this.heldTimer.clear();
  }
}
