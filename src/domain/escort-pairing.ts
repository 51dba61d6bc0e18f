/**
 * Recent entry taps, kept for `escortWindowSeconds` so that a visitor and an escort presenting
 * their badges within the window of each other are admitted by one unlock. Monotonic time only.
 */
import type { Admission } from './admission.js';

export interface PairedTap {
  badgeId: string;
  kind: 'staff' | 'visitor';
  userId: string | null;
  visitId: string | null;
  mono: number;
  /** pending: waiting for a partner; granted: admitted, may still escort a later visitor. */
  status: 'pending' | 'granted';
  admission: Admission;
  /** The reader it was presented at: a wait that runs out is denied naming it. */
  reader?: string;
}

export class EscortPairing {
  private taps: PairedTap[] = [];

  /** Names the reader of the newest waiting tap of `badgeId` (set by the door after the decision). */
  tagReader(badgeId: string, reader: string): void {
    for (let i = this.taps.length - 1; i >= 0; i--) {
      const t = this.taps[i] as PairedTap;
      if (t.badgeId === badgeId && t.status === 'pending') {
        t.reader = reader;
        return;
      }
    }
  }

  /** Taps no older than `windowMs`, newest last. */
  recent(mono: number, windowMs: number): PairedTap[] {
    return this.taps.filter((t) => mono - t.mono <= windowMs);
  }

  record(tap: PairedTap): void {
    this.taps = this.taps.filter((t) => t.badgeId !== tap.badgeId);
    this.taps.push(tap);
  }

  /** A pending tap was admitted by its partner. */
  resolve(badgeId: string): void {
    for (const t of this.taps) if (t.badgeId === badgeId) t.status = 'granted';
  }

  /** Drops taps older than the window and returns the pending ones that ran out. */
  expire(mono: number, windowMs: number): PairedTap[] {
    const expired: PairedTap[] = [];
    this.taps = this.taps.filter((t) => {
      if (mono - t.mono <= windowMs) return true;
      if (t.status === 'pending') expired.push(t);
      return false;
    });
    return expired;
  }

  pending(): PairedTap[] {
    return this.taps.filter((t) => t.status === 'pending');
  }

  /** The badge left the room (exit): it can no longer escort anyone in. */
  forget(badgeId: string): void {
    this.taps = this.taps.filter((t) => t.badgeId !== badgeId);
  }

  /** Someone left by the exit button: no admitted escort tap may pair any more. */
  forgetGranted(): void {
    this.taps = this.taps.filter((t) => t.status !== 'granted');
  }

  clear(): void {
    this.taps = [];
  }
}
