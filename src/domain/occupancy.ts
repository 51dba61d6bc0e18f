/**
 * Who is inside the server room now, for anti-passback, the retained MQTT state, and the
 * unescorted-visitor alarm. Pure data; the store persists `entries()`.
 */
import { type AccessSettings, type Admission, canEscort } from './admission.js';
import type { User, Visit } from './types.js';

export interface Occupant extends Admission {
  since: string;
}

export class Occupancy {
  private readonly inside = new Map<string, Occupant>();

  constructor(entries: Occupant[] = []) {
    for (const e of entries) this.inside.set(e.badgeId, e);
  }

  isInside(badgeId: string): boolean {
    return this.inside.has(badgeId);
  }

  get(badgeId: string): Occupant | undefined {
    return this.inside.get(badgeId);
  }

  entries(): Occupant[] {
    return [...this.inside.values()];
  }

  admit(admits: Admission[], now: Date): void {
    for (const a of admits) this.inside.set(a.badgeId, { ...a, since: now.toISOString() });
  }

  /** Removes the badge; returns the occupant that left, if it was inside. */
  leave(badgeId: string): Occupant | undefined {
    const o = this.inside.get(badgeId);
    this.inside.delete(badgeId);
    return o;
  }

  /** Removes every occupant of a visit (check-out) and returns them. */
  clearVisit(visitId: string): Occupant[] {
    const gone = this.entries().filter((o) => o.visitId === visitId);
    for (const o of gone) this.inside.delete(o.badgeId);
    return gone;
  }

  clear(): Occupant[] {
    const all = this.entries();
    this.inside.clear();
    return all;
  }

  /**
   * Visits whose visitor is inside with no eligible escort inside. Called after someone leaves,
   * to raise `alarm.visitor_unescorted`.
   */
  unescortedVisits(
    visitById: (id: string) => Visit | undefined,
    userById: (id: string) => User | undefined,
    settings: AccessSettings,
  ): Visit[] {
    const staffInside = this.entries()
      .filter((o) => o.kind === 'staff' && o.userId)
      .map((o) => userById(o.userId as string))
      .filter((u): u is User => u !== undefined);
    const result: Visit[] = [];
    for (const o of this.entries()) {
      if (o.kind !== 'visitor' || !o.visitId) continue;
      const visit = visitById(o.visitId);
      if (!visit) continue;
      if (!staffInside.some((u) => canEscort(u, visit, settings))) result.push(visit);
    }
    return result;
  }
}
