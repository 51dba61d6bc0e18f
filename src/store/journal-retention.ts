/**
 * Retention: the oldest segments beyond `keep` are removed, and the journal says so first. A
 * `journal.pruned` event naming the last pruned seq and its hash is appended before any file is
 * deleted, so a journal that starts after seq 1 without one was cut by someone else, and
 * verify-journal reports it (journal-verify.ts). The newest segment is never pruned.
 */
import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import type { JournalEvent } from '../domain/events.js';
import type { Journal } from './journal.js';
import { listSegments, readLines } from './journal-segments.js';

/** The first event of a segment file, or null when it holds none. */
function firstEvent(file: string): JournalEvent | null {
  for (const { line } of readLines(file)) {
    if (line.length > 0) return JSON.parse(line) as JournalEvent;
  }
  return null;
}

/** Prunes the oldest segments beyond `keep` (0: keep all); returns the files removed. */
export function pruneJournal(journal: Journal, keep: number): string[] {
  if (keep <= 0) return [];
  const segs = listSegments(journal.dir);
  if (segs.length <= keep) return [];
  const drop = segs.slice(0, segs.length - keep);
  const firstKept = segs[segs.length - keep]!;
  // The first kept event links to the last pruned one: its seq - 1 and its prev.
  const first = firstEvent(firstKept.file);
  if (!first) return [];
  journal.append({
    type: 'journal.pruned',
    data: {
      lastPrunedSeq: first.seq - 1,
      lastPrunedHash: first.prev,
      files: drop.map((s) => basename(s.file)),
    },
  });
  for (const s of drop) rmSync(s.file, { force: true });
  return drop.map((s) => s.file);
}
