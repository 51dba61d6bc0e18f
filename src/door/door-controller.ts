/**
 * The door: credentials → policy → relay → journal. It also watches the door contact and the exit
 * button, raises door.forced / door.held_open, keeps occupancy for anti-passback, and runs the
 * door modes. Fail secure: any fault leaves the relay locked, except that exit and emergency
 * release always open.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import {
  type AccessSettings,
  type Admission,
  type Decision,
  type DenyReason,
  decideEntry,
  expiredPendingReason,
  resolveSubject,
  type Subject,
} from '../domain/access-policy.js';
import { AppError } from '../domain/errors.js';
import { EscortPairing } from '../domain/escort-pairing.js';
import { type EventInput, shortUid } from '../domain/events.js';
import { Occupancy, type Occupant } from '../domain/occupancy.js';
import type { DoorMode } from '../domain/types.js';
import { recordFirstEntry } from '../domain/visit-lifecycle.js';
import type { Credential, CredentialReader, DigitalInput, Relay } from '../hardware/interfaces.js';
import type { ModuleHealth } from '../lifecycle.js';
import type { DoorStateFile } from '../store/door-state.js';
import type { Journal } from '../store/journal.js';
import type { StateStore } from '../store/state-store.js';

export interface DoorContext {
  settings: {
    unlockSeconds: number;
    heldOpenSeconds: number;
    access: AccessSettings;
  };
  store: StateStore;
  journal: Journal;
  doorState: DoorStateFile;
  readers: { reader: CredentialReader; role: 'entry' | 'exit' }[];
  relay: Relay;
  doorContact: DigitalInput;
  exitButton: DigitalInput;
  fireAlarm?: DigitalInput | undefined;
  /** Enclosure tamper switch: journals alarm.tamper on each change; never opens the door. */
  tamper?: DigitalInput | undefined;
  clock: () => Date;
  mono?: () => number;
  logger: Logger;
  /** Resolves non-NFC credentials (QR passes) to a badge UID, or a denial reason. */
  resolveCredential?: (c: Credential, now: Date) => { uid: string } | { deny: DenyReason; detail?: string };
}

export type TapResult =
  | { outcome: 'grant'; admits: Admission[] }
  | { outcome: 'pending'; awaiting: 'escort' | 'visitor' }
  | { outcome: 'deny'; reason: DenyReason }
  | { outcome: 'exit' };

export interface DoorSnapshot {
  door: string;
  lock: 'locked' | 'unlocked';
  contact: 'open' | 'closed';
  mode: DoorMode;
  inside: Occupant[];
  pending: { badgeId: string; kind: 'staff' | 'visitor'; awaiting: 'escort' | 'visitor' }[];
  alarms: { forced: boolean; heldOpen: boolean };
}

type UnlockReason = 'grant' | 'exit' | 'exit_button' | 'command' | 'emergency';

