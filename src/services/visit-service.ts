/**
 * Runs the procedure: each step applies the pure lifecycle function, commits the new state and
 * journals what happened, who did it and why. Lists and events never carry NIK or phone.
 */
import type { Logger } from 'pino';
import { AppError } from '../domain/errors.js';
import { cleanOptional } from '../domain/personal-data.js';
import { slaSummary } from '../domain/sla.js';
import { type Actor, actorRef, type Badge, type User, type Visit } from '../domain/types.js';
import {
  type CheckOutInput,
  cancelVisit,
  checkOutVisit,
  closeVisit,
  decideVisit,
  expireVisit,
  isExpired,
  issueBadge,
  type SubmitInput,
  submitVisit,
  type VerifyInput,
  verifyVisit,
} from '../domain/visit-lifecycle.js';
import type { DoorController } from '../door/door-controller.js';
import type { Journal } from '../store/journal.js';
import type { StateStore } from '../store/state-store.js';
import { checkOutEvents } from './check-out-events.js';
import { visitId } from './ids.js';
import { transact } from './transaction.js';
import { type Page, type RegisterRow, type VisitQuery, VisitRegister } from './visit-register.js';
import { VisitsAtTheDoor } from './visits-at-the-door.js';

export interface ProcedureSettings {
  slaSubmitToVerifyMinutes: number;
  slaVerifyToDecisionMinutes: number;
  separationOfDuties: boolean;
  expireGraceMinutes: number;
  archiveAfterDays: number;
  /** Longest visit window accepted at submit (procedure.maxWindowDays; absent: 7). */
  maxWindowDays?: number;
}

export interface VisitServiceDeps {
  store: StateStore;
  journal: Journal;
  door: DoorController;
  settings: ProcedureSettings;
  clock: () => Date;
  /** Where a first entry that could not be saved is reported. */
  logger?: Logger | undefined;
}

const by = actorRef;

export class VisitService {
  private readonly index: VisitRegister;
  private readonly atDoor: VisitsAtTheDoor;

  constructor(private readonly deps: VisitServiceDeps) {
    this.index = new VisitRegister(deps.store);
    this.atDoor = new VisitsAtTheDoor(deps);
  }

  /**
   * Listens to the door: a visit's first grant is SOP step 4 (visit → in_progress); a visitor's
   * exit (access.exit, already journaled) is kept on the visit for the register.
   */
  start(): void {
    this.atDoor.start();
  }

  stop(): void {
    this.atDoor.stop();
  }

  private get now(): Date {
    return this.deps.clock();
  }

  get(id: string): Visit {
    const v = this.deps.store.visit(id);
    if (!v) throw new AppError('visit_not_found', { visitId: id });
    return v;
  }

  /** Every visit matching the filter, newest first (no paging; see `search`). */
  list(filter: Omit<VisitQuery, 'limit' | 'offset'> = {}): Visit[] {
    const all = this.index.search({ ...filter, limit: 1, offset: 0 }).total;
    const out: Visit[] = [];
    for (let offset = 0; offset < all; offset += 200) {
      out.push(...this.index.search({ ...filter, limit: 200, offset }).items);
    }
    return out;
  }

  /** The queue's page: filters (state, from/to on the window start, text) and paging, with the total. */
  search(query: VisitQuery): Page<Visit> {
    return this.index.search(query);
  }

  /** The register's page: one row per visit with names, door times and devices (latest visit first). */
  register(query: VisitQuery): Page<RegisterRow> {
    return this.index.register(query);
  }

  /**
   * The helpdesk intake: one visit per ticket. The same ticket with the same body again is the
   * existing visit (a retry); with a different body it is refused.
   */
  async submitOnce(
    input: SubmitInput & { ticketRef: string },
    hash: string,
    actor: Actor,
  ): Promise<{ visit: Visit; created: boolean }> {
    return this.deps.store.exclusive(async () => {
      const ticket = input.ticketRef.trim();
      const existing = this.deps.store.listVisits().find((v) => v.ticketRef === ticket);
      if (existing) {
        if (existing.intakeHash === hash) return { visit: existing, created: false };
        throw new AppError('intake_conflict', { ticketRef: ticket, visitId: existing.id });
      }
      const v = {
        ...submitVisit(visitId(this.now), input, actor, this.now, {
          maxWindowDays: this.deps.settings.maxWindowDays,
        }),
        intakeHash: hash,
      };
      await transact(this.deps.store, this.deps.journal, { visits: [v] }, [this.submittedEvent(v, actor)]);
      return { visit: v, created: true };
    });
  }

