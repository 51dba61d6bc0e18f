/**
 * Sign-in throttling that resists guessing without handing an attacker a lock-out button.
 *
 * Every attempt is counted *before* the password is checked (synchronously, so concurrent
 * requests cannot all slip under the limit while scrypt runs), and counts only against keys the
 * attacker controls as well as the victim:
 * - (account, source address): after `maxAttempts` failures within the window, growing delays
 *   (1 min, doubling, at most the window). The real user at another address is not affected.
 * - source address, over all accounts: spraying many usernames from one address is slowed the
 *   same way after `sourceMaxFailures`.
 * - account, over all sources: a distributed guess (many addresses) slows the account after
 *   `accountMaxFailures`, except for addresses that signed in to it successfully before.
 * There is no global lock: nothing one address does stops another from signing in.
 */

export interface ThrottleSettings {
  /** Failures per (account, source) in the window before delays start. */
  maxAttempts: number;
  windowMs: number;
  sourceMaxFailures: number;
  accountMaxFailures: number;
  /** Remembered keys of each kind; the oldest is dropped beyond this. */
  maxKeys: number;
}

export const DEFAULT_THROTTLE: Omit<ThrottleSettings, 'maxAttempts'> = {
  windowMs: 15 * 60_000,
  sourceMaxFailures: 20,
  accountMaxFailures: 50,
  maxKeys: 10_000,
};

export type ThrottleScope = 'account_source' | 'source' | 'account';

export interface Refusal {
  scope: ThrottleScope;
  retryAfterSeconds: number;
}

/** What a new lock-out episode looks like, for the journal. */
export interface LockedOut {
  scope: ThrottleScope;
  failures: number;
  lockedSeconds: number;
}

interface Counter {
  failures: number[];
  lockedUntil: number;
}

/** A map that forgets its oldest key past a size: an address flood cannot grow memory. */
class BoundedMap<V> extends Map<string, V> {
  constructor(private readonly limit: number) {
    super();
  }
  override set(key: string, value: V): this {
    if (!this.has(key) && this.size >= this.limit) {
      const oldest = this.keys().next().value;
      if (oldest !== undefined) this.delete(oldest);
    }
    return super.set(key, value);
  }
}

export class LoginThrottle {
  private readonly pairs: BoundedMap<Counter>;
  private readonly sources: BoundedMap<Counter>;
  private readonly accounts: BoundedMap<Counter>;
  /** account → addresses that signed in to it. */
  private readonly trusted: BoundedMap<Set<string>>;

  constructor(
    private readonly settings: ThrottleSettings,
    private readonly now: () => number,
  ) {
    this.pairs = new BoundedMap(settings.maxKeys);
    this.sources = new BoundedMap(settings.maxKeys);
    this.accounts = new BoundedMap(settings.maxKeys);
    this.trusted = new BoundedMap(settings.maxKeys);
  }

  /**
   * Called before the password is checked. Either refuses (nothing counted), or counts the
   * attempt as a failure until `succeeded()` says otherwise, and returns the lock-outs this
   * attempt started (to journal).
   */
  begin(account: string, source: string): { refused: Refusal } | { lockedOut: LockedOut[] } {
    const now = this.now();
    const trustedSource = this.trusted.get(account)?.has(source) ?? false;
    const checks: [ThrottleScope, BoundedMap<Counter>, string, number][] = [
      ['account_source', this.pairs, `${account}\u0000${source}`, this.settings.maxAttempts],
      ['source', this.sources, source, this.settings.sourceMaxFailures],
    ];
    if (!trustedSource) checks.push(['account', this.accounts, account, this.settings.accountMaxFailures]);
    for (const [scope, map, key] of checks) {
      const c = map.get(key);
      if (c && c.lockedUntil > now) {
        return { refused: { scope, retryAfterSeconds: Math.ceil((c.lockedUntil - now) / 1000) } };
      }
    }
    const lockedOut: LockedOut[] = [];
    for (const [scope, map, key, limit] of checks) {
      const c = map.get(key) ?? { failures: [], lockedUntil: 0 };
      c.failures = c.failures.filter((t) => now - t < this.settings.windowMs);
      c.failures.push(now);
      if (c.failures.length >= limit) {
        // 1 minute at the limit, doubling with each further failure, never past the window.
        const over = c.failures.length - limit;
        const ms = Math.min(this.settings.windowMs, 60_000 * 2 ** Math.min(over, 20));
        c.lockedUntil = now + ms;
        lockedOut.push({ scope, failures: c.failures.length, lockedSeconds: Math.round(ms / 1000) });
      }
      map.set(key, c);
    }
    return { lockedOut };
  }

  /** The password was right: this attempt was not a failure, and the address is now known. */
  succeeded(account: string, source: string): void {
    this.pairs.delete(`${account}\u0000${source}`);
    // Take back the failure begin() counted for this attempt.
    this.sources.get(source)?.failures.pop();
    this.accounts.get(account)?.failures.pop();
    const set = this.trusted.get(account) ?? new Set<string>();
    set.add(source);
    // A handful of desks per account; an unbounded set would be a memory lever.
    if (set.size > 16) set.delete(set.values().next().value as string);
    this.trusted.set(account, set);
  }

  /** The attempt never reached the password check (refused for load): it does not count. */
  cancel(account: string, source: string): void {
    this.pairs.get(`${account}\u0000${source}`)?.failures.pop();
    this.sources.get(source)?.failures.pop();
    this.accounts.get(account)?.failures.pop();
  }

  /** Failures counted now for an (account, source) pair (for the journal line). */
  failures(account: string, source: string): number {
    return this.pairs.get(`${account}\u0000${source}`)?.failures.length ?? 0;
  }
}
