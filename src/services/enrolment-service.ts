/**
 * Badge enrolment by tap: an admin starts an enrolment (label, kind, owner), and the next card on
 * an enrol reader is registered through BadgeService.register — so every badge rule applies, and a
 * UID that is already bound is refused (badge_uid_taken) and reported on the enrolment. One
 * enrolment waits at a time, so a card can never be bound to the wrong record. An enrolment no card
 * came for times out. Every step is journaled; full UIDs appear nowhere but the badge store.
 *
 * Genuine cards (NTAG 424 DNA): the enrol reader offers to personalise the card while it is held —
 * a blank card's factory keys become this site's diversified keys — and only a card that then
 * passes the door's own check is bound, with its key version. Another site's card, a non-NTAG card
 * (where genuine ones are required) or a card taken away halfway is refused with its own code and
 * binds nothing. Re-keying a stale badge (an older master key version) is an enrolment too.
 */
import type { Logger } from 'pino';
import type { NfcAcceptance } from '../domain/access-policy.js';
import { AppError, type ErrorCode } from '../domain/errors.js';
import { type EventInput, shortUid } from '../domain/events.js';
import type { Actor, BadgeKind } from '../domain/types.js';
import type { Credential, CredentialReader } from '../hardware/interfaces.js';
import type { Journal } from '../store/journal.js';
import type { StateStore } from '../store/state-store.js';
import { type BadgeService, publicBadge } from './badge-service.js';
import { newId } from './ids.js';

export type EnrolmentState = 'waiting' | 'bound' | 'refused' | 'timed_out' | 'cancelled';

export interface Enrolment {
  id: string;
  state: EnrolmentState;
  label: string;
  kind: BadgeKind;
  userId: string | null;
  by: { id: string; name: string };
  startedAt: string;
  expiresAt: string;
  endedAt: string | null;
  /** The enrol reader the card was presented on. */
  reader: string | null;
  badge: ReturnType<typeof publicBadge> | null;
  error: { code: ErrorCode; details?: Record<string, unknown> } | null;
  /** Re-keying this existing badge instead of binding a new one. */
  rekeyBadgeId: string | null;
}

/** Why personalisation failed → the code the enrolment is refused with. */
const PERSONALISE_REFUSAL: Record<string, ErrorCode> = {
  not_ntag424: 'enrol_card_not_ntag424',
  already_keyed: 'enrol_card_foreign',
  card_removed: 'enrol_card_removed',
};

export interface EnrolmentDeps {
  badges: BadgeService;
  store: StateStore;
  journal: Journal;
  clock: () => Date;
  readers: CredentialReader[];
  timeoutSeconds: number;
  logger: Logger;
  /** credentials.nfc.accept (absent: cards are bound by UID, as before genuine cards). */
  nfcAccept?: readonly NfcAcceptance[];
}

const KEEP = 100;

export class EnrolmentService {
  private readonly enrolments = new Map<string, Enrolment>();
  private readonly actors = new Map<string, Actor>();
  private waiting: string | null = null;
  /** Set while the waiting enrolment's card is being registered: later cards are not taken. */
  private binding = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: (() => void)[] = [];
  private running = false;

  constructor(private readonly deps: EnrolmentDeps) {}

  async start(): Promise<void> {
    for (const reader of this.deps.readers) {
      const on = (c: Credential) => void this.onCredential(c, reader);
      reader.on('credential', on);
      this.unsubscribe.push(() => reader.off('credential', on));
    }
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const off of this.unsubscribe.splice(0)) off();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  health() {
    if (!this.running) return { state: 'stopped' as const };
    return this.deps.readers.length
      ? { state: 'ok' as const, detail: this.waiting ? 'waiting for a card' : 'idle' }
      : { state: 'ok' as const, detail: 'no enrol reader configured' };
  }

  get(id: string): Enrolment {
    const e = this.enrolments.get(id);
    if (!e) throw new AppError('enrolment_not_found', { enrolmentId: id });
    return { ...e };
  }