  private submittedEvent(v: Visit, actor: Actor) {
    return {
      type: 'visit.submitted' as const,
      data: {
        visitId: v.id,
        visitor: v.visitor.name,
        organisation: v.visitor.organisation,
        window: v.window,
        devicesIn: v.devicesIn.length,
        by: by(actor),
      },
    };
  }

  async submit(input: SubmitInput, actor: Actor): Promise<Visit> {
    return this.deps.store.exclusive(async () => {
      const v = submitVisit(visitId(this.now), input, actor, this.now, {
        maxWindowDays: this.deps.settings.maxWindowDays,
      });
      await transact(this.deps.store, this.deps.journal, { visits: [v] }, [this.submittedEvent(v, actor)]);
      return v;
    });
  }

  async verify(id: string, input: VerifyInput, actor: Actor): Promise<Visit> {
    return this.deps.store.exclusive(async () => {
      const v = verifyVisit(this.get(id), input, actor, this.now);
      await transact(this.deps.store, this.deps.journal, { visits: [v] }, [
        {
          type: 'visit.verified',
          data: {
            visitId: v.id,
            by: by(actor),
            ...(v.history.at(-1)?.reason ? { note: v.history.at(-1)?.reason } : {}),
          },
        },
        ...(v.ktp
          ? [
              {
                type: 'ktp.received' as const,
                data: { visitId: v.id, visitor: v.visitor.name, tray: v.ktp.tray, by: by(actor) },
              },
            ]
          : []),
      ]);
      return v;
    });
  }

  async decide(
    id: string,
    approved: boolean,
    reason: string | null | undefined,
    actor: Actor,
  ): Promise<Visit> {
    return this.deps.store.exclusive(async () => {
      const v = decideVisit(this.get(id), approved, reason, actor, this.now, {
        separationOfDuties: this.deps.settings.separationOfDuties,
      });
      await transact(this.deps.store, this.deps.journal, { visits: [v] }, [
        {
          type: approved ? 'visit.approved' : 'visit.rejected',
          data: { visitId: v.id, by: by(actor), reason: v.decision?.reason ?? null },
        },
      ]);
      return v;
    });
  }

  async issueBadge(
    id: string,
    input: { badgeId: string; escortIds: string[] },
    actor: Actor,
  ): Promise<Visit> {
    return this.deps.store.exclusive(async () => {
      const visit = this.get(id);
      const badge = this.deps.store.badge(input.badgeId);
      if (!badge) throw new AppError('badge_not_found', { badgeId: input.badgeId });
      const escorts: User[] = [];
      for (const uid of new Set(input.escortIds)) {
        const u = this.deps.store.user(uid);
        if (!u) throw new AppError('escort_invalid', { userId: uid, rule: 'unknown_user' });
        escorts.push(u);
      }
      const r = issueBadge(visit, badge, escorts, actor, this.now);
      await transact(this.deps.store, this.deps.journal, { visits: [r.visit], badges: [r.badge] }, [
        {
          type: 'visit.badge_issued',
          data: {
            visitId: visit.id,
            badgeId: badge.id,
            badge: badge.label,
            escorts: escorts.map((e) => ({ id: e.id, name: e.displayName })),
            by: by(actor),
          },
        },
      ]);
      return r.visit;
    });
  }

