/**
 * The one error a data file (state.json, door.json) fails the start with: which file, what is
 * wrong with it, and how to get the last good generation back. The service never starts empty
 * over a file it cannot read — that would overwrite good data with nothing at the first write.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { AppError, ERRORS } from '../domain/errors.js';
import { parseJsonText } from '../domain/json-syntax.js';
import { previousPath } from './durable-file.js';

/** The command that brings the previous generation back (cli/state-restore.ts). */
export const RESTORE_COMMAND = 'jurukunci state restore [--config FILE]';

export class StateFileError extends AppError {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    const prev = previousPath(file);
    const hasPrev = existsSync(prev);
    const restore = hasPrev
      ? `the previous generation ${basename(prev)} is kept; with the service stopped, check and restore it with: ${RESTORE_COMMAND} (see docs/operations.md)`
      : `no previous generation (${basename(prev)}) is kept; restore ${basename(file)} from a backup (see docs/operations.md)`;
    const e = ERRORS.state_file_corrupt;
    super(
      'state_file_corrupt',
      { file, problem, restore },
      `${file}: ${problem}\n  ${e.id}\n  ${e.en}\n  ${restore}`,
    );
    this.name = 'StateFileError';
  }
}

/**
 * Parses a data file's text and checks its shape with `check` (which returns the problems it
 * sees, as `path message`); throws StateFileError naming the first few.
 */
export function parseDataFile<T>(text: string, file: string, check: (v: unknown) => string[]): T {
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    const problem =
      parsed.problem === 'empty (0 bytes)'
        ? 'empty (0 bytes): a write cut short, e.g. by a power cut on a filesystem without the data journalled'
        : parsed.problem;
    throw new StateFileError(file, problem);
  }
  const problems = check(parsed.value);
  if (problems.length > 0) {
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    throw new StateFileError(file, `${problems.slice(0, 5).join('; ')}${more}`);
  }
  return parsed.value as T;
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `records` must be an array of objects with a string id. */
export function recordProblems(doc: Record<string, unknown>, key: string): string[] {
  const list = doc[key];
  if (!Array.isArray(list)) return [`${key} must be an array`];
  const out: string[] = [];
  list.forEach((r, i) => {
    if (!isObject(r) || typeof r.id !== 'string') out.push(`${key}[${i}] must be a record with a string id`);
  });
  return out;
}

/**
 * A data file that is gone while its previous generation is there was lost, not never made:
 * starting empty would write an empty generation over the last good one.
 */
export function refuseMissingWithPrevious(file: string): void {
  if (!existsSync(file) && existsSync(previousPath(file)))
    throw new StateFileError(
      file,
      `missing, while its previous generation ${basename(previousPath(file))} is there`,
    );
}

/** Event types that only a state.json holding users, badges or visits can have produced. */
const STATE_EVENT = /^(user|badge|visit)\./;

/**
 * state.json is absent but the journal records users, badges or visits: the file was deleted or
 * lost (a restored disk image, a wrong rm), not a first start. Starting empty would print a setup
 * token and let anyone who sees it become the first superadmin over a door with a history.
 */
export function refuseStateLostBehindJournal(
  file: string,
  journal: { iterate(after: number): Iterable<{ seq: number; type: string }> },
): void {
  for (const e of journal.iterate(0))
    if (STATE_EVENT.test(e.type))
      throw new StateFileError(
        file,
        `missing, while the journal records ${e.type} (seq ${e.seq}): the file was lost, this is not a first start`,
      );
}
