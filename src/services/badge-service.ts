/** Badges: staff badges bound to a user, visitor badges kept in a pool and issued per visit. */

import { AppError } from '../domain/errors.js';
import { type EventInput, shortUid } from '../domain/events.js';
import { type Actor, actorRef, type Badge, type BadgeKind } from '../domain/types.js';
import { normaliseBadgeUid } from '../domain/uid.js';
import type { Journal } from '../store/journal.js';
import type { StateStore } from '../store/state-store.js';
import { newId } from './ids.js';
import { transact } from './transaction.js';

const by = actorRef;

/**
 * The console shows a badge's UID shortened; the full UID never leaves the controller. keyVersion:
 * the master key version of a genuine (NTAG 424 DNA) badge, null for a UID-only one; a badge from
 * list() also says whether it is `stale` (keyed with an older master key: re-key it).
 */
export function publicBadge(b: Badge & { stale?: boolean }) {
  const { uid, keyVersion, ...rest } = b;
  return { ...rest, uid: shortUid(uid), keyVersion: keyVersion ?? null };
}

export interface BadgeServiceDeps {
  store: StateStore;
  journal: Journal;
  clock: () => Date;
  /** The master key version cards are enrolled with now (null: genuine cards off). */
  enrolKeyVersion?: () => number | null;
}

export class BadgeService {
  constructor(private readonly deps: BadgeServiceDeps) {}

  /** A genuine badge keyed with another master key version than the one enrolled now. */
  isStale(b: Badge): boolean {
    const now = this.deps.enrolKeyVersion?.() ?? null;
    return b.keyVersion !== undefined && now !== null && b.keyVersion !== now;
  }

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
  ): (Badge & { stale: boolean })[] {
    return this.deps.store
      .listBadges()
      .filter((b) => !filter.kind || b.kind === filter.kind)
      .filter(
        (b) =>
          filter.available === undefined ||
          (b.kind === 'visitor' && (b.visitId === null && !b.lost) === filter.available),
      )
      .filter((b) => filter.lost === undefined || !!b.lost === filter.lost)
      .sort((a, b) => a.label.localeCompare(b.label))
      .map((b) => ({ ...b, stale: this.isStale(b) }));
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
    input: {
      uid: string;
      label: string;
      kind: BadgeKind;
      userId?: string | null | undefined;
      /** A genuine card just personalised at enrolment: the master key version it holds. */
      keyVersion?: number | undefined;
    },
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
        ...(input.keyVersion === undefined ? {} : { keyVersion: input.keyVersion }),
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
            ...(badge.keyVersion === undefined ? {} : { keyVersion: badge.keyVersion }),
          },
        },
      ]);
      return badge;
    });
  }

  /** A badge's card was re-keyed to `keyVersion`: stored with its journal event, in one step. */
  async setKeyVersion(id: string, keyVersion: number, event: EventInput): Promise<Badge> {
    return this.deps.store.exclusive(async () => {
      const next = { ...this.get(id), keyVersion };
      await transact(this.deps.store, this.deps.journal, { badges: [next] }, [event]);
      return next;
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
