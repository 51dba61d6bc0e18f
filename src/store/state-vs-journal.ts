/**
 * How a generation of state.json stands against the journal (the truth): which of its records the
 * journal never mentions (a generation from another data dir, or a journal that lost events), and
 * which changes the journal holds that the generation lacks (the commit that came after it). Used
 * by `jurukunci state restore` before it puts a previous generation back.
 */
import type { JournalEvent } from '../domain/events.js';
import type { VisitState } from '../domain/types.js';
import type { StateData } from './state-store.js';

export interface StateComparison {
  /** Records of the generation the journal never created (only when the journal starts at seq 1). */
  unknownToJournal: string[];
  /** Changes in the journal the generation does not hold, each as `kind id: what (seq N)`. */
  missingFromState: string[];
}

/** The visit state each step's event leaves the visit in. */
const STATE_AFTER: Partial<Record<string, VisitState>> = {
  'visit.submitted': 'submitted',
  'visit.verified': 'verified',
  'visit.approved': 'approved',
  'visit.rejected': 'rejected',
  'visit.badge_issued': 'badge_issued',
  'visit.checked_out': 'checked_out',
  'visit.closed': 'closed',
  'visit.cancelled': 'cancelled',
  'visit.expired': 'expired',
};

export function compareWithJournal(state: StateData, events: Iterable<JournalEvent>): StateComparison {
  const users = new Map<string, number>();
  const badges = new Map<string, number>();
  const visits = new Map<string, { state: VisitState; seq: number }>();
  const archived = new Set<string>();
  let firstSeq: number | null = null;
  for (const e of events) {
    firstSeq ??= e.seq;
    const d = e.data as Record<string, unknown>;
    if (e.type === 'user.created') users.set(String(d.userId), e.seq);
    else if (e.type === 'badge.registered') badges.set(String(d.badgeId), e.seq);
    else if (e.type === 'visit.archived') for (const id of d.visitIds as string[]) archived.add(id);
    else if (e.type === 'visit.entered')
      visits.set(String(d.visitId), { state: d.state as VisitState, seq: e.seq });
    else {
      const after = STATE_AFTER[e.type];
      if (after) visits.set(String(d.visitId), { state: after, seq: e.seq });
    }
  }
  const complete = firstSeq === 1;
  const unknownToJournal: string[] = [];
  const missingFromState: string[] = [];
  const check = (kind: string, ids: string[], known: Map<string, unknown>) => {
    if (!complete) return;
    for (const id of ids) if (!known.has(id)) unknownToJournal.push(`${kind} ${id}`);
  };
  check(
    'user',
    state.users.map((u) => u.id),
    users,
  );
  check(
    'badge',
    state.badges.map((b) => b.id),
    badges,
  );
  check(
    'visit',
    state.visits.map((v) => v.id),
    visits,
  );
  const have = {
    users: new Set(state.users.map((u) => u.id)),
    badges: new Set(state.badges.map((b) => b.id)),
  };
  for (const [id, seq] of users)
    if (!have.users.has(id)) missingFromState.push(`user ${id}: created (seq ${seq})`);
  for (const [id, seq] of badges)
    if (!have.badges.has(id)) missingFromState.push(`badge ${id}: registered (seq ${seq})`);
  const byId = new Map(state.visits.map((v) => [v.id, v]));
  for (const [id, last] of visits) {
    if (archived.has(id)) continue;
    const v = byId.get(id);
    if (!v) missingFromState.push(`visit ${id}: ${last.state} (seq ${last.seq})`);
    else if (v.state !== last.state && !(v.state === 'in_progress' && last.state === 'badge_issued'))
      missingFromState.push(
        `visit ${id}: the journal says ${last.state} (seq ${last.seq}), the file ${v.state}`,
      );
  }
  return { unknownToJournal, missingFromState };
}
