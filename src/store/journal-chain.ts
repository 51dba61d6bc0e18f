/**
 * The journal's hash chain: each event's hash covers the hash of the event before it, so an edit,
 * a deletion or a reordering breaks every link after it. Also the one place an event becomes its
 * line, so what is hashed and what is written cannot drift apart.
 */
import { createHash } from 'node:crypto';
import type { JournalEvent } from '../domain/events.js';

export const GENESIS_HASH = '0'.repeat(64);

function hashedBody(e: Omit<JournalEvent, 'hash'>): string {
  return JSON.stringify({ seq: e.seq, id: e.id, at: e.at, door: e.door, type: e.type, data: e.data });
}

function hashOf(prev: string, body: string): string {
  return createHash('sha256').update(prev).update('\n').update(body).digest('hex');
}

export function hashEvent(e: Omit<JournalEvent, 'hash'>): string {
  return hashOf(e.prev, hashedBody(e));
}

/** Hashes an event and serialises it as its journal line (newline-terminated). */
export function sealEvent(partial: Omit<JournalEvent, 'hash'>): { event: JournalEvent; line: string } {
  const body = hashedBody(partial);
  const hash = hashOf(partial.prev, body);
  // The line is the hashed body plus prev and hash, in the same key order as JournalEvent, so the
  // event is serialised once.
  return {
    event: { ...partial, hash },
    line: `${body.slice(0, -1)},"prev":"${partial.prev}","hash":"${hash}"}\n`,
  };
}
