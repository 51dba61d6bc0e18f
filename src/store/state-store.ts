/**
 * Current state — users, badges, visits — in lowdb over the durable adapter, with in-memory
 * indexes for the door's lookups. Terminal visits are moved to monthly archive files after
 * `archiveAfterDays`, so the state file stays the size of the live work, not of history.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { type Badge, TERMINAL_STATES, type User, type Visit } from '../domain/types.js';
import { DiskReserve } from './disk-reserve.js';
import { DurableJSONFile, fsyncDir } from './durable-file.js';
import { readLines } from './journal-segments.js';
import { isObject, parseDataFile, recordProblems, refuseMissingWithPrevious } from './state-file-error.js';

/**
 * Journal events of a step whose state is written but whose events may not be appended yet (a
 * kill -9 between the two): written in the same state.json as the step, so at start the events
 * the journal lacks are appended (app.ts, store/outbox.ts). `afterSeq` is a lower bound: the
 * journal's seq before the step's state was written.
 */
export interface OutboxEntry {
  id: string;
  afterSeq: number;
  type: string;
  data: unknown;
}

export interface StateData {
  version: 1;
  outbox?: OutboxEntry[];
  users: User[];
  badges: Badge[];
  visits: Visit[];
}

export interface Removals {
  users?: string[];
  badges?: string[];
}

export interface Changes {
  users?: User[];
  badges?: Badge[];
  visits?: Visit[];
}

const EMPTY: StateData = { version: 1, users: [], badges: [], visits: [] };

/** What is wrong with a parsed state.json, as `path message` (empty: it is one). */
export function stateProblems(v: unknown): string[] {
  if (!isObject(v)) return ['the top level must be an object'];
  if (v.version !== 1)
    return [`unknown version ${JSON.stringify(v.version) ?? 'undefined'} (this jurukunci reads version 1)`];
  const outbox =
    v.outbox === undefined ||
    (Array.isArray(v.outbox) &&
      v.outbox.every(
        (e) =>
          isObject(e) &&
          typeof e.id === 'string' &&
          typeof e.type === 'string' &&
          Number.isInteger(e.afterSeq),
      ))
      ? []
      : ['outbox must be a list of {id, afterSeq, type, data}'];
  return [...outbox, ...['users', 'badges', 'visits'].flatMap((k) => recordProblems(v, k))];
}

/** Parses state.json's text; throws StateFileError (state_file_corrupt) naming what is wrong. */
export function parseStateFile(text: string, file: string): StateData {
  return parseDataFile<StateData>(text, file, stateProblems);
}

export class StateStore {
  private readonly db: Low<StateData>;
  private readonly users = new Map<string, User>();
  private readonly usersByName = new Map<string, User>();
  private readonly badges = new Map<string, Badge>();
  private readonly badgesByUid = new Map<string, Badge>();
  private readonly visits = new Map<string, Visit>();
  private readonly archiveDir: string;
  /** Space kept back so an undo (revert) can always be written: see disk-reserve.ts. */
  readonly reserve: DiskReserve;

  constructor(readonly dir: string) {
    this.reserve = new DiskReserve(dir);
    this.db = new Low<StateData>(
      new DurableJSONFile<StateData>(join(dir, 'state.json'), { keepPrevious: true, parse: parseStateFile }),
      structuredClone(EMPTY),
    );
    this.archiveDir = join(dir, 'archive');
  }

  /** True when start() found no state.json at all (a first start — or a file someone removed). */
  startedWithoutFile = false;

