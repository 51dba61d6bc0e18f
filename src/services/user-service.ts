/**
 * Staff accounts: creation, updates, and sign-in. Changes run one at a time (store.exclusive) and
 * check, inside that step, that the caller is still an active superadmin and that at least one
 * active superadmin remains. Sign-in is throttled per account and address (login-throttle.ts)
 * and password hashing is bounded (HashLimiter), so a login flood neither locks out the real
 * user nor starves the door.
 */
import { AppError } from '../domain/errors.js';
import { cleanFreeText, scrubText, stripInvisible } from '../domain/personal-data.js';
import { type Actor, actorRef, type Role, type User } from '../domain/types.js';
import type { Journal } from '../store/journal.js';
import type { StateStore } from '../store/state-store.js';
import { newId } from './ids.js';
import { DEFAULT_THROTTLE, LoginThrottle, type ThrottleSettings } from './login-throttle.js';
import { DUMMY_HASH, HashLimiter, hashPassword, PASSWORD_RULES, verifyPassword } from './password.js';
import { transact } from './transaction.js';

export interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  escort: boolean;
  password: string;
}

export function publicUser(u: User) {
  const { passwordHash: _omit, ...rest } = u;
  return rest;
}

const by = actorRef;

export interface UserServiceDeps {
  store: StateStore;
  journal: Journal;
  clock: () => Date;
  /** Failed logins per account and address in 15 minutes before growing delays start. */
  maxAttempts: number;
  throttle?: Partial<ThrottleSettings>;
  hashing?: HashLimiter;
}

export class UserService {
  private readonly throttle: LoginThrottle;
  private readonly hashing: HashLimiter;

  constructor(private readonly deps: UserServiceDeps) {
    this.throttle = new LoginThrottle(
      { ...DEFAULT_THROTTLE, maxAttempts: deps.maxAttempts, ...deps.throttle },
      () => deps.clock().getTime(),
    );
    this.hashing = deps.hashing ?? new HashLimiter();
  }

  /** A hash computed within the bound, or rate_limited when too many wait already. */
  private async bounded<T>(fn: () => Promise<T>): Promise<T> {
    const r = await this.hashing.run(fn);
    if (r === null) throw new AppError('rate_limited', { retryAfterSeconds: 1, reason: 'busy' });
    return r;
  }

  /**
   * People who change accounts must still be active superadmins when their step runs (not only
   * when their request was authenticated): two superadmins deactivating each other at once
   * cannot both win. Setup and the CLI act as the system.
   */
  private assertStillSuperadmin(actor: Actor): void {
    if (actor.role === 'system' || actor.id === 'setup' || actor.id === 'cli') return;
    const me = this.deps.store.user(actor.id);
    if (!me?.active || me.role !== 'superadmin') {
      throw new AppError('forbidden', { rule: 'actor_no_longer_active_superadmin' });
    }
  }

  get(id: string): User {
    const u = this.deps.store.user(id);
    if (!u) throw new AppError('user_not_found', { userId: id });
    return u;
  }

  list(): User[] {
    return this.deps.store.listUsers().sort((a, b) => a.username.localeCompare(b.username));
  }

  async create(input: NewUser, actor: Actor): Promise<User> {
    return this.deps.store.exclusive(async () => {
      const username = input.username.trim().toLowerCase();
      if (!/^[a-z0-9._-]{3,32}$/.test(username)) {
        throw new AppError('validation_failed', { field: 'username', rule: '3-32 of a-z 0-9 . _ -' });
      }
      checkPassword(input.password);
      this.assertStillSuperadmin(actor);
      if (this.deps.store.userByUsername(username)) throw new AppError('username_taken', { username });
      const passwordHash = await this.bounded(() => hashPassword(input.password));
      const user: User = {
        id: newId('usr'),
        username,
        displayName: cleanFreeText(input.displayName),
        role: input.role,
        escort: input.escort,
        active: true,
        passwordHash,
        createdAt: this.deps.clock().toISOString(),
        createdBy: actor.id,
      };
      await transact(this.deps.store, this.deps.journal, { users: [user] }, [
        {
          type: 'user.created',
          data: { userId: user.id, username, role: user.role, escort: user.escort, by: by(actor) },
        },
      ]);
      return user;
    });
  }

