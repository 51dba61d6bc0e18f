/** Badges: staff badges bound to a user, visitor badges kept in a pool and issued per visit. */

import { AppError } from '../domain/errors.js';
import { shortUid } from '../domain/events.js';
import { type Actor, actorRef, type Badge, type BadgeKind } from '../domain/types.js';
import { normaliseBadgeUid } from '../domain/uid.js';
import type { Journal } from '../store/journal.js';
import type { StateStore } from '../store/state-store.js';
import { newId } from './ids.js';
import { transact } from './transaction.js';

const by = actorRef;

/** The console shows a badge's UID shortened; the full UID never leaves the controller. */
export function publicBadge(b: Badge) {
  const { uid, ...rest } = b;
  return { ...rest, uid: shortUid(uid) };
}

export class BadgeService {
  constructor(private readonly deps: { store: StateStore; journal: Journal; clock: () => Date }) {}

  get(id: string): Badge {
    const b = this.deps.store.badge(id);
    if (!b) throw new AppError('badge_not_found', { badgeId: id });
    return b;
  }

  /** `available`: a visitor badge in the pool (not issued, not lost); `lost`: not returned at a check-out. */
  list(
    filter: {
      kind?: BadgeKind | undefined;
      available?: boolean | undefined;
      lost?: boolean | undefined;
    } = {},
  ): Badge[] {
    return this.deps.store
      .listBadges()
      .filter((b) => !filter.kind || b.kind === filter.kind)
      .filter(
        (b) =>
          filter.available === undefined ||
          (b.kind === 'visitor' && (b.visitId === null && !b.lost) === filter.available),
      )
      .filter((b) => filter.lost === undefined || !!b.lost === filter.lost)
      .sort((a, b) => a.label.localeCompare(b.label));
  }

  /**
   * A staff badge opens the door alone: only a superadmin (the Head of Section) registers one. The
   * one place this rule lives; enrolment by tap asks it before waiting for a card.
   */
  assertMayRegister(kind: BadgeKind, actor: Actor): void {
    if (kind === 'staff' && actor.role !== 'superadmin') {
      throw new AppError('forbidden', { rule: 'staff badges are registered by a superadmin' });
    }
  }

  /** Who a new badge belongs to: a staff badge to an existing user, a visitor badge to the pool. */
  ownerOf(input: { kind: BadgeKind; userId?: string | null | undefined }): string | null {
    if (input.kind === 'staff') {
      if (!input.userId)
        throw new AppError('validation_failed', { field: 'userId', rule: 'required for staff badges' });
      if (!this.deps.store.user(input.userId)) throw new AppError('user_not_found', { userId: input.userId });
      return input.userId;
    }
    if (input.userId) {
      throw new AppError('validation_failed', {
        field: 'userId',
        rule: 'visitor badges belong to the pool, not a user',
      });
    }
    return null;
  }

  async register(
    input: { uid: string; label: string; kind: BadgeKind; userId?: string | null | undefined },
    actor: Actor,
  ): Promise<Badge> {
    this.assertMayRegister(input.kind, actor);
    return this.deps.store.exclusive(async () => {
      const uid = normaliseBadgeUid(input.uid);
      if (!uid)
        throw new AppError('validation_failed', {
          field: 'uid',
          rule: '4, 7 or 10 bytes of hex, or a Wiegand card FORMAT:facility:card (e.g. H10301:123:4567)',
        });
      if (this.deps.store.badgeByUid(uid)) throw new AppError('badge_uid_taken', { uid: shortUid(uid) });
      const userId = this.ownerOf(input);
      const badge: Badge = {
        id: newId('bdg'),
        uid,
        label: input.label.trim(),
        kind: input.kind,
        userId,
        visitId: null,
        // Staff badges work at once; visitor badges only once issued to a visit.
        active: input.kind === 'staff',
        createdAt: this.deps.clock().toISOString(),
      };
      await transact(this.deps.store, this.deps.journal, { badges: [badge] }, [
        {
          type: 'badge.registered',
          data: {
            badgeId: badge.id,
            label: badge.label,
            kind: badge.kind,
            userId,
            uid: shortUid(uid),
            by: by(actor),
          },
        },
      ]);
      return badge;
    });
  }

  /** Deactivates (lost, stolen) or reactivates a staff badge. Visitor badges follow their visit. */
  async setActive(
    id: string,
    active: boolean,
    reason: string | null | undefined,
    actor: Actor,
  ): Promise<Badge> {
    return this.deps.store.exclusive(async () => {
      const b = this.get(id);
      if (b.kind === 'visitor' && active) {
        throw new AppError('precondition_failed', {
          rule: 'visitor badges are activated by issuing them to a visit',
        });
      }
      if (b.active === active) return b;
      const next = { ...b, active };
      await transact(this.deps.store, this.deps.journal, { badges: [next] }, [
        { type: 'badge.updated', data: { badgeId: b.id, active, reason: reason ?? null, by: by(actor) } },
      ]);
      return next;
    });
  }
}