  /** The state file's path. */
  get file(): string {
    return join(this.dir, 'state.json');
  }

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    refuseMissingWithPrevious(this.file);
    this.startedWithoutFile = !existsSync(this.file);
    // A damaged or unknown file throws StateFileError: never start empty over it.
    await this.db.read();
    const data = this.db.data ?? structuredClone(EMPTY);
    for (const u of data.users) this.indexUser(u);
    for (const b of data.badges) this.indexBadge(b);
    for (const v of data.visits) this.visits.set(v.id, v);
    this.pendingOutbox = [...(data.outbox ?? [])];
    this.keepReserve();
  }

  /** Outbox entries not yet known to be in the journal; each commit writes them. */
  private pendingOutbox: OutboxEntry[] = [];

  /** The outbox as loaded or since added (events not yet known to be journaled). */
  outbox(): readonly OutboxEntry[] {
    return this.pendingOutbox;
  }

  /** The events are in the journal (or will never be): later commits leave them out. No write. */
  outboxDone(ids: readonly string[]): void {
    if (ids.length === 0 || this.pendingOutbox.length === 0) return;
    const done = new Set(ids);
    this.pendingOutbox = this.pendingOutbox.filter((e) => !done.has(e.id));
  }

  private fileBytes(): number {
    try {
      return statSync(this.file).size;
    } catch {
      return 0;
    }
  }

  /** Makes or grows the reserve when the disk has room to spare (best effort, never throws). */
  private keepReserve(): void {
    const size = this.fileBytes();
    if (this.reserve.bytes < this.reserve.target(size)) this.reserve.ensure(size);
  }

  /**
   * Puts back what a step changed when its journal events were refused (services/transaction.ts).
   * The disk may have just filled up: if the write fails, the reserve is released to make room and
   * the write tried once more. Throws only when even that fails.
   */
  async revert(changes: Changes, removeVisitIds: string[], remove: Removals): Promise<void> {
    try {
      await this.commit(changes, removeVisitIds, remove);
    } catch (err) {
      if (!this.reserve.release()) throw err;
      await this.commit(changes, removeVisitIds, remove);
    }
  }

  private indexUser(u: User): void {
    const old = this.users.get(u.id);
    if (old) this.usersByName.delete(old.username.toLowerCase());
    this.users.set(u.id, u);
    this.usersByName.set(u.username.toLowerCase(), u);
  }

  private indexBadge(b: Badge): void {
    const old = this.badges.get(b.id);
    if (old) this.badgesByUid.delete(old.uid);
    this.badges.set(b.id, b);
    this.badgesByUid.set(b.uid, b);
  }

  // --- reads (the door's StateView and the API's lookups) ---
  user(id: string): User | undefined {
    return this.users.get(id);
  }
  userByUsername(username: string): User | undefined {
    return this.usersByName.get(username.toLowerCase());
  }
  badge(id: string): Badge | undefined {
    return this.badges.get(id);
  }
  badgeByUid(uid: string): Badge | undefined {
    return this.badgesByUid.get(uid);
  }
  visit(id: string): Visit | undefined {
    return this.visits.get(id);
  }
  listUsers(): User[] {
    return [...this.users.values()];
  }
  listBadges(): Badge[] {
    return [...this.badges.values()];
  }
  listVisits(): Visit[] {
    return [...this.visits.values()];
  }
  counts() {
    return { users: this.users.size, badges: this.badges.size, visits: this.visits.size };
  }

  private chain: Promise<unknown> = Promise.resolve();

  /**
   * Runs read-decide-commit sequences one at a time, so two procedure steps on the same visit
   * cannot both decide from the same old state, and a failed write is never overtaken by a later
   * one that would save the refused change. Must not be nested.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private writeChain: Promise<unknown> = Promise.resolve();

  /**
   * Writes the next state durably, then makes it the one the door sees. Nothing is visible before
   * it is on disk: a tap never acts on a step whose write then fails, and a refused change changes
   * nothing. Commits are queued so each document holds every commit before it.
   */
  commit(
    changes: Changes,
    removeVisitIds: string[] = [],
    remove: Removals = {},
    /** The step's journal events, written in the same file as its changes (transaction.ts). */
    outbox: OutboxEntry[] = [],
  ): Promise<void> {
    const run = this.writeChain.then(() => this.commitNow(changes, removeVisitIds, remove, outbox));
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  private async commitNow(
    changes: Changes,
    removeVisitIds: string[],
    remove: Removals,
    outbox: OutboxEntry[],
  ): Promise<void> {
    const users = new Map(this.users);
    const badges = new Map(this.badges);
    const visits = new Map(this.visits);
    for (const u of changes.users ?? []) users.set(u.id, u);
    for (const b of changes.badges ?? []) badges.set(b.id, b);
    for (const v of changes.visits ?? []) visits.set(v.id, v);
    for (const id of remove.users ?? []) users.delete(id);
    for (const id of remove.badges ?? []) badges.delete(id);
    for (const id of removeVisitIds) visits.delete(id);
    this.db.data = {
      version: 1,
      ...(this.pendingOutbox.length || outbox.length ? { outbox: [...this.pendingOutbox, ...outbox] } : {}),
      users: [...users.values()],
      badges: [...badges.values()],
      visits: [...visits.values()],
    };
    await this.db.write();
    // On disk: now apply the same changes to the indexes.
    this.pendingOutbox.push(...outbox);
    for (const id of remove.users ?? []) {
      const u = this.users.get(id);
      if (u) this.usersByName.delete(u.username.toLowerCase());
      this.users.delete(id);
    }
    for (const id of remove.badges ?? []) {
      const b = this.badges.get(id);
      if (b) this.badgesByUid.delete(b.uid);
      this.badges.delete(id);
    }
    for (const u of changes.users ?? []) this.indexUser(u);
    for (const b of changes.badges ?? []) this.indexBadge(b);
    for (const v of changes.visits ?? []) this.visits.set(v.id, v);
    for (const id of removeVisitIds) this.visits.delete(id);
    this.keepReserve();
  }

  /**
   * Moves terminal visits last changed before `before` to archive/visits-YYYY-MM.jsonl (appended
   * and fsynced first, so a crash between the two steps duplicates, never loses).
   */
  async archive(before: Date): Promise<Visit[]> {
    const old = this.listVisits().filter(
      (v) => TERMINAL_STATES.includes(v.state) && new Date(v.updatedAt).getTime() < before.getTime(),
    );
    if (old.length === 0) return [];
    mkdirSync(this.archiveDir, { recursive: true, mode: 0o700 });
    const byMonth = new Map<string, Visit[]>();
    for (const v of old) {
      const m = v.updatedAt.slice(0, 7);
      byMonth.set(m, [...(byMonth.get(m) ?? []), v]);
    }
    for (const [month, visits] of byMonth) {
      const fd = openSync(join(this.archiveDir, `visits-${month}.jsonl`), 'a', 0o600);
      try {
        const buf = Buffer.from(visits.map((v) => `${JSON.stringify(v)}\n`).join(''));
        let off = 0;
        while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    fsyncDir(this.archiveDir);
    await this.commit(
      {},
      old.map((v) => v.id),
    );
    return old;
  }

  /** Archived visits, oldest month first (for reports). */
  *archivedVisits(): Generator<Visit> {
    let names: string[] = [];
    try {
      names = readdirSync(this.archiveDir)
        .filter((n) => /^visits-\d{4}-\d{2}\.jsonl$/.test(n))
        .sort();
    } catch {
      return;
    }
    const seen = new Set<string>();
    for (const n of names) {
      for (const { line } of readLines(join(this.archiveDir, n))) {
        if (!line) continue;
        const v = JSON.parse(line) as Visit;
        if (seen.has(v.id)) continue;
        seen.add(v.id);
        yield v;
      }
    }
  }
}
