/**
 * At start: the journal events of a step whose state reached state.json but whose events did
 * not reach the journal (a kill -9 between the two writes of services/transaction.ts) are
 * appended now, under the ids the step chose, so the journal again records every change the
 * state holds. Events already there (found by id after the entry's lower-bound seq) are not
 * appended twice.
 */
import type { EventInput } from '../domain/events.js';
import type { Journal } from './journal.js';
import type { StateStore } from './state-store.js';

export interface OutboxRecovery {
  pending: number;
  appended: { id: string; type: string }[];
  /** Why the rest could not be appended (they wait for the next start). */
  failed?: string;
}

export function recoverOutbox(store: StateStore, journal: Journal): OutboxRecovery {
  const pending = store.outbox();
  if (pending.length === 0) return { pending: 0, appended: [] };
  const missing = new Set(pending.map((e) => e.id));
  let after = Math.max(0, Math.min(...pending.map((e) => e.afterSeq)));
  while (missing.size > 0 && after < journal.seq) {
    const batch = journal.read(after, 5_000);
    if (batch.length === 0) break;
    for (const e of batch) missing.delete(e.id);
    after = batch.at(-1)!.seq;
  }
  const appended: OutboxRecovery['appended'] = [];
  const done: string[] = [];
  let failed: Error | null = null;
  for (const e of pending) {
    if (missing.has(e.id) && !failed) {
      try {
        journal.append({ type: e.type, data: e.data } as EventInput, { id: e.id });
        appended.push({ id: e.id, type: e.type });
      } catch (err) {
        // A journal that cannot write (a full disk at start) must not keep the door from
        // starting: the rest stay in the outbox for the next start.
        failed = err as Error;
        continue;
      }
    }
    if (!failed || !missing.has(e.id)) done.push(e.id);
  }
  store.outboxDone(done);
  return { pending: pending.length, appended, ...(failed ? { failed: failed.message } : {}) };
}
