/**
 * What every door part shares: the journal writer that never throws (a door keeps working when the
 * disk does not), the injected timers, the logger, and the two callbacks into the composing door.
 */
import type { Logger } from 'pino';
import type { EventInput } from '../domain/events.js';
import type { Journal } from '../store/journal.js';
import type { DoorTimers } from './timers.js';

export class DoorRecorder {
  constructor(
    private readonly journal: Journal,
    private readonly logger: Logger,
  ) {}

  /** Appends to the journal; returns false (and logs) when it cannot. */
  record(ev: EventInput, defer = false): boolean {
    try {
      this.journal.append(ev, { defer });
      return true;
    } catch (err) {
      this.logger.error({ err, type: ev.type }, 'journal append failed');
      return false;
    }
  }

  /** Flushes deferred appends; a failure leaves the journal unhealthy, so the next entry is denied. */
  sync(): void {
    try {
      this.journal.sync();
    } catch (err) {
      this.logger.error({ err }, 'journal sync failed');
    }
  }
}

export interface DoorParts {
  recorder: DoorRecorder;
  timers: DoorTimers;
  logger: Logger;
  /** Runs an input or timer handler: a throw is logged and the door locks, and it keeps running. */
  safely(fn: () => void): void;
  /** The door's state changed: publish a snapshot. */
  changed(): void;
}
