/**
 * At start: the journal events of a step whose state reached state.json but whose events did
 * not reach the journal (a kill -9 between the two writes of services/transaction.ts) are
 * appended now, under the ids the step chose, so the journal again records every change the
 * state holds. Events already there (found by id after the entry's lower-bound seq) are not
 * appended twice.
 */
import type { Logger } from 'pino';
import type { EventInput } from '../domain/events.js';
import type { Journal } from './journal.js';
import type { StateStore } from './state-store.js';

export interface OutboxRecovery {
  pending: number;
  appended: { id: string; type: string }[];
  /** Why the rest could not be appended (they wait for the next start). */
  failed?: string;
}

export function recoverOutbox(
  store: StateStore,
  journal: Pick<Journal, 'iterate' | 'append'>,
): OutboxRecovery {
  const pending = store.outbox();
  if (pending.length === 0) return { pending: 0, appended: [] };
  const missing = new Set(pending.map((e) => e.id));
  const after = Math.max(0, Math.min(...pending.map((e) => e.afterSeq)));
  for (const e of journal.iterate(after)) {
    missing.delete(e.id);
    if (missing.size === 0) break;
  }
  const appended: OutboxRecovery['appended'] = [];
  let failed: string | undefined;
  for (const e of pending) {
    if (!missing.has(e.id)) continue;
    try {
      journal.append({ type: e.type, data: e.data } as EventInput, { id: e.id });
    } catch (err) {
      // A journal that cannot write (a full disk at start) must not keep the door from
      // starting: this one and the rest stay in the outbox for the next start.
      failed = (err as Error).message;
      break;
    }
    missing.delete(e.id);
    appended.push({ id: e.id, type: e.type });
  }
  store.outboxDone(pending.filter((e) => !missing.has(e.id)).map((e) => e.id));
  return { pending: pending.length, appended, ...(failed ? { failed } : {}) };
}

/** recoverOutbox at start, said in the log, and state.json written without what the journal now holds. */
export async function recoverOutboxAtStart(
  store: StateStore,
  journal: Journal,
  logger: Logger,
): Promise<void> {
  const r = recoverOutbox(store, journal);
  if (r.appended.length)
    logger.warn(
      { events: r.appended },
      'journal: events of a step cut short by a crash appended from the state outbox',
    );
  if (r.failed)
    logger.error(
      { err: r.failed },
      'journal: the state outbox could not be appended; kept for the next start',
    );
  // Best effort: a full disk keeps the old file, whose entries the next start finds journaled.
  if (r.pending)
    await store.commit({}).catch((err: Error) => logger.warn({ err }, 'state: outbox not cleared on disk'));
}