  async update(
    id: string,
    patch: { displayName?: string; role?: Role; escort?: boolean; active?: boolean; password?: string },
    actor: Actor,
  ): Promise<User> {
    return this.deps.store.exclusive(async () => {
      const old = this.get(id);
      if (patch.password !== undefined) checkPassword(patch.password);
      this.assertStillSuperadmin(actor);
      if (old.id === actor.id && (patch.active === false || (patch.role && patch.role !== old.role))) {
        throw new AppError('precondition_failed', { rule: 'cannot_demote_or_deactivate_yourself' });
      }
      const next: User = {
        ...old,
        ...(patch.displayName !== undefined ? { displayName: cleanFreeText(patch.displayName) } : {}),
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.escort !== undefined ? { escort: patch.escort } : {}),
        ...(patch.active !== undefined ? { active: patch.active } : {}),
        ...(patch.password !== undefined
          ? { passwordHash: await this.bounded(() => hashPassword(patch.password as string)) }
          : {}),
      };
      const superadminsLeft = this.deps.store
        .listUsers()
        .filter((u) => (u.id === id ? next : u).active && (u.id === id ? next : u).role === 'superadmin');
      if (superadminsLeft.length === 0) {
        throw new AppError('precondition_failed', { rule: 'at_least_one_active_superadmin' });
      }
      const changed = Object.keys(patch).filter((k) => k !== 'password' || patch.password !== undefined);
      await transact(this.deps.store, this.deps.journal, { users: [next] }, [
        { type: 'user.updated', data: { userId: id, changed, by: by(actor) } },
      ]);
      return next;
    });
  }

  /**
   * Constant-ish time whether or not the user exists. `source` is the caller's address: the
   * attempt is counted against (account, source), source and account before scrypt runs.
   */
  async authenticate(username: string, password: string, source = 'local'): Promise<User> {
    const key = username.trim().toLowerCase();
    const gate = this.throttle.begin(key, source);
    if ('refused' in gate) {
      throw new AppError('rate_limited', {
        retryAfterSeconds: gate.refused.retryAfterSeconds,
        scope: gate.refused.scope,
      });
    }
    const user = this.deps.store.userByUsername(key);
    let ok = false;
    try {
      ok = await this.bounded(() => verifyPassword(password, user?.passwordHash ?? DUMMY_HASH));
    } catch (err) {
      // Refused for load, not for the password: the attempt does not count.
      this.throttle.cancel(key, source);
      throw err;
    }
    if (!user || !ok || !user.active) {
      // Usernames typed at the login form can hold anything; the journal keeps a short, safe form.
      const shown = scrubText(stripInvisible(key)).slice(0, 32);
      this.journalQuietly({
        type: 'auth.login_failed',
        data: { username: shown, attempts: this.throttle.failures(key, source) },
      });
      for (const l of gate.lockedOut) {
        this.journalQuietly({
          type: 'auth.locked_out',
          data: { username: shown, scope: l.scope, failures: l.failures, lockedSeconds: l.lockedSeconds },
        });
      }
      throw new AppError('invalid_credentials');
    }
    this.throttle.succeeded(key, source);
    return user;
  }

  private journalQuietly(ev: Parameters<Journal['append']>[0]): void {
    try {
      this.deps.journal.append(ev);
    } catch {
      // a failed login is not worth refusing anything over
    }
  }

  hasAnyUser(): boolean {
    return this.deps.store.listUsers().length > 0;
  }
}

function checkPassword(pw: string): void {
  if (pw.length < PASSWORD_RULES.minLength || pw.length > PASSWORD_RULES.maxLength) {
    throw new AppError('validation_failed', {
      field: 'password',
      rule: `length ${PASSWORD_RULES.minLength}-${PASSWORD_RULES.maxLength}`,
    });
  }
}
