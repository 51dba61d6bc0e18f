/**
 * The door, composed of its parts: taps (tap-handler.ts), the lock relay (lock.ts), the door
 * contact and its alarms (contact-alarms.ts) and the modes with the fire input (modes.ts). This
 * class wires the inputs to them, keeps occupancy and the escort pairing they share, saves the door
 * state and publishes snapshots. Fail secure: any fault leaves the relay locked, except that exit
 * and emergency release always open. Timers and the monotonic clock are injected (timers.ts).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { AccessSettings } from '../domain/access-policy.js';
import { type DoorCaller, type DoorVerdict, decideCommandUnlock } from '../domain/door-modes.js';
import { replayDoorEvents } from '../domain/door-replay.js';
import { AppError } from '../domain/errors.js';
import { EscortPairing } from '../domain/escort-pairing.js';
import { Occupancy, type Occupant } from '../domain/occupancy.js';
import type { DoorMode } from '../domain/types.js';
import type { Credential, CredentialReader, DigitalInput, Relay } from '../hardware/interfaces.js';
import type { ModuleHealth } from '../lifecycle.js';
import type { DoorStateFile } from '../store/door-state.js';
import type { Journal } from '../store/journal.js';
import type { StateStore } from '../store/state-store.js';
import { ClockGuard, type ClockStatus, type TimeSyncCheck } from './clock-guard.js';
import { ContactAlarms } from './contact-alarms.js';
import { type DoorParts, DoorRecorder } from './door-recorder.js';
import { Lock } from './lock.js';
import { DoorModes } from './modes.js';
import { type CredentialResolver, type TapEvent, TapHandler, type TapResult } from './tap-handler.js';
import { type DoorTimers, realDoorTimers } from './timers.js';

export type { TapEvent, TapResult } from './tap-handler.js';

export interface DoorContext {
  settings: {
    unlockSeconds: number;
    heldOpenSeconds: number;
    /** door.remoteUnlockRoles; absent: the superadmin only. */
    remoteUnlockRoles?: readonly ('admin' | 'superadmin' | 'operator')[];
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
  /** Is the system's time synchronised (ends an untrusted-clock episode)? Absent: never asked. */
  timeSynchronised?: TimeSyncCheck | undefined;
  /** Timer functions and the monotonic clock; the real ones unless a test steps time by hand. */
  timers?: DoorTimers | undefined;
  logger: Logger;
  /** Resolves non-NFC credentials (QR passes) to a badge UID, or a denial reason. */
  resolveCredential?: CredentialResolver | undefined;
}

export interface DoorSnapshot {
  door: string;
  lock: 'locked' | 'unlocked';
  contact: 'open' | 'closed';
  mode: DoorMode;
  inside: Occupant[];
  pending: { badgeId: string; kind: 'staff' | 'visitor'; awaiting: 'escort' | 'visitor' }[];
  alarms: { forced: boolean; heldOpen: boolean };
  /** The journal's head (seq, hash): every state message carries it, so the dashboard holds anchors. */
  journal?: { seq: number; hash: string };
}

