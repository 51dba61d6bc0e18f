/**
 * Who a grant lets in, the access settings the door works under, and who may escort whom. Shared
 * by the access policy, escort pairing and occupancy, which is why it sits in its own file: each
 * of them imports it, none of them imports another for it.
 */
import type { User, Visit } from './types.js';

export interface AccessSettings {
  escortWindowSeconds: number;
  /** 'visit': only escorts named on the visit; 'any': any escort-capable staff member. */
  escortScope: 'visit' | 'any';
  staffSoloEntry: boolean;
  windowGraceMinutes: number;
  /** hard: deny a second entry; soft: grant but raise an alarm; off: ignore. */
  antiPassback: 'hard' | 'soft' | 'off';
  /** A wall clock this far before the latest trusted time opens an untrusted episode (default 120). */
  clockToleranceSeconds?: number;
  /** Staff may enter while the clock is untrusted (visitors never may); default true. */
  staffEntryOnUntrustedClock?: boolean;
}

export interface Admission {
  badgeId: string;
  kind: 'staff' | 'visitor';
  userId: string | null;
  visitId: string | null;
  name: string;
  escortedBy?: string[];
}

export function canEscort(user: User, visit: Visit, settings: AccessSettings): boolean {
  if (!user.active || !user.escort) return false;
  return settings.escortScope === 'any' || visit.escortIds.includes(user.id);
}
