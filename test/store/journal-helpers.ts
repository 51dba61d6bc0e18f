/** Shared fixtures for the journal tests: a journal on a stepping clock, events, segment edits. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { type JournalEvent, uncheckedEvent } from '../../src/domain/events.js';
import { Journal, type JournalOptions } from '../../src/store/journal.js';
import { hashEvent } from '../../src/store/journal-chain.js';
import { listSegments } from '../../src/store/journal-segments.js';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function steppingClock(startIso = '2025-03-01T08:00:00.000Z'): () => Date {
  let t = Date.parse(startIso);
  return () => {
    t += 1000;
    return new Date(t);
  };
}

export function open(dir: string, opts: Partial<JournalOptions> = {}): Journal {
  const j = new Journal({ dir, door: 'srv-1', maxFileBytes: 1 << 20, clock: steppingClock(), ...opts });
  j.start();
  return j;
}

export function fill(j: Journal, n: number, pad = 0): JournalEvent[] {
  const out: JournalEvent[] = [];
  for (let i = 0; i < n; i++) out.push(j.append(uncheckedEvent('door.opened', { i, pad: 'p'.repeat(pad) })));
  return out;
}

export function fileEvents(file: string): JournalEvent[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as JournalEvent);
}

export function allEvents(dir: string): JournalEvent[] {
  return listSegments(dir).flatMap((s) => fileEvents(s.file));
}

export function seqs(evs: { seq: number }[]): number[] {
  return evs.map((e) => e.seq);
}

export function range(from: number, to: number): number[] {
  const r: number[] = [];
  for (let i = from; i <= to; i++) r.push(i);
  return r;
}

/** Rewrites the lines of a segment through `edit`, byte for byte otherwise. */
export function editLines(file: string, edit: (lines: string[]) => string[]): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  assert.equal(lines.pop(), '', 'segment should end with a newline');
  writeFileSync(
    file,
    edit(lines)
      .map((l) => `${l}\n`)
      .join(''),
  );
}

export function rehash(e: JournalEvent): JournalEvent {
  const { hash: _h, ...rest } = e;
  return { ...rest, hash: hashEvent(rest) };
}

export function errno(code: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: simulated`) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}