  async checkOut(
    id: string,
    input: CheckOutInput & { confirmLeftRoom?: boolean },
    actor: Actor,
  ): Promise<Visit> {
    return this.deps.store.exclusive(async () => {
      const visit = this.get(id);
      if (this.deps.door.isVisitInside(visit.id) && !input.confirmLeftRoom) {
        throw new AppError('visitor_inside', {
          visitId: visit.id,
          hint: 'set confirmLeftRoom after checking the room',
        });
      }
      const badge: Badge | null = visit.badgeId ? (this.deps.store.badge(visit.badgeId) ?? null) : null;
      const r = checkOutVisit(visit, badge, input, actor, this.now);
      const events = checkOutEvents(
        visit,
        r.visit,
        r.badge,
        r.reconciliation,
        actor,
        cleanOptional(input.ktpKeptReason, true) ?? '',
      );
      await transact(
        this.deps.store,
        this.deps.journal,
        { visits: [r.visit], ...(r.badge ? { badges: [r.badge] } : {}) },
        events,
      );
      // The check-out is done; clearing the room is the door's to record (and to survive failing).
      this.deps.door.clearVisit(visit.id, by(actor));
      return r.visit;
    });
  }

  async close(id: string, note: string | null | undefined, actor: Actor): Promise<Visit> {
    return this.deps.store.exclusive(async () => {
      const v = closeVisit(this.get(id), actor, this.now, note);
      await transact(this.deps.store, this.deps.journal, { visits: [v] }, [
        { type: 'visit.closed', data: { visitId: v.id, by: by(actor) } },
      ]);
      return v;
    });
  }

  async cancel(id: string, reason: string | null | undefined, actor: Actor): Promise<Visit> {
    return this.deps.store.exclusive(async () => {
      const visit = this.get(id);
      if (this.deps.door.isVisitInside(visit.id)) throw new AppError('visitor_inside', { visitId: visit.id });
      const badge = visit.badgeId ? (this.deps.store.badge(visit.badgeId) ?? null) : null;
      const r = cancelVisit(visit, badge, reason, actor, this.now);
      await transact(
        this.deps.store,
        this.deps.journal,
        { visits: [r.visit], ...(r.badge ? { badges: [r.badge] } : {}) },
        [
          {
            type: 'visit.cancelled',
            data: { visitId: visit.id, reason: r.visit.history.at(-1)?.reason ?? null, by: by(actor) },
          },
        ],
      );
      return r.visit;
    });
  }

  /** Shows the full NIK and phone to an admin at the desk, and journals that it did (PDP law). */
  async revealPersonal(id: string, actor: Actor): Promise<{ nik: string; phone: string }> {
    const v = this.get(id);
    this.deps.journal.append({ type: 'visit.personal_data_viewed', data: { visitId: v.id, by: by(actor) } });
    return { nik: v.visitor.nik, phone: v.visitor.phone };
  }

  /** Housekeeping, run every minute: no-shows expire; old finished visits go to the archive. */
  async sweep(): Promise<{ expired: number; archived: number }> {
    return this.deps.store.exclusive(async () => {
      // A moment both the wall clock and the monotonic anchor say has passed: a clock jumped
      // forward for a minute expires nothing; an untrusted clock (set back) expires nothing at all.
      const now = this.deps.door.agreedTime();
      if (now === null) return { expired: 0, archived: 0 };
      let expired = 0;
      for (const v of this.deps.store.listVisits()) {
        if (!isExpired(v, now, this.deps.settings.expireGraceMinutes)) continue;
        const next = expireVisit(v, now, this.deps.settings.expireGraceMinutes);
        await transact(this.deps.store, this.deps.journal, { visits: [next] }, [
          { type: 'visit.expired', data: { visitId: v.id, windowEnd: v.window.end } },
        ]);
        expired++;
      }
      const before = new Date(now.getTime() - this.deps.settings.archiveAfterDays * 86_400_000);
      const archived = await this.deps.store.archive(before);
      if (archived.length) {
        this.deps.journal.append({ type: 'visit.archived', data: { visitIds: archived.map((v) => v.id) } });
      }
      return { expired, archived: archived.length };
    });
  }

  sla(includeArchive: boolean) {
    const visits = this.deps.store.listVisits();
    if (includeArchive) for (const v of this.deps.store.archivedVisits()) visits.push(v);
    return slaSummary(
      visits,
      {
        submitToVerifyMinutes: this.deps.settings.slaSubmitToVerifyMinutes,
        verifyToDecisionMinutes: this.deps.settings.slaVerifyToDecisionMinutes,
      },
      this.now,
    );
  }
}
