/**
 * The journal is the truth; the door's saved state (door.json) is a cache of it. A kill -9 in the
 * first milliseconds after a grant leaves the grant in the journal (it is written before the
 * relay moves) while door.json and the visit's first entry are written a moment later. On start
 * the door replays the journal events after the sequence number its saved state reflects, so who
 * is inside, the mode, and the grants still to be booked as first entries come back exactly.
 */
import type { JournalEvent } from './events.js';
import { Occupancy, type Occupant } from './occupancy.js';
import type { DoorMode } from './types.js';

export interface ReplayedDoorState {
  mode: DoorMode;
  occupancy: Occupant[];
  modeBeforeFire?: DoorMode | null;
  /** The journal sequence number this state reflects (every event up to it is applied). */
  journalSeq?: number;
}

export interface ReplayResult {
  state: Required<Pick<ReplayedDoorState, 'mode' | 'occupancy' | 'journalSeq'>> & {
    modeBeforeFire: DoorMode | null;
  };
  /** Grants in the replayed events whose visit's first entry was not journaled after them. */
  firstEntries: { visitId: string; at: string }[];
  applied: number;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * Applies `events` (ascending, all after `saved.journalSeq`) to `saved`. Pure: the caller reads
 * the events from the journal.
 */
export function replayDoorEvents(saved: ReplayedDoorState, events: Iterable<JournalEvent>): ReplayResult {
  const occupancy = new Occupancy(saved.occupancy);
  let mode = saved.mode;
  let modeBeforeFire = saved.modeBeforeFire ?? null;
  let journalSeq = saved.journalSeq ?? 0;
  const pendingFirst = new Map<string, string>();
  let applied = 0;
  for (const ev of events) {
    if (ev.seq <= journalSeq) continue;
    journalSeq = ev.seq;
    applied++;
    const d = ev.data as Record<string, unknown>;
    switch (ev.type) {
      case 'access.granted': {
        const admits = Array.isArray(d.admits) ? (d.admits as Occupant[]) : [];
        occupancy.admit(
          admits.map((a) => ({
            badgeId: a.badgeId,
            kind: a.kind,
            userId: a.userId ?? null,
            visitId: a.visitId ?? null,
            name: a.name,
            ...(a.escortedBy ? { escortedBy: a.escortedBy } : {}),
          })),
          new Date(ev.at),
        );
        for (const a of admits)
          if (a.visitId && !pendingFirst.has(a.visitId)) pendingFirst.set(a.visitId, ev.at);
        break;
      }
      case 'access.exit': {
        const badgeId = str(d.badgeId);
        if (badgeId) occupancy.leave(badgeId);
        break;
      }
      case 'door.occupancy_cleared': {
        const ids = Array.isArray(d.badgeIds)
          ? d.badgeIds.filter((x): x is string => typeof x === 'string')
          : [];
        for (const id of ids) occupancy.leave(id);
        break;
      }
      case 'visit.checked_out': {
        const visitId = str(d.visitId);
        if (visitId) occupancy.clearVisit(visitId);
        break;
      }
      case 'visit.entered': {
        const visitId = str(d.visitId);
        if (visitId) pendingFirst.delete(visitId);
        break;
      }
      case 'door.mode_changed': {
        const to = str(d.to) as DoorMode | null;
        const from = str(d.from) as DoorMode | null;
        if (to) {
          // The fire input releases the door and remembers where to go back to.
          const byFire = (d.via as string | undefined) === 'fire_input';
          if (byFire && to === 'emergency_release' && from && from !== 'emergency_release')
            modeBeforeFire = from;
          if (byFire && to !== 'emergency_release') modeBeforeFire = null;
          mode = to;
        }
        break;
      }
      default:
        break;
    }
  }
  return {
    state: { mode, occupancy: occupancy.entries(), modeBeforeFire, journalSeq },
    firstEntries: [...pendingFirst].map(([visitId, at]) => ({ visitId, at })),
    applied,
  };
}
