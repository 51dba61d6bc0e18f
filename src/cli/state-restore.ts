/**
 * `jurukunci state restore`: puts the previous generation of a damaged state.json or door.json
 * back (the `.prev` hard link every durable write keeps, store/durable-file.ts), with the service
 * stopped. It restores only a file that does not load, only from a generation that parses and
 * passes the same checks as a start, after the journal's hash chain verifies; it says how that
 * generation stands against the journal (the changes made after it, to redo by hand), and keeps
 * the damaged file beside it as `<file>.damaged-<time>`. `--dry-run` checks and changes nothing.
 */
import { renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseDoorStateFile } from '../store/door-state.js';
import { fsyncDir, previousPath, readFileOrNull, writeFileDurably } from '../store/durable-file.js';
import { JournalReader } from '../store/journal-reader.js';
import { verifyJournal } from '../store/journal-verify.js';
import { StateFileError } from '../store/state-file-error.js';
import { parseStateFile } from '../store/state-store.js';
import { compareWithJournal } from '../store/state-vs-journal.js';

export interface RestoreOptions {
  dataDir: string;
  dryRun: boolean;
  now: () => Date;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** null when `text` loads, else the problem (StateFileError's). */
function problemOf(parse: () => unknown): string | null {
  try {
    parse();
    return null;
  } catch (err) {
    if (err instanceof StateFileError) return err.problem;
    throw err;
  }
}

/** Returns the exit code: 0 restored or nothing to do, 1 refused (nothing changed). */
export function restoreState(o: RestoreOptions): number {
  const journalDir = join(o.dataDir, 'journal');
  const files = [
    { name: 'state.json', parse: parseStateFile },
    { name: 'door.json', parse: parseDoorStateFile },
  ] as const;
  const todo: { path: string; prevText: string; current: string | null; note: string[] }[] = [];
  let journalChecked = false;
  let journalHead = 0;
  for (const f of files) {
    const path = join(o.dataDir, f.name);
    const prev = previousPath(path);
    const current = readFileOrNull(path);
    const prevText = readFileOrNull(prev);
    if (current !== null) {
      const problem = problemOf(() => f.parse(current, path));
      if (problem === null) {
        o.out(`${f.name}: loads; nothing to restore`);
        continue;
      }
      o.out(`${f.name}: ${problem}`);
    } else if (prevText === null) {
      o.out(`${f.name}: none yet; nothing to restore`);
      continue;
    } else {
      o.out(`${f.name}: missing`);
    }
    if (prevText === null) {
      o.err(`${f.name}: no previous generation (${basename(prev)}) to restore; restore it from a backup`);
      return 1;
    }
    const prevProblem = problemOf(() => f.parse(prevText, prev));
    if (prevProblem !== null) {
      o.err(`${basename(prev)}: ${prevProblem}; not restored`);
      return 1;
    }
    if (!journalChecked) {
      const v = verifyJournal(journalDir);
      if (!v.ok) {
        const b = v.firstBad!;
        o.err(
          `journal BROKEN at seq ${b.seq ?? '?'} (${b.file} line ${b.line}: ${b.problem}); not restoring against it — see verify-journal`,
        );
        return 1;
      }
      journalChecked = true;
      journalHead = v.lastSeq;
      o.out(`journal ok: ${v.events} events, last seq ${v.lastSeq}`);
    }
    const note: string[] = [];
    if (f.name === 'state.json') {
      const c = compareWithJournal(parseStateFile(prevText, prev), new JournalReader(journalDir).events());
      if (c.unknownToJournal.length > 0) {
        o.err(
          `${basename(prev)} holds records the journal never created (${c.unknownToJournal.slice(0, 5).join(', ')}): not this data dir's generation; not restored`,
        );
        return 1;
      }
      if (c.missingFromState.length === 0) note.push('matches the journal');
      else
        note.push(
          `the journal holds ${c.missingFromState.length} change(s) made after it; redo them:`,
          ...c.missingFromState.map((m) => `  ${m}`),
        );
    } else {
      const d = parseDoorStateFile(prevText, prev);
      if ((d.journalSeq ?? 0) > journalHead) {
        o.err(
          `${basename(prev)} reflects journal seq ${d.journalSeq}, past the journal's head ${journalHead}; not restored`,
        );
        return 1;
      }
      note.push(
        `reflects journal seq ${d.journalSeq ?? 0}; the door replays events ${(d.journalSeq ?? 0) + 1}..${journalHead} at start`,
      );
    }
    todo.push({ path, prevText, current, note });
  }
  for (const t of todo) {
    const name = basename(t.path);
    const [first, ...rest] = t.note;
    o.out(`${basename(previousPath(t.path))}: ${first}`);
    for (const n of rest) o.out(n);
    if (o.dryRun) {
      o.out(`${name}: would be restored from ${basename(previousPath(t.path))} (dry run: nothing changed)`);
      continue;
    }
    if (t.current !== null) {
      const kept = `${t.path}.damaged-${o.now().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(t.path, kept);
      fsyncDir(o.dataDir);
      o.out(`${name}: the damaged file is kept as ${basename(kept)}`);
    }
    writeFileDurably(t.path, t.prevText);
    o.out(`${name}: restored from ${basename(previousPath(t.path))}`);
  }
  return 0;
}
