/**
 * One procedure step = one state commit + its journal events. The state is written first; if the
 * journal then refuses the events, the state is put back (records the step created are removed)
 * and the step fails with journal_unavailable — a refused step changes nothing, and no change
 * goes unrecorded.
 */
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
  try {
    await store.commit(changes);
  } catch (err) {
    throw new AppError('store_unavailable', { cause: (err as Error).message });
  }
  const written: JournalEvent[] = [];
  try {
    for (const e of events) written.push(journal.append(e));
  } catch {
    if (written.length === 0) {
      // revert() releases the disk reserve when the disk is full, so the undo finds room.
      await store
        .revert(undo, created.visits, { users: created.users, badges: created.badges })
        .catch(() => undefined);
      throw new AppError('journal_unavailable');
    }
    // Some events of the step are on disk: keep the state that they describe.
  }
  return written;
}