export class DoorController extends EventEmitter<{
  state: [DoorSnapshot];
  tap: [TapResult & { reader: string }];
}> {
  private readonly occupancy = new Occupancy();
  private readonly pairing = new EscortPairing();
  private mode: DoorMode = 'normal';
  private modeBeforeFire: DoorMode | null = null;
  private relockTimer: NodeJS.Timeout | null = null;
  private heldTimer: NodeJS.Timeout | null = null;
  private pendingTimer: NodeJS.Timeout | null = null;
  private relayWatch: NodeJS.Timeout | null = null;
  /** Set while a grant or an exit allows the door to open. */
  private authorisedOpen = false;
  private forced = false;
  private heldOpen = false;
  private running = false;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly mono: () => number;
  private doorId = '';

  constructor(private readonly ctx: DoorContext) {
    super();
    this.mono = ctx.mono ?? (() => performance.now());
  }

  async start(): Promise<void> {
    const saved = await this.ctx.doorState.load();
    this.mode = saved.mode;
    this.modeBeforeFire = saved.modeBeforeFire ?? null;
    for (const o of saved.occupancy) this.occupancy.admit([o], new Date(o.since));
    this.ctx.relay.set(this.mode === 'emergency_release');
    for (const { reader, role } of this.ctx.readers) {
      const onCred = (c: Credential) => this.safely(() => this.onCredential(c, role, reader));
      reader.on('credential', onCred);
      this.unsubscribe.push(() => reader.off('credential', onCred));
    }
    const onContact = (open: boolean) => this.safely(() => this.onContact(open));
    this.ctx.doorContact.on('change', onContact);
    this.unsubscribe.push(() => this.ctx.doorContact.off('change', onContact));
    const onButton = (pressed: boolean) => {
      if (pressed) this.safely(() => this.exitRequest());
    };
    this.ctx.exitButton.on('change', onButton);
    this.unsubscribe.push(() => this.ctx.exitButton.off('change', onButton));
    const fire = this.ctx.fireAlarm;
    if (fire) {
      const onFire = (active: boolean) => this.safely(() => this.onFireAlarm(active));
      fire.on('change', onFire);
      this.unsubscribe.push(() => fire.off('change', onFire));
      if (fire.read()) this.onFireAlarm(true);
      // Released by a fire that cleared while the service was down: return to the mode before.
      else if (this.modeBeforeFire !== null) this.onFireAlarm(false);
    }
    const tamper = this.ctx.tamper;
    if (tamper) {
      const onTamper = (active: boolean) =>
        this.safely(() => this.record({ type: 'alarm.tamper', data: { input: tamper.id, active } }));
      tamper.on('change', onTamper);
      this.unsubscribe.push(() => tamper.off('change', onTamper));
      if (tamper.read()) onTamper(true);
    }
    this.relayWatch = setInterval(() => this.safely(() => this.reassertRelay()), 1000);
    this.relayWatch.unref();
    this.running = true;
    this.emitState();
  }

  /**
   * Drivers may drop to locked on a fault (a dead gpioset, a bridge reset). Once a second the
   * relay is put back where the door wants it: released in emergency release, locked when no
   * grant or exit holds it open.
   */
  private reassertRelay(): void {
    const want = this.mode === 'emergency_release' || this.authorisedOpen;
    if (this.ctx.relay.get() !== want) {
      this.ctx.logger.warn(
        { want: want ? 'unlocked' : 'locked' },
        'relay not where the door wants it; setting it again',
      );
      this.ctx.relay.set(want);
      this.emitState();
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const off of this.unsubscribe.splice(0)) off();
    for (const t of [this.relockTimer, this.heldTimer, this.pendingTimer]) if (t) clearTimeout(t);
    if (this.relayWatch) clearInterval(this.relayWatch);
    this.relayWatch = null;
    this.relockTimer = this.heldTimer = this.pendingTimer = null;
    // Fail secure on shutdown; a fail-safe lock wired for power loss opens by itself anyway.
    if (this.mode !== 'emergency_release') this.ctx.relay.set(false);
    await this.persist();
  }

  health(): ModuleHealth {
    if (!this.running) return { state: 'stopped' };
    return this.ctx.journal.health().ok
      ? { state: 'ok' }
      : { state: 'degraded', detail: 'journal not writable: entry denied' };
  }

  snapshot(): DoorSnapshot {
    return {
      door: this.doorId,
      lock: this.ctx.relay.get() ? 'unlocked' : 'locked',
      contact: this.ctx.doorContact.read() ? 'open' : 'closed',
      mode: this.mode,
      inside: this.occupancy.entries(),
      pending: this.pairing.pending().map((t) => ({
        badgeId: t.badgeId,
        kind: t.kind,
        awaiting: t.kind === 'visitor' ? ('escort' as const) : ('visitor' as const),
      })),
      alarms: { forced: this.forced, heldOpen: this.heldOpen },
    };
  }

  getMode(): DoorMode {
    return this.mode;
  }

  /** Any exception in a handler: log it, lock (unless in emergency release), keep running. */
  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.ctx.logger.error({ err }, 'door handler failed; locking');
      if (this.mode !== 'emergency_release' && !this.authorisedOpen) this.ctx.relay.set(false);
    }
  }

  /** Appends to the journal; returns false (and logs) when it cannot. */
  private record(ev: EventInput, defer = false): boolean {
    try {
      this.ctx.journal.append(ev, { defer });
      return true;
    } catch (err) {
      this.ctx.logger.error({ err, type: ev.type }, 'journal append failed');
      return false;
    }
  }

  /** Flushes deferred appends; a failure leaves the journal unhealthy, so the next entry is denied. */
  private syncJournal(): void {
    try {
      this.ctx.journal.sync();
    } catch (err) {
      this.ctx.logger.error({ err }, 'journal sync failed');
    }
  }

  private persist(): Promise<void> {
    return this.ctx.doorState
      .save({ mode: this.mode, occupancy: this.occupancy.entries(), modeBeforeFire: this.modeBeforeFire })
      .catch((err: unknown) => {
        this.ctx.logger.error({ err }, 'door state not saved');
      });
  }

  private emitState(): void {
    this.emit('state', this.snapshot());
  }

  // --- credentials ---

  /** Handles one credential from a reader; public so tests and the sim API can call it directly. */
  onCredential(c: Credential, role: 'entry' | 'exit', reader?: CredentialReader): TapResult {
    const now = this.ctx.clock();
    const base = { reader: c.readerId, direction: role, credential: c.kind };
    let uid: string;
    if (c.kind === 'nfc') {
      uid = c.value;
    } else {
      const r = this.ctx.resolveCredential?.(c, now) ?? { deny: 'pass_invalid' as const };
      if ('deny' in r) {
        if (role === 'exit') return this.exitByCredential(base, null, reader);
        return this.deny(base, r.deny, null, reader, r.detail);
      }
      uid = r.uid;
    }
    if (role === 'exit') return this.exitByCredential(base, uid, reader);

    const decision: Decision = decideEntry(
      this.ctx.store,
      this.occupancy,
      this.pairing,
      this.ctx.settings.access,
      {
        uid,
        now,
        mono: this.mono(),
        mode: this.mode,
      },
    );
    const who = { ...base, uid: shortUid(uid) };
    if (decision.outcome === 'deny')
      return this.deny(who, decision.reason, decision.subject, reader, decision.detail);
    if (decision.outcome === 'pending') {
      if (
        !this.record({
          type: 'access.awaiting_escort',
          data: { ...who, ...subjectData(decision.subject), awaiting: decision.awaiting },
        })
      ) {
        this.pairing.clear();
        return this.deny(who, 'journal_unavailable', decision.subject, reader);
      }
      reader?.feedback('pending');
      this.schedulePendingExpiry();
      this.emitState();
      const result: TapResult = { outcome: 'pending', awaiting: decision.awaiting };
      this.emit('tap', { ...result, reader: c.readerId });
      return result;
    }
    // Grant: the event is written before the lock opens (no record, no entry) and fsynced right
    // after the relay switches, so the disk flush is not part of tap-to-unlock latency.
    const admits = decision.admits;
    if (
      !this.record(
        {
          type: 'access.granted',
          data: { ...who, ...subjectData(decision.subject), admits: admits.map(publicAdmission) },
        },
        true,
      )
    ) {
      // decideEntry already counted this tap in the pairing (an escort who "entered"); nobody
      // entered, so it must not escort a visitor who taps once the journal is back.
      this.pairing.clear();
      return this.deny(who, 'journal_unavailable', decision.subject, reader);
    }
    this.unlock('grant', true);
    reader?.feedback('grant');
    this.syncJournal();
    this.occupancy.admit(admits, now);
    if (decision.passbackViolation) {
      this.record({ type: 'alarm.anti_passback', data: { ...who, ...subjectData(decision.subject) } });
    }
    this.markFirstEntries(admits, now);
    void this.persist();
    this.emitState();
    const result: TapResult = { outcome: 'grant', admits };
    this.emit('tap', { ...result, reader: c.readerId });
    return result;
  }

  private deny(
    data: Record<string, unknown>,
    reason: DenyReason,
    subject: Subject | null,
    reader: CredentialReader | undefined,
    detail?: string,
  ): TapResult {
    this.record({
      type: 'access.denied',
      data: { ...data, reason, ...(subject ? subjectData(subject) : {}), ...(detail ? { detail } : {}) },
    });
    reader?.feedback('deny');
    const result: TapResult = { outcome: 'deny', reason };
    this.emit('tap', { ...result, reader: String(data.reader) });
    return result;
  }

  /** Exit always opens, whatever the credential and whether or not the journal works. */
  private exitByCredential(
    base: Record<string, unknown>,
    uid: string | null,
    reader?: CredentialReader,
  ): TapResult {
    const resolved = uid ? resolveSubject(this.ctx.store, uid) : null;
    const badge = uid ? this.ctx.store.badgeByUid(uid) : undefined;
    const left = badge ? this.occupancy.leave(badge.id) : undefined;
    // Someone who left cannot escort a visitor who taps after them.
    if (badge) this.pairing.forget(badge.id);
    // Written, then the lock opens, then flushed: exit never waits for the disk (and opens even
    // when the journal is gone).
    this.record(
      {
        type: 'access.exit',
        data: {
          ...base,
          ...(uid ? { uid: shortUid(uid) } : {}),
          ...(resolved && !('deny' in resolved) ? subjectData(resolved) : { known: false }),
          wasInside: left !== undefined,
        },
      },
      true,
    );
    this.unlock('exit', true);
    reader?.feedback('grant');
    this.syncJournal();
    if (left) this.checkUnescorted();
    void this.persist();
    this.emitState();
    const result: TapResult = { outcome: 'exit' };
    this.emit('tap', { ...result, reader: String(base.reader) });
    return result;
  }

  /** Request-to-exit button. */
  exitRequest(): void {
    // Whoever pressed it may have been an escort: no earlier escort tap may admit a visitor now.
    this.pairing.forgetGranted();
    this.record({ type: 'door.exit_request', data: { source: 'exit_button' } });
    this.unlock('exit_button');
    this.emitState();
  }

  private checkUnescorted(): void {
    const visits = this.occupancy.unescortedVisits(
      (id) => this.ctx.store.visit(id),
      (id) => this.ctx.store.user(id),
      this.ctx.settings.access,
    );
    for (const v of visits) {
      this.record({
        type: 'alarm.visitor_unescorted',
        data: { visitId: v.id, visitor: v.visitor.name, escortIds: v.escortIds },
      });
    }
  }

  /**
   * The first grant of a visit moves it to in_progress. The relay has already switched; this is
   * bookkeeping, queued behind any procedure step in progress so both see the same visit.
   */
  private markFirstEntries(admits: Admission[], now: Date): void {
    for (const a of admits) {
      if (!a.visitId) continue;
      const visitId = a.visitId;
      void this.ctx.store
        .exclusive(async () => {
          const visit = this.ctx.store.visit(visitId);
          if (visit?.state !== 'badge_issued') return;
          const next = recordFirstEntry(visit, now);
          await this.ctx.store.commit({ visits: [next] });
          this.record({ type: 'visit.entered', data: { visitId, state: next.state, at: now.toISOString() } });
        })
        .catch((err: unknown) => this.ctx.logger.error({ err, visitId }, 'first entry not saved'));
    }
  }

  private schedulePendingExpiry(): void {
    if (this.pendingTimer) clearTimeout(this.pendingTimer);
    const windowMs = this.ctx.settings.access.escortWindowSeconds * 1000;
    const pend = this.pairing.pending();
    if (pend.length === 0) return;
    const due = Math.min(...pend.map((t) => t.mono + windowMs)) - this.mono();
    this.pendingTimer = setTimeout(
      () => {
        this.pendingTimer = null;
        this.safely(() => {
          for (const t of this.pairing.expire(this.mono(), windowMs)) {
            this.record({
              type: 'access.denied',
              data: {
                direction: 'entry',
                reason: expiredPendingReason(t),
                kind: t.kind,
                badgeId: t.badgeId,
                ...(t.visitId ? { visitId: t.visitId } : {}),
                ...(t.userId ? { userId: t.userId } : {}),
                name: t.admission.name,
              },
            });
            this.emit('tap', { outcome: 'deny', reason: expiredPendingReason(t), reader: 'pairing' });
          }
          this.schedulePendingExpiry();
          this.emitState();
        });
      },
      Math.max(1, due + 1),
    );
  }

  // --- lock and door contact ---

  /** `defer`: the caller flushes the journal (syncJournal) once the relay and the reader are done. */
  private unlock(reason: UnlockReason, defer = false): void {
    const wasUnlocked = this.ctx.relay.get();
    this.ctx.relay.set(true);
    this.authorisedOpen = true;
    if (this.mode === 'emergency_release') return;
    if (!wasUnlocked) this.record({ type: 'door.unlocked', data: { reason } }, defer);
    if (this.relockTimer) clearTimeout(this.relockTimer);
    this.relockTimer = setTimeout(
      () => this.safely(() => this.relock('timeout')),
      this.ctx.settings.unlockSeconds * 1000,
    );
  }

  private relock(why: 'timeout' | 'door_closed' | 'mode'): void {
    if (this.relockTimer) clearTimeout(this.relockTimer);
    this.relockTimer = null;
    this.authorisedOpen = false;
    if (this.mode === 'emergency_release') return;
    if (this.ctx.relay.get()) {
      this.ctx.relay.set(false);
      this.record({ type: 'door.locked', data: { reason: why } });
      this.emitState();
    }
  }

  private onContact(open: boolean): void {
    if (open) {
      const authorised = this.authorisedOpen || this.mode === 'emergency_release';
      this.record({ type: 'door.opened', data: { authorised } });
      if (!authorised) {
        this.forced = true;
        this.record({ type: 'door.forced', data: { mode: this.mode } });
      }
      if (this.heldTimer) clearTimeout(this.heldTimer);
      if (this.mode !== 'emergency_release') {
        this.heldTimer = setTimeout(
          () =>
            this.safely(() => {
              this.heldOpen = true;
              this.record({ type: 'door.held_open', data: { seconds: this.ctx.settings.heldOpenSeconds } });
              this.emitState();
            }),
          this.ctx.settings.heldOpenSeconds * 1000,
        );
      }
    } else {
      if (this.heldTimer) clearTimeout(this.heldTimer);
      this.heldTimer = null;
      const wasAlarm = this.forced || this.heldOpen;
      this.forced = false;
      this.heldOpen = false;
      this.record({ type: 'door.closed', data: wasAlarm ? { alarmCleared: true } : {} });
      // Relock as soon as the door closes again after a grant.
      if (this.authorisedOpen) this.relock('door_closed');
    }
    this.emitState();
  }

  // --- modes ---

  /**
   * Changes the door mode. While the fire-alarm input is active nobody can take the door out of
   * emergency release (fire_alarm_active); it returns to its earlier mode when the input clears.
   */
  setMode(mode: DoorMode, by: { id: string; name: string }, reason?: string): void {
    if (this.ctx.fireAlarm?.read() && mode !== 'emergency_release' && by.id !== 'system') {
      throw new AppError('fire_alarm_active', { requested: mode }, 'fire_alarm_active');
    }
    if (mode === this.mode) return;
    const from = this.mode;
    if (
      !this.record({ type: 'door.mode_changed', data: { from, to: mode, by, ...(reason ? { reason } : {}) } })
    ) {
      // A mode change that cannot be recorded is refused, except the release that fire forces.
      if (mode !== 'emergency_release')
        throw new AppError('journal_unavailable', undefined, 'journal_unavailable');
    }
    this.mode = mode;
    if (mode === 'emergency_release') {
      if (this.relockTimer) clearTimeout(this.relockTimer);
      if (this.heldTimer) clearTimeout(this.heldTimer);
      this.ctx.relay.set(true);
      this.record({ type: 'door.unlocked', data: { reason: 'emergency' } });
    } else if (from === 'emergency_release') {
      this.relock('mode');
    }
    if (mode === 'lockdown') this.pairing.clear();
    void this.persist();
    this.emitState();
  }

  private onFireAlarm(active: boolean): void {
    if (active) {
      if (this.mode !== 'emergency_release') this.modeBeforeFire = this.mode;
      this.setMode('emergency_release', { id: 'system', name: 'fire alarm' }, 'fire alarm input active');
    } else if (this.modeBeforeFire !== null) {
      const back = this.modeBeforeFire;
      this.modeBeforeFire = null;
      this.setMode(back, { id: 'system', name: 'fire alarm' }, 'fire alarm input cleared');
    }
  }

  /** One momentary unlock on an operator's command (API / MQTT); not in lockdown unless superadmin. */
  commandUnlock(by: { id: string; name: string; role?: string }): void {
    if (this.mode === 'lockdown' && by.role !== 'superadmin') {
      throw new AppError('door_in_lockdown', undefined, 'door_in_lockdown');
    }
    if (
      !this.record({
        type: 'access.granted',
        data: { direction: 'entry', credential: 'command', by: { id: by.id, name: by.name } },
      })
    ) {
      throw new AppError('journal_unavailable', undefined, 'journal_unavailable');
    }
    this.unlock('command');
    this.emitState();
  }

  /** Clears occupancy (after an evacuation, or one badge that left by the exit button). */
  clearOccupancy(by: { id: string; name: string }, badgeId?: string): Occupant[] {
    const gone = badgeId
      ? [this.occupancy.leave(badgeId)].filter((o): o is Occupant => o !== undefined)
      : this.occupancy.clear();
    this.record({ type: 'door.occupancy_cleared', data: { by, badgeIds: gone.map((o) => o.badgeId) } });
    void this.persist();
    this.emitState();
    return gone;
  }

  /** Check-out removes the visit's occupants (the visitor left, maybe by the exit button). */
  clearVisit(visitId: string, by?: { id: string; name: string }): Occupant[] {
    const gone = this.occupancy.clearVisit(visitId);
    if (gone.length) {
      this.record({
        type: 'door.occupancy_cleared',
        data: { ...(by ? { by } : {}), badgeIds: gone.map((o) => o.badgeId), reason: 'check_out' },
      });
      void this.persist();
      this.emitState();
    }
    return gone;
  }

  isVisitInside(visitId: string): boolean {
    return this.occupancy.entries().some((o) => o.visitId === visitId);
  }

  setDoorId(id: string): void {
    this.doorId = id;
  }
}

function subjectData(s: Subject): Record<string, unknown> {
  if (s.kind === 'staff') {
    return {
      kind: 'staff',
      badgeId: s.badge.id,
      badge: s.badge.label,
      userId: s.user.id,
      name: s.user.displayName,
    };
  }
  return {
    kind: 'visitor',
    badgeId: s.badge.id,
    badge: s.badge.label,
    visitId: s.visit.id,
    name: s.visit.visitor.name,
  };
}

function publicAdmission(a: Admission) {
  return {
    badgeId: a.badgeId,
    kind: a.kind,
    userId: a.userId,
    visitId: a.visitId,
    name: a.name,
    ...(a.escortedBy ? { escortedBy: a.escortedBy } : {}),
  };
}