  /** Starts waiting for a card. Owner checks run now, and again when the card arrives. */
  begin(
    input: { label: string; kind: BadgeKind; userId?: string | null | undefined },
    actor: Actor,
    rekeyBadgeId: string | null = null,
  ): Enrolment {
    this.deps.badges.assertMayRegister(input.kind, actor);
    if (!this.running || this.deps.readers.length === 0) {
      throw new AppError('precondition_failed', { rule: 'no enrol reader is configured' });
    }
    if (this.waiting) {
      throw new AppError('precondition_failed', {
        rule: 'another enrolment is waiting for a card',
        enrolmentId: this.waiting,
      });
    }
    const userId = this.deps.badges.ownerOf(input);
    const now = this.deps.clock();
    const timeoutMs = this.deps.timeoutSeconds * 1000;
    const e: Enrolment = {
      id: newId('enr'),
      state: 'waiting',
      label: input.label.trim(),
      kind: input.kind,
      userId,
      by: { id: actor.id, name: actor.name },
      startedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + timeoutMs).toISOString(),
      endedAt: null,
      reader: null,
      badge: null,
      error: null,
      rekeyBadgeId,
    };
    if (
      !this.record({
        type: 'enrolment.started',
        data: {
          enrolmentId: e.id,
          label: e.label,
          kind: e.kind,
          userId: e.userId,
          timeoutSeconds: this.deps.timeoutSeconds,
          by: e.by,
          ...(rekeyBadgeId ? { rekeyBadgeId } : {}),
        },
      })
    ) {
      throw new AppError('journal_unavailable');
    }
    this.keep(e);
    this.actors.set(e.id, actor);
    this.waiting = e.id;
    // Monotonic: a wall-clock jump neither ends an enrolment early nor keeps it open.
    this.timer = setTimeout(() => this.expire(e.id), timeoutMs);
    this.timer.unref();
    return { ...e };
  }

  /**
   * Re-keys a badge's card to the current master key version: the next card on the enrol reader
   * must be that badge's card. Same rules as enrolling the badge anew (who may, one at a time).
   */
  beginRekey(badgeId: string, actor: Actor): Enrolment {
    const b = this.deps.badges.get(badgeId);
    return this.begin({ label: b.label, kind: b.kind, userId: b.userId }, actor, b.id);
  }

  cancel(id: string, actor: Actor): Enrolment {
    const e = this.get(id);
    if (e.state !== 'waiting' || this.binding) {
      throw new AppError('precondition_failed', {
        rule: 'only a waiting enrolment can be cancelled',
        state: e.state,
      });
    }
    this.finish(id, { state: 'cancelled' });
    this.record({
      type: 'enrolment.cancelled',
      data: { enrolmentId: id, by: { id: actor.id, name: actor.name } },
    });
    return this.get(id);
  }

  private expire(id: string): void {
    this.timer = null;
    if (this.waiting !== id || this.binding) return;
    this.finish(id, { state: 'timed_out' });
    this.record({
      type: 'enrolment.timed_out',
      data: { enrolmentId: id, timeoutSeconds: this.deps.timeoutSeconds },
    });
    this.deps.logger.info({ enrolmentId: id }, 'enrolment timed out');
  }

  private async onCredential(c: Credential, reader: CredentialReader): Promise<void> {
    const id = this.waiting;
    if (!id || this.binding) {
      this.deps.logger.info({ reader: c.readerId }, 'card on the enrol reader with no enrolment waiting');
      reader.feedback('deny');
      return;
    }
    if (c.kind !== 'nfc') {
      reader.feedback('deny');
      return;
    }
    const e = this.enrolments.get(id);
    const actor = this.actors.get(id);
    if (!e || !actor) return;
    this.binding = true;
    try {
      if (e.rekeyBadgeId) await this.rekey(e, c);
      else {
        const card = await this.prepare(c, null);
        const badge = await this.deps.badges.register(
          { uid: card.uid, label: e.label, kind: e.kind, userId: e.userId, keyVersion: card.keyVersion },
          actor,
        );
        this.finish(id, { state: 'bound', reader: c.readerId, badge: publicBadge(badge) });
        this.record({
          type: 'enrolment.completed',
          data: {
            enrolmentId: id,
            badgeId: badge.id,
            label: badge.label,
            kind: badge.kind,
            reader: c.readerId,
            uid: shortUid(badge.uid),
            ...(card.keyVersion === undefined ? {} : { keyVersion: card.keyVersion }),
          },
        });
      }
      reader.feedback('grant');
    } catch (err) {
      const code: ErrorCode = err instanceof AppError ? err.code : 'internal';
      const details = err instanceof AppError ? err.details : undefined;
      this.finish(id, {
        state: 'refused',
        reader: c.readerId,
        error: { code, ...(details ? { details } : {}) },
      });
      this.record({
        type: 'enrolment.refused',
        data: { enrolmentId: id, code, reader: c.readerId, uid: shortUid(c.value) },
      });
      if (!(err instanceof AppError)) this.deps.logger.error({ err, enrolmentId: id }, 'enrolment failed');
      reader.feedback('deny');
    } finally {
      this.binding = false;
    }
  }

  /**
   * The card to bind: personalised as a genuine badge when the reader offers it, else by its UID
   * where the site accepts that. `badgeUid`: re-keying, the card must be that badge's. Throws the
   * refusal; nothing is bound before this returns.
   */
  private async prepare(
    c: Credential,
    badgeUid: string | null,
  ): Promise<{ uid: string; keyVersion?: number }> {
    const accept = this.deps.nfcAccept;
    const uidAccepted = !accept || accept.includes('uid');
    if (badgeUid !== null && c.value !== badgeUid)
      throw new AppError('enrol_wrong_badge', { uid: shortUid(c.value) });
    // A card already bound is refused before its keys are touched.
    if (badgeUid === null && this.deps.store.badgeByUid(c.value))
      throw new AppError('badge_uid_taken', { uid: shortUid(c.value) });
    if (!c.personalise) {
      // Simulated readers (and genuine cards off): the tap's own proof is all there is.
      if (!uidAccepted && c.proof?.kind === 'uid') throw new AppError('enrol_card_not_ntag424');
      const keyVersion = c.proof?.kind === 'ntag424' ? c.proof.keyVersion : undefined;
      return keyVersion === undefined ? { uid: c.value } : { uid: c.value, keyVersion };
    }
    const r = await c.personalise();
    if (r.ok) {
      if (r.uid !== c.value) throw new AppError('enrol_personalise_failed', { reason: 'uid_changed' });
      return { uid: r.uid, keyVersion: r.keyVersion };
    }
    // A plain card where UID-only badges are still accepted (a migration) is bound as before.
    if (r.reason === 'not_ntag424' && uidAccepted && badgeUid === null) return { uid: c.value };
    throw new AppError(PERSONALISE_REFUSAL[r.reason] ?? 'enrol_personalise_failed', {
      reason: r.reason,
      detail: r.detail,
    });
  }

  private async rekey(e: Enrolment, c: Credential): Promise<void> {
    const badgeId = e.rekeyBadgeId as string;
    const before = this.deps.badges.get(badgeId);
    const card = await this.prepare(c, before.uid);
    if (card.keyVersion === undefined) throw new AppError('enrol_card_not_ntag424');
    const badge = await this.deps.badges.setKeyVersion(badgeId, card.keyVersion, {
      type: 'enrolment.completed',
      data: {
        enrolmentId: e.id,
        badgeId,
        label: before.label,
        kind: before.kind,
        reader: c.readerId,
        uid: shortUid(before.uid),
        keyVersion: card.keyVersion,
        rekeyed: true,
      },
    });
    this.finish(e.id, { state: 'bound', reader: c.readerId, badge: publicBadge(badge) });
  }

  private finish(id: string, patch: Partial<Enrolment>): void {
    const e = this.enrolments.get(id);
    if (!e) return;
    Object.assign(e, patch, { endedAt: this.deps.clock().toISOString() });
    this.actors.delete(id);
    if (this.waiting === id) this.waiting = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private keep(e: Enrolment): void {
    this.enrolments.set(e.id, e);
    if (this.enrolments.size > KEEP) {
      for (const [k, v] of this.enrolments) {
        if (v.state === 'waiting') continue;
        this.enrolments.delete(k);
        if (this.enrolments.size <= KEEP) break;
      }
    }
  }

  private record(ev: EventInput): boolean {
    try {
      this.deps.journal.append(ev);
      return true;
    } catch (err) {
      this.deps.logger.error({ err, type: ev.type }, 'journal append failed');
      return false;
    }
  }
}
