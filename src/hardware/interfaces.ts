/**
 * The small interfaces every door driver implements. The door controller sees only these, so the
 * simulated drivers, GPIO, NFC, QR and the firmware bridge are interchangeable.
 */
import type { EventEmitter } from 'node:events';
import type { Lifecycle } from '../lifecycle.js';

export interface Credential {
  kind: 'nfc' | 'qr' | 'wiegand';
  /** NFC: normalised upper-case hex UID. QR: the scanned text. */
  value: string;
  readerId: string;
}

export type ReaderFeedback = 'grant' | 'deny' | 'pending';

export interface CredentialReader extends Lifecycle, EventEmitter<{ credential: [Credential] }> {
  readonly id: string;
  /** LED/buzzer on readers that have them; a no-op elsewhere. */
  feedback(result: ReaderFeedback): void;
}

/** The lock relay. `unlocked` is the logical state; drivers map it to active-high/low lines. */
export interface Relay extends Lifecycle {
  readonly id: string;
  set(unlocked: boolean): void;
  get(): boolean;
}

/** A debounced digital input (door contact: true = open; exit button: true = pressed). */
export interface DigitalInput extends Lifecycle, EventEmitter<{ change: [boolean] }> {
  readonly id: string;
  read(): boolean;
}
