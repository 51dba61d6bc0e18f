/**
 * One procedure step = one state commit + its journal events. The state is written first, with
 * the step's events in its outbox (ids chosen here); then the events are appended under those
 * ids. If the journal refuses them, the state is put back (records the step created are removed)
 * and the step fails with journal_unavailable — a refused step changes nothing. If the process
 * dies between the two writes, the next start appends from the outbox whatever the journal lacks
 * (store/outbox.ts): no change goes unrecorded.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { EventInput, JournalEvent } from '../domain/events.js';
import type { Journal } from '../store/journal.js';
import type { Changes, StateStore } from '../store/state-store.js';

export async function transact(
  store: StateStore,
  journal: Journal,
  changes: Changes,
  events: EventInput[],
): Promise<JournalEvent[]> {
  const undo: Changes = {
    users: (changes.users ?? []).map((u) => store.user(u.id)).filter((u) => u !== undefined),
    badges: (changes.badges ?? []).map((b) => store.badge(b.id)).filter((b) => b !== undefined),
    visits: (changes.visits ?? []).map((v) => store.visit(v.id)).filter((v) => v !== undefined),
  };
  const created = {
    users: (changes.users ?? []).filter((u) => !store.user(u.id)).map((u) => u.id),
    badges: (changes.badges ?? []).filter((b) => !store.badge(b.id)).map((b) => b.id),
    visits: (changes.visits ?? []).filter((v) => !store.visit(v.id)).map((v) => v.id),
  };
  const outbox = events.map((e) => ({ id: randomUUID(), afterSeq: journal.seq, type: e.type, data: e.data }));
  const ids = outbox.map((e) => e.id);
  try {
    await store.commit(changes, [], {}, outbox);
  } catch (err) {
    throw new AppError('store_unavailable', { cause: (err as Error).message });
  }
  const written: JournalEvent[] = [];
  try {
    for (const [i, e] of events.entries()) written.push(journal.append(e, { id: ids[i] }));
  } catch {
    if (written.length === 0) {
      store.outboxDone(ids);
      // revert() releases the disk reserve when the disk is full, so the undo finds room.
      await store
        .revert(undo, created.visits, { users: created.users, badges: created.badges })
        .catch(() => undefined);
      throw new AppError('journal_unavailable');
    }
    // Some events of the step are on disk: keep the state that they describe. The rest stay in
    // the outbox, appended at the next start.
  }
  store.outboxDone(written.map((e) => e.id));
  return written;
}
