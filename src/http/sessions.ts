/** Opaque session tokens held in memory: a restart signs everyone out, which is the safe side. */
import { createHash, randomBytes } from 'node:crypto';

interface Session {
  userId: string;
  lastSeen: number;
}

export class Sessions {
  // Keyed by the token's hash, so a heap dump does not hand out live tokens.
  private readonly byHash = new Map<string, Session>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private static key(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }

  create(userId: string): string {
    const token = randomBytes(32).toString('base64url');
    this.byHash.set(Sessions.key(token), { userId, lastSeen: this.now() });
    return token;
  }

  /** The user id for a live token; sliding expiry. */
  resolve(token: string): string | null {
    const k = Sessions.key(token);
    const s = this.byHash.get(k);
    if (!s) return null;
    if (this.now() - s.lastSeen > this.ttlMs) {
      this.byHash.delete(k);
      return null;
    }
    s.lastSeen = this.now();
    return s.userId;
  }

  revoke(token: string): void {
    this.byHash.delete(Sessions.key(token));
  }

  revokeUser(userId: string): void {
    for (const [k, s] of this.byHash) if (s.userId === userId) this.byHash.delete(k);
  }
}