export class DoorController extends EventEmitter<{
  state: [DoorSnapshot];
  tap: [TapEvent];
  /** Grants found in the journal at start whose first entry was never booked (a crash between). */
  replayedFirstEntries: [{ visitId: string; at: string }[]];
}> {
  private readonly occupancy = new Occupancy();
  private readonly pairing = new EscortPairing();
  private readonly recorder: DoorRecorder;
  private readonly lock: Lock;
  private readonly contact: ContactAlarms;
  private readonly modes: DoorModes;
  private readonly taps: TapHandler;
  private readonly clockGuard: ClockGuard;
  private running = false;
  /** Visit id → time of entry: admitted, first entry not yet booked in the state (see persist). */
  private firstEntriesDue = new Map<string, string>();
  private readonly unsubscribe: (() => void)[] = [];
  private doorId = '';

  constructor(private readonly ctx: DoorContext) {
    super();
    this.recorder = new DoorRecorder(ctx.journal, ctx.logger);
    const parts: DoorParts = {
      recorder: this.recorder,
      timers: ctx.timers ?? realDoorTimers,
      logger: ctx.logger,
      safely: (fn) => this.safely(fn),
      changed: () => this.emitState(),
    };
    this.lock = new Lock(ctx.relay, ctx.settings.unlockSeconds * 1000, parts);
    this.modes = new DoorModes({
      recorder: this.recorder,
      fireActive: () => ctx.fireAlarm?.read() === true,
      apply: (from, to) => this.applyMode(from, to),
    });
    this.contact = new ContactAlarms(
      ctx.settings.heldOpenSeconds,
      this.lock,
      () => this.modes.current,
      parts,
    );
    this.clockGuard = new ClockGuard({
      clock: ctx.clock,
      parts,
      toleranceSeconds: ctx.settings.access.clockToleranceSeconds ?? 120,
      timeSynchronised: ctx.timeSynchronised,
    });
    this.taps = new TapHandler({
      store: ctx.store,
      access: ctx.settings.access,
      occupancy: this.occupancy,
      pairing: this.pairing,
      lock: this.lock,
      mode: () => this.modes.current,
      clock: ctx.clock,
      clockGuard: this.clockGuard,
      resolveCredential: ctx.resolveCredential,
      emitTap: (t) => {
        // An operator tailing the log sees every decision (no UID, no name: the journal has them).
        this.ctx.logger.info(
          { reader: t.reader, outcome: t.outcome, ...('reason' in t ? { reason: t.reason } : {}) },
          'door decision',
        );
        this.emit('tap', t);
      },
      persist: () => void this.persist(),
      parts,
    });
  }

  async start(): Promise<void> {
    const file = await this.ctx.doorState.load();
    // door.json is a cache of the journal: replay what it has not seen (all of it, from empty, when
    // it names no sequence number), so a kill -9 a millisecond after a grant loses nobody inside.
    const replay = replayDoorEvents(
      file.journalSeq === undefined ? { mode: 'normal', occupancy: [], journalSeq: 0 } : file,
      this.ctx.journal.readFrom(file.journalSeq ?? 0).events(),
    );
    const saved = replay.state;
    if (replay.applied > 0)
      this.ctx.logger.info(
        { applied: replay.applied, inside: saved.occupancy.length, mode: saved.mode },
        'door state rebuilt from the journal',
      );
    this.modes.restore(saved.mode, saved.modeBeforeFire ?? null);
    for (const o of saved.occupancy) this.occupancy.admit([o], new Date(o.since));
    this.lock.start(saved.mode === 'emergency_release');
    // First entries to book: those door.json saved as due (a grant it already reflects) and the
    // grants replayed after it; only visits the state still shows waiting for their first entry.
    for (const e of [...(file.firstEntriesDue ?? []), ...replay.firstEntries])
      if (!this.firstEntriesDue.has(e.visitId)) this.firstEntriesDue.set(e.visitId, e.at);
    const due = this.dueFirstEntries();
    if (due.length) this.emit('replayedFirstEntries', due);
    if (replay.applied > 0) void this.persist();
    // Before any reader: the first tap already knows whether the clock is behind the journal.
    this.clockGuard.start(this.ctx.journal.lastEventAt);
    for (const { reader, role } of this.ctx.readers) {
      const onCred = (c: Credential) => this.safely(() => this.onCredential(c, role, reader));
      reader.on('credential', onCred);
      this.unsubscribe.push(() => reader.off('credential', onCred));
    }
    const onContact = (open: boolean) => this.safely(() => this.contact.onContact(open));
    this.ctx.doorContact.on('change', onContact);
    this.unsubscribe.push(() => this.ctx.doorContact.off('change', onContact));
    const onButton = (pressed: boolean) => {
      if (pressed) this.safely(() => this.exitRequest());
    };
    this.ctx.exitButton.on('change', onButton);
    this.unsubscribe.push(() => this.ctx.exitButton.off('change', onButton));
    const fire = this.ctx.fireAlarm;
    if (fire) {
      const onFire = (active: boolean) => this.safely(() => this.modes.onFireAlarm(active));
      fire.on('change', onFire);
      this.unsubscribe.push(() => fire.off('change', onFire));
      if (fire.read()) this.modes.onFireAlarm(true);
      // Released by a fire that cleared while the service was down: return to the mode before.
      else if (this.modes.modeBeforeFire !== null) this.modes.onFireAlarm(false);
    }
    const tamper = this.ctx.tamper;
    if (tamper) {
      const onTamper = (active: boolean) =>
        this.safely(() => this.recorder.record({ type: 'alarm.tamper', data: { input: tamper.id, active } }));
      tamper.on('change', onTamper);
      this.unsubscribe.push(() => tamper.off('change', onTamper));
      if (tamper.read()) onTamper(true);
    }
    this.running = true;
    this.emitState();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const off of this.unsubscribe.splice(0)) off();
    this.taps.stop();
    this.clockGuard.stop();
    this.contact.stop();
    // Fail secure on shutdown; a fail-safe lock wired for power loss opens by itself anyway.
    this.lock.stop();
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
      lock: this.lock.unlocked ? 'unlocked' : 'locked',
      contact: this.ctx.doorContact.read() ? 'open' : 'closed',
      mode: this.modes.current,
      inside: this.occupancy.entries(),
      pending: this.pairing.pending().map((t) => ({
        badgeId: t.badgeId,
        kind: t.kind,
        awaiting: t.kind === 'visitor' ? ('escort' as const) : ('visitor' as const),
      })),
      alarms: this.contact.alarms,
      journal: this.ctx.journal.head,
    };
  }

  getMode(): DoorMode {
    return this.modes.current;
  }

  /** Handles one credential from a reader; public so tests and the sim API can call it directly. */
  onCredential(c: Credential, role: 'entry' | 'exit', reader?: CredentialReader): TapResult {
    return this.taps.onCredential(c, role, reader);
  }

  /** Request-to-exit button. */
  exitRequest(): void {
    this.taps.exitRequest();
  }

  /** What the door rules say to `caller` asking for mode `to` now; changes nothing (MQTT checks first). */
  checkMode(to: DoorMode, caller: DoorCaller): DoorVerdict {
    return this.modes.check(to, caller);
  }

  /** What the door rules say to `caller` asking for a command unlock now; changes nothing. */
  checkUnlock(caller: DoorCaller, reason?: string | null): DoorVerdict {
    return decideCommandUnlock({
      mode: this.modes.current,
      caller,
      allowedRoles: this.ctx.settings.remoteUnlockRoles,
      ...(reason !== undefined ? { reason } : {}),
    });
  }

  /**
   * Changes the door mode if the door rules (domain/door-modes.ts) let `caller` do it; otherwise
   * throws their coded AppError (fire_alarm_active, mode_via_normal, forbidden) or
   * journal_unavailable when the change cannot be recorded.
   */
  setMode(to: DoorMode, caller: DoorCaller, reason?: string): void {
    this.modes.setMode(to, caller, reason);
  }

  /**
   * One momentary unlock on a caller's command (API / MQTT), if the door rules allow it: not in
   * lockdown unless superadmin (door_in_lockdown); in emergency release a no-op, the door is open.
   */
  commandUnlock(caller: DoorCaller, reason?: string): void {
    const verdict = this.checkUnlock(caller, reason ?? (caller.channel === 'mqtt' ? undefined : null));
    if (!verdict.ok) throw new AppError(verdict.code, { mode: this.modes.current });
    if (verdict.noop) return;
    const recorded = this.recorder.record({
      type: 'access.granted',
      data: {
        direction: 'entry',
        credential: 'command',
        by: { id: caller.id, name: caller.name },
        via: caller.channel,
        ...(reason ? { reason } : {}),
      },
    });
    if (!recorded) throw new AppError('journal_unavailable');
    this.lock.unlock('command');
    this.emitState();
  }

  /** Whether the wall clock is trusted, and the latest trusted time. */
  clockStatus(): ClockStatus {
    return this.clockGuard.status();
  }

  /** A superadmin confirms the wall clock with a reason (journaled): trusted again. */
  confirmClock(caller: DoorCaller, reason: string): ClockStatus {
    const status = this.clockGuard.confirm(caller, reason);
    this.emitState();
    return status;
  }

  /** A time both the wall clock and the monotonic anchor say has passed; null while untrusted. */
  agreedTime(): Date | null {
    return this.clockGuard.agreedNow();
  }

  /** Clears occupancy (after an evacuation, or one badge that left by the exit button). */
  clearOccupancy(by: { id: string; name: string }, badgeId?: string): Occupant[] {
    const gone = badgeId
      ? [this.occupancy.leave(badgeId)].filter((o): o is Occupant => o !== undefined)
      : this.occupancy.clear();
    this.recorder.record({
      type: 'door.occupancy_cleared',
      data: { by, badgeIds: gone.map((o) => o.badgeId) },
    });
    void this.persist();
    this.emitState();
    return gone;
  }

  /** Check-out removes the visit's occupants (the visitor left, maybe by the exit button). */
  clearVisit(visitId: string, by?: { id: string; name: string }): Occupant[] {
    const gone = this.occupancy.clearVisit(visitId);
    if (gone.length) {
      this.recorder.record({
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

  /** A decided, journaled mode change: what it does to the lock, the alarms and the pairing. */
  private applyMode(from: DoorMode, to: DoorMode): void {
    if (to === 'emergency_release') {
      this.contact.cancelHeldOpen();
      this.lock.release();
    } else if (from === 'emergency_release') {
      this.lock.endRelease();
    }
    if (to === 'lockdown') this.pairing.clear();
    void this.persist();
    this.emitState();
  }

  /** Any exception in a handler: log it, lock (unless in emergency release), keep running. */
  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.ctx.logger.error({ err }, 'door handler failed; locking');
      this.lock.failSecure();
    }
  }

  /**
   * Visitors admitted whose visit is still `badge_issued`: the visit service books their first
   * entry just after the grant, and door.json (written at the grant, naming a journal seq past it)
   * must keep them until the state shows it booked, or a crash between would lose the booking.
   */
  private dueFirstEntries(): { visitId: string; at: string }[] {
    for (const o of this.occupancy.entries())
      if (o.visitId && !this.firstEntriesDue.has(o.visitId)) this.firstEntriesDue.set(o.visitId, o.since);
    for (const id of [...this.firstEntriesDue.keys()])
      if (this.ctx.store.visit(id)?.state !== 'badge_issued') this.firstEntriesDue.delete(id);
    return [...this.firstEntriesDue].map(([visitId, at]) => ({ visitId, at }));
  }

  private persist(): Promise<void> {
    return this.ctx.doorState
      .save({
        mode: this.modes.current,
        occupancy: this.occupancy.entries(),
        modeBeforeFire: this.modes.modeBeforeFire,
        journalSeq: this.ctx.journal.seq,
        firstEntriesDue: this.dueFirstEntries(),
      })
      .catch((err: unknown) => {
        this.ctx.logger.error({ err }, 'door state not saved');
      });
  }

  private emitState(): void {
    this.emit('state', this.snapshot());
  }
}
