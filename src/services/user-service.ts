/** Staff accounts: creation, updates, and sign-in with a per-username lock-out. */
import { AppError } from '../domain/errors.js';
import { type Actor, actorRef, type Role, type User } from '../domain/types.js';
import type { Journal } from '../store/journal.js';
import type { StateStore } from '../store/state-store.js';
import { newId } from './ids.js';
import { DUMMY_HASH, hashPassword, PASSWORD_RULES, verifyPassword } from './password.js';
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

/** Failed logins per minute, all usernames together, before every attempt is refused. */
const GLOBAL_FAILURES_PER_MINUTE = 60;

export class UserService {
  private readonly failures = new Map<string, number[]>();
  private globalFailures: number[] = [];

  constructor(
    private readonly deps: { store: StateStore; journal: Journal; clock: () => Date; maxAttempts: number },
  ) {}

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
      if (this.deps.store.userByUsername(username)) throw new AppError('username_taken', { username });
      const user: User = {
        id: newId('usr'),
        username,
        displayName: input.displayName.trim(),
        role: input.role,
        escort: input.escort,
        active: true,
        passwordHash: await hashPassword(input.password),
        createdAt: this.deps.clock().toISOString(),
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
      if (old.id === actor.id && (patch.active === false || (patch.role && patch.role !== old.role))) {
        throw new AppError('precondition_failed', { rule: 'cannot_demote_or_deactivate_yourself' });
      }
      const next: User = {
        ...old,
        ...(patch.displayName !== undefined ? { displayName: patch.displayName.trim() } : {}),
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.escort !== undefined ? { escort: patch.escort } : {}),
        ...(patch.active !== undefined ? { active: patch.active } : {}),
        ...(patch.password !== undefined ? { passwordHash: await hashPassword(patch.password) } : {}),
      };
      const changed = Object.keys(patch).filter((k) => k !== 'password' || patch.password !== undefined);
      await transact(this.deps.store, this.deps.journal, { users: [next] }, [
        { type: 'user.updated', data: { userId: id, changed, by: by(actor) } },
      ]);
      return next;
    });
  }

  /** Constant-ish time whether or not the user exists; locks a username after repeated failures. */
  async authenticate(username: string, password: string): Promise<User> {
    const key = username.trim().toLowerCase();
    const now = this.deps.clock().getTime();
    const recent = (this.failures.get(key) ?? []).filter((t) => now - t < 15 * 60_000);
    if (recent.length >= this.deps.maxAttempts)
      throw new AppError('rate_limited', { retryAfterSeconds: 900 });
    // Across all usernames too: random names must not buy unlimited scrypt runs and journal lines.
    this.globalFailures = this.globalFailures.filter((t) => now - t < 60_000);
    if (this.globalFailures.length >= GLOBAL_FAILURES_PER_MINUTE)
      throw new AppError('rate_limited', { retryAfterSeconds: 60 });
    const user = this.deps.store.userByUsername(key);
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok || !user.active) {
      recent.push(now);
      this.globalFailures.push(now);
      if (this.failures.size >= 10_000 && !this.failures.has(key)) {
        const oldest = this.failures.keys().next().value;
        if (oldest !== undefined) this.failures.delete(oldest);
      }
      this.failures.set(key, recent);
      try {
        this.deps.journal.append({
          type: 'auth.login_failed',
          data: { username: key.slice(0, 32), attempts: recent.length },
        });
      } catch {
        // a failed login is not worth refusing anything over
      }
      throw new AppError('invalid_credentials');
    }
    this.failures.delete(key);
    return user;
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
