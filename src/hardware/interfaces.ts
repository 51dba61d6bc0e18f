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
  /**
   * NFC only: what the card proved at this tap (credentials.nfc.accept decides what is enough).
   * Every real NFC driver sets it; only a simulated tap may leave it out, and is then taken as a
   * genuine card (the simulator's default, see POST /api/sim/tap).
   */
  proof?: CredentialProof;
  /**
   * Enrol readers only, while the card is still on the reader: personalise it as this site's
   * genuine badge (NTAG 424 DNA). Absent on simulated readers and where genuine cards are off.
   */
  personalise?: () => Promise<PersonaliseOutcome>;
}

/**
 * - ntag424: a genuine NTAG 424 DNA of this site (key version it was keyed with, when read).
 * - uid: the card gave its UID only (a plain card, or a clone answering with a copied UID).
 * - failed: it claimed to be one and failed authentication (wrong key, bad MAC, replay).
 */
export type CredentialProof =
  | { kind: 'ntag424'; keyVersion?: number }
  | { kind: 'uid' }
  | { kind: 'failed'; reason: string; detail?: string };

export type PersonaliseOutcome =
  | { ok: true; uid: string; keyVersion: number }
  /** `uid`: the anticollision UID, when it was read (a plain card can still be bound by UID). */
  | { ok: false; reason: string; detail: string; uid?: string };

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
