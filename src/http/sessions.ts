/**
 * Server-side sessions behind opaque tokens. A session ends after `idleMs` without use, after
 * `absoluteMs` whatever happens, on logout, and when its user signs in more than `maxPerUser`
 * times (the oldest goes). Only sha256 hashes of tokens are kept — in memory and in the session
 * file — so neither a heap dump nor a copy of the data directory hands out a live token.
 *
 * With a file, sessions survive a restart of the service (admins are not signed out by an
 * update); without one (tests, or `http.sessionFile` off) they live in memory only.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileOrNull, writeFileDurably } from '../store/durable-file.js';

interface Session {
  userId: string;
  createdAt: number;
  lastSeen: number;
}

export interface SessionOptions {
  idleMs: number;
  absoluteMs?: number;
  maxPerUser?: number;
  /** Where sessions persist (token hashes only); absent: memory only. */
  file?: string;
  now?: () => number;
  onError?: (err: Error) => void;
}

/** A session's use is written back at most this often: every request must not be a disk write. */
const TOUCH_FLUSH_MS = 60_000;

export class Sessions {
  // Keyed by the token's hash; Map order is creation order, so the oldest of a user comes first.
  private readonly byHash = new Map<string, Session>();
  private readonly idleMs: number;
  private readonly absoluteMs: number;
  private readonly maxPerUser: number;
  private readonly now: () => number;
  private readonly opts: SessionOptions;
  private lastFlush = 0;
  private dirty = false;

  constructor(opts: SessionOptions | number, now?: () => number) {
    const o: SessionOptions = typeof opts === 'number' ? { idleMs: opts, ...(now ? { now } : {}) } : opts;
    this.opts = o;
    this.idleMs = o.idleMs;
    this.absoluteMs = o.absoluteMs ?? 12 * 3600_000;
    this.maxPerUser = o.maxPerUser ?? 5;
    this.now = o.now ?? Date.now;
    this.load();
  }

  private static key(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }

  private live(s: Session, at: number): boolean {
    return at - s.lastSeen <= this.idleMs && at - s.createdAt <= this.absoluteMs;
  }

  private load(): void {
    if (!this.opts.file) return;
    try {
      const text = readFileOrNull(this.opts.file);
      if (!text) return;
      const rows = JSON.parse(text) as { sessions?: [string, Session][] };
      const at = this.now();
      for (const [k, s] of rows.sessions ?? []) {
        if (
          typeof k === 'string' &&
          /^[0-9a-f]{64}$/.test(k) &&
          typeof s?.userId === 'string' &&
          this.live(s, at)
        )
          this.byHash.set(k, {
            userId: s.userId,
            createdAt: Number(s.createdAt),
            lastSeen: Number(s.lastSeen),
          });
      }
    } catch (err) {
      // A damaged session file signs everyone out: the safe side, never a reason not to start.
      this.opts.onError?.(err as Error);
      this.byHash.clear();
    }
  }

  private save(): void {
    if (!this.opts.file) return;
    this.dirty = false;
    this.lastFlush = this.now();
    try {
      writeFileDurably(this.opts.file, JSON.stringify({ version: 1, sessions: [...this.byHash] }));
    } catch (err) {
      this.opts.onError?.(err as Error);
    }
  }

  create(userId: string): string {
    const token = randomBytes(32).toString('base64url');
    const at = this.now();
    this.byHash.set(Sessions.key(token), { userId, createdAt: at, lastSeen: at });
    const mine = [...this.byHash].filter(([, s]) => s.userId === userId);
    for (const [k] of mine.slice(0, Math.max(0, mine.length - this.maxPerUser))) this.byHash.delete(k);
    this.sweep(at);
    this.save();
    return token;
  }

  /** The user id for a live token; the idle timer restarts, the absolute one does not. */
  resolve(token: string): string | null {
    const k = Sessions.key(token);
    const s = this.byHash.get(k);
    if (!s) return null;
    const at = this.now();
    if (!this.live(s, at)) {
      this.byHash.delete(k);
      this.save();
      return null;
    }
    s.lastSeen = at;
    this.dirty = true;
    if (at - this.lastFlush > TOUCH_FLUSH_MS) this.save();
    return s.userId;
  }

  revoke(token: string): void {
    if (this.byHash.delete(Sessions.key(token))) this.save();
  }

  revokeUser(userId: string): void {
    let gone = false;
    for (const [k, s] of this.byHash)
      if (s.userId === userId) {
        this.byHash.delete(k);
        gone = true;
      }
    if (gone) this.save();
  }

  /** Sessions of a user (for the administration page). */
  countFor(userId: string): number {
    let n = 0;
    for (const s of this.byHash.values()) if (s.userId === userId) n++;
    return n;
  }

  /** Writes pending idle-timer updates (on shutdown). */
  flush(): void {
    if (this.dirty) this.save();
  }

  private sweep(at: number): void {
    for (const [k, s] of this.byHash) if (!this.live(s, at)) this.byHash.delete(k);
  }
}
