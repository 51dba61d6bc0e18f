/**
 * The emergency roll call: when the door is released for an emergency (or an admin calls it),
 * everyone the door counts inside and every visitor whose KTP the office still holds is listed;
 * marshals mark people safe, several at once; closing it reports who is unaccounted for. Pure.
 */
import { AppError } from './errors.js';
import type { RollCallPersonRef } from './events.js';
import type { Occupant } from './occupancy.js';

export interface RollCallPerson extends RollCallPersonRef {
  safe: boolean;
  markedAt: string | null;
  markedBy: string | null;
}

export interface RollCall {
  id: string;
  trigger: 'emergency_release' | 'manual';
  openedAt: string;
  openedBy: { id: string; name: string };
  people: RollCallPerson[];
  closedAt: string | null;
  closedBy: { id: string; name: string } | null;
}

const person = (ref: RollCallPersonRef): RollCallPerson => ({
  ...ref,
  safe: false,
  markedAt: null,
  markedBy: null,
});

export function openRollCall(
  id: string,
  trigger: RollCall['trigger'],
  by: { id: string; name: string },
  inside: readonly Occupant[],
  ktpHeld: readonly { visitId: string; visitor: string }[],
  now: Date,
): RollCall {
  const people: RollCallPerson[] = inside.map((o) =>
    person({
      id: o.badgeId,
      kind: o.kind,
      name: o.name,
      badgeId: o.badgeId,
      visitId: o.visitId,
      reason: 'inside',
    }),
  );
  const listed = new Set(people.map((p) => p.visitId).filter((v) => v !== null));
  for (const k of ktpHeld) {
    if (listed.has(k.visitId)) continue;
    listed.add(k.visitId);
    people.push(
      person({
        id: k.visitId,
        kind: 'visitor',
        name: k.visitor,
        badgeId: null,
        visitId: k.visitId,
        reason: 'ktp_held',
      }),
    );
  }
  return { id, trigger, openedAt: now.toISOString(), openedBy: by, people, closedAt: null, closedBy: null };
}

/** Marks people by badge id or visit id; an id on nobody on the list changes nothing and is refused. */
export function markPeople(
  rc: RollCall,
  ids: { badgeIds?: readonly string[]; visitIds?: readonly string[] },
  safe: boolean,
  by: { id: string; name: string },
  now: Date,
): { rollCall: RollCall; marked: string[] } {
  if (rc.closedAt) throw new AppError('roll_call_closed', { rollCallId: rc.id });
  const badgeIds = new Set(ids.badgeIds ?? []);
  const visitIds = new Set(ids.visitIds ?? []);
  if (badgeIds.size + visitIds.size === 0) {
    throw new AppError('validation_failed', { field: 'badgeIds', rule: 'at least one badge or visit id' });
  }
  const hit = (p: RollCallPerson) =>
    (p.badgeId !== null && badgeIds.has(p.badgeId)) || (p.visitId !== null && visitIds.has(p.visitId));
  const unknown = [
    ...[...badgeIds].filter((b) => !rc.people.some((p) => p.badgeId === b)),
    ...[...visitIds].filter((v) => !rc.people.some((p) => p.visitId === v)),
  ];
  if (unknown.length)
    throw new AppError('validation_failed', { field: 'ids', rule: 'not on this roll call', unknown });
  const at = now.toISOString();
  const marked: string[] = [];
  const people = rc.people.map((p) => {
    if (!hit(p)) return p;
    marked.push(p.id);
    return { ...p, safe, markedAt: at, markedBy: by.id };
  });
  return { rollCall: { ...rc, people }, marked };
}

export function closeRollCall(
  rc: RollCall,
  by: { id: string; name: string },
  now: Date,
): { rollCall: RollCall; total: number; safe: number; unaccounted: RollCallPersonRef[] } {
  if (rc.closedAt) throw new AppError('roll_call_closed', { rollCallId: rc.id });
  const unaccounted = rc.people
    .filter((p) => !p.safe)
    .map(({ id, kind, name, badgeId, visitId, reason }) => ({ id, kind, name, badgeId, visitId, reason }));
  return {
    rollCall: { ...rc, closedAt: now.toISOString(), closedBy: by },
    total: rc.people.length,
    safe: rc.people.length - unaccounted.length,
    unaccounted,
  };
}
