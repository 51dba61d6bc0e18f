/**
 * Current state — users, badges, visits — in lowdb over the durable adapter, with in-memory
 * indexes for the door's lookups. Terminal visits are moved to monthly archive files after
 * `archiveAfterDays`, so the state file stays the size of the live work, not of history.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { type Badge, TERMINAL_STATES, type User, type Visit } from '../domain/types.js';
import { DurableJSONFile, fsyncDir } from './durable-file.js';
import { readLines } from './journal.js';

export interface StateData {
  version: 1;
  users: User[];
  badges: Badge[];
  visits: Visit[];
}

export interface Changes {
  users?: User[];
  badges?: Badge[];
  visits?: Visit[];
}

const EMPTY: StateData = { version: 1, users: [], badges: [], visits: [] };

export class StateStore {
  private readonly db: Low<StateData>;
  private readonly users = new Map<string, User>();
  private readonly usersByName = new Map<string, User>();
  private readonly badges = new Map<string, Badge>();
  private readonly badgesByUid = new Map<string, Badge>();
  private readonly visits = new Map<string, Visit>();
  private readonly archiveDir: string;

  constructor(private readonly dir: string) {
    this.db = new Low<StateData>(
      new DurableJSONFile<StateData>(join(dir, 'state.json')),
      structuredClone(EMPTY),
    );
    this.archiveDir = join(dir, 'archive');
  }

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    await this.db.read();
    const data = this.db.data ?? structuredClone(EMPTY);
    if (data.version !== 1) throw new Error(`state.json has unknown version ${String(data.version)}`);
    for (const u of data.users) this.indexUser(u);
    for (const b of data.badges) this.indexBadge(b);
    for (const v of data.visits) this.visits.set(v.id, v);
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

  /**
   * Applies upserts and writes them durably. On a failed write the in-memory state is put back,
   * so a refused change changes nothing.
   */
  async commit(changes: Changes, removeVisitIds: string[] = []): Promise<void> {
    const undoUsers = (changes.users ?? []).map((u) => [u.id, this.users.get(u.id)] as const);
    const undoBadges = (changes.badges ?? []).map((b) => [b.id, this.badges.get(b.id)] as const);
    const undoVisits = [...(changes.visits ?? []).map((v) => v.id), ...removeVisitIds].map(
      (id) => [id, this.visits.get(id)] as const,
    );
    for (const u of changes.users ?? []) this.indexUser(u);
    for (const b of changes.badges ?? []) this.indexBadge(b);
    for (const v of changes.visits ?? []) this.visits.set(v.id, v);
    for (const id of removeVisitIds) this.visits.delete(id);
    try {
      await this.persist();
    } catch (err) {
      for (const [id, old] of undoUsers) {
        const cur = this.users.get(id);
        if (cur) this.usersByName.delete(cur.username.toLowerCase());
        this.users.delete(id);
        if (old) this.indexUser(old);
      }
      for (const [id, old] of undoBadges) {
        const cur = this.badges.get(id);
        if (cur) this.badgesByUid.delete(cur.uid);
        this.badges.delete(id);
        if (old) this.indexBadge(old);
      }
      for (const [id, old] of undoVisits) {
        if (old) this.visits.set(id, old);
        else this.visits.delete(id);
      }
      // A refused change may have taken over another record's username or uid in the secondary
      // indexes (the undo above then dropped that entry); rebuild them from the restored records.
      this.usersByName.clear();
      for (const u of this.users.values()) this.usersByName.set(u.username.toLowerCase(), u);
      this.badgesByUid.clear();
      for (const b of this.badges.values()) this.badgesByUid.set(b.uid, b);
      throw err;
    }
  }

  private async persist(): Promise<void> {
    this.db.data = {
      version: 1,
      users: this.listUsers(),
      badges: this.listBadges(),
      visits: this.listVisits(),
    };
    await this.db.write();
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
