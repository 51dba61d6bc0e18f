/**
 * Taps: a credential from an entry or exit reader, or the exit button. Entry asks the access
 * policy, journals the decision before the relay moves (no record, no entry), and keeps the escort
 * pairing and occupancy; a tap waiting for its partner is denied when its window runs out. Exit —
 * reader or button — always opens, whatever the credential and whether or not the journal works.
 */
import {
  type Admission,
  type CredentialStrength,
  type DenyReason,
  type DoorAccessSettings,
  decideEntry,
  expiredPendingReason,
  resolveSubject,
  type Subject,
} from '../domain/access-policy.js';
import type { EscortPairing } from '../domain/escort-pairing.js';
import { shortUid } from '../domain/events.js';
import type { Occupancy } from '../domain/occupancy.js';
import type { DoorMode } from '../domain/types.js';
import { normaliseWiegand } from '../domain/uid.js';
import type { Credential, CredentialReader } from '../hardware/interfaces.js';
import type { StateStore } from '../store/state-store.js';
import type { ClockGuard } from './clock-guard.js';
import type { DoorParts } from './door-recorder.js';
import type { Lock } from './lock.js';
import { publicAdmission, subjectData } from './subject-data.js';
import { TimerSlot } from './timers.js';

export type TapResult =
  | { outcome: 'grant'; admits: Admission[] }
  | { outcome: 'pending'; awaiting: 'escort' | 'visitor' }
  | { outcome: 'deny'; reason: DenyReason }
  | { outcome: 'exit' };

export type TapEvent = TapResult & { reader: string };

/** Resolves credentials that are not badges (QR passes) to a badge UID, or a denial reason. */
export type CredentialResolver = (
  c: Credential,
  now: Date,
  /** The latest trusted time: a pass that expired before it stays expired (clock-guard.ts). */
  latestTrusted?: Date,
) => { uid: string } | { deny: DenyReason; detail?: string };

export interface TapDeps {
  store: StateStore;
  /** nfcAccept: what NFC cards must prove (the composition root sets it; see credentialDenial). */
  access: DoorAccessSettings;
  occupancy: Occupancy;
  pairing: EscortPairing;
  lock: Lock;
  mode: () => DoorMode;
  clock: () => Date;
  /** Whether the wall clock can be believed; visitors are refused while it cannot. */
  clockGuard: ClockGuard;
  resolveCredential?: CredentialResolver | undefined;
  /** Every tap's outcome, for the door's 'tap' event. */
  emitTap: (t: TapEvent) => void;
  /** Occupancy changed: save it. */
  persist: () => void;
  parts: DoorParts;
}

type TapBase = { reader: string; direction: 'entry' | 'exit'; credential: TapCredential };
type TapCredential = 'ntag424' | 'uid' | 'qr' | 'wiegand';

/**
 * How an NFC card proved itself. A tap without a proof comes only from the simulator, whose cards
 * are genuine unless the tap says otherwise (every real NFC driver sets one).
 */
function strength(c: Credential): CredentialStrength {
  if (c.proof?.kind === 'uid') return 'uid';
  return c.proof?.kind === 'failed' ? 'failed' : 'ntag424';
}

/** The journal's credential field: a register shows which NFC entries were proven by UID only. */
function journalCredential(c: Credential): TapCredential {
  if (c.kind !== 'nfc') return c.kind;
  return strength(c) === 'uid' ? 'uid' : 'ntag424';
}

export class TapHandler {
  private readonly pendingTimer: TimerSlot;

  constructor(private readonly d: TapDeps) {
    this.pendingTimer = new TimerSlot(d.parts.timers);
  }

  stop(): void {
    this.pendingTimer.clear();
  }

  onCredential(c: Credential, role: 'entry' | 'exit', reader?: CredentialReader): TapResult {
    const { d } = this;
    const now = d.clock();
    const clockTrusted = d.clockGuard.check();
    const latestTrusted = d.clockGuard.latestTrusted;
    const base: TapBase = { reader: c.readerId, direction: role, credential: journalCredential(c) };
    let uid: string;
    if (c.kind === 'nfc') {
      uid = c.value;
    } else if (c.kind === 'wiegand') {
      // A Wiegand card is a badge like an NFC UID (its store key is FORMAT:facility:card): the
      // same policy, pairing and anti-passback decide it.
      uid = normaliseWiegand(c.value) ?? c.value;
    } else {
      const r = d.resolveCredential?.(c, now, latestTrusted) ?? { deny: 'pass_invalid' as const };
      if ('deny' in r) {
        if (role === 'exit') return this.exitByCredential(base, null, reader);
        return this.deny(base, r.deny, null, reader, r.detail);
      }
      uid = r.uid;
    }
    if (role === 'exit') return this.exitByCredential(base, uid, reader);

    const decision = decideEntry(d.store, d.occupancy, d.pairing, d.access, {
      uid,
      now,
      mono: d.parts.timers.now(),
      mode: d.mode(),
      clockTrusted,
      latestTrusted,
      credential:
        c.kind === 'nfc' && d.access.nfcAccept
          ? { proof: strength(c), accept: d.access.nfcAccept }
          : undefined,
    });
    const who = { ...base, uid: shortUid(uid) };
    const { recorder } = d.parts;
    if (decision.outcome === 'deny') {
      // A failed authentication says why (bad_mac, wrong_key, auth_failed): no key material in it.
      const detail =
        c.proof?.kind === 'failed' && decision.reason === 'credential_not_genuine'
          ? c.proof.reason
          : decision.detail;
      return this.deny(who, decision.reason, decision.subject, reader, detail);
    }
    if (decision.outcome === 'pending') {
      const recorded = recorder.record({
        type: 'access.awaiting_escort',
        data: { ...who, ...subjectData(decision.subject), awaiting: decision.awaiting },
      });
      if (!recorded) {
        d.pairing.clear();
        return this.deny(who, 'journal_unavailable', decision.subject, reader);
      }
      d.pairing.tagReader(decision.subject.badge.id, c.readerId);
      reader?.feedback('pending');
      this.schedulePendingExpiry();
      d.parts.changed();
      const result: TapResult = { outcome: 'pending', awaiting: decision.awaiting };
      d.emitTap({ ...result, reader: c.readerId });
      return result;
    }
    // Grant: the event is written before the lock opens (no record, no entry) and fsynced right
    // after the relay switches, so the disk flush is not part of tap-to-unlock latency.
    const admits = decision.admits;
    const recorded = recorder.record(
      {
        type: 'access.granted',
        data: { ...who, ...subjectData(decision.subject), admits: admits.map(publicAdmission) },
      },
      true,
    );
    if (!recorded) {
      // decideEntry already counted this tap in the pairing (an escort who "entered"); nobody
      // entered, so it must not escort a visitor who taps once the journal is back.
      d.pairing.clear();
      return this.deny(who, 'journal_unavailable', decision.subject, reader);
    }
    d.lock.unlock('grant', true);
    reader?.feedback('grant');
    recorder.sync();
    d.occupancy.admit(admits, now);
    if (decision.passbackViolation) {
      recorder.record({ type: 'alarm.anti_passback', data: { ...who, ...subjectData(decision.subject) } });
    }
    d.persist();
    d.parts.changed();
    // Listeners (the visit service's first entry) hear of the grant after the door is done with it.
    const result: TapResult = { outcome: 'grant', admits };
    d.emitTap({ ...result, reader: c.readerId });
    return result;
  }

  /** Request-to-exit button. */
  exitRequest(): void {
    // Whoever pressed it may have been an escort: no earlier escort tap may admit a visitor now.
    this.d.pairing.forgetGranted();
    this.d.parts.recorder.record({ type: 'door.exit_request', data: { source: 'exit_button' } });
    this.d.lock.unlock('exit_button');
    this.d.parts.changed();
  }

  private deny(
    data: TapBase & { uid?: string },
    reason: DenyReason,
    subject: Subject | null,
    reader: CredentialReader | undefined,
    detail?: string,
  ): TapResult {
    this.d.parts.recorder.record({
      type: 'access.denied',
      data: { ...data, reason, ...(subject ? subjectData(subject) : {}), ...(detail ? { detail } : {}) },
    });
    reader?.feedback('deny');
    const result: TapResult = { outcome: 'deny', reason };
    this.d.emitTap({ ...result, reader: data.reader });
    return result;
  }

  /** Exit always opens, whatever the credential and whether or not the journal works. */
  private exitByCredential(base: TapBase, uid: string | null, reader?: CredentialReader): TapResult {
    const { d } = this;
    const resolved = uid ? resolveSubject(d.store, uid) : null;
    const badge = uid ? d.store.badgeByUid(uid) : undefined;
    const left = badge ? d.occupancy.leave(badge.id) : undefined;
    // Someone who left cannot escort a visitor who taps after them.
    if (badge) d.pairing.forget(badge.id);
    // Written, then the lock opens, then flushed: exit never waits for the disk (and opens even
    // when the journal is gone).
    d.parts.recorder.record(
      {
        type: 'access.exit',
        data: {
          ...base,
          ...(uid ? { uid: shortUid(uid) } : {}),
          ...(resolved && !('deny' in resolved) ? subjectData(resolved) : { known: false as const }),
          wasInside: left !== undefined,
        },
      },
      true,
    );
    d.lock.unlock('exit', true);
    reader?.feedback('grant');
    d.parts.recorder.sync();
    if (left) this.checkUnescorted();
    d.persist();
    d.parts.changed();
    const result: TapResult = { outcome: 'exit' };
    d.emitTap({ ...result, reader: base.reader });
    return result;
  }

  private checkUnescorted(): void {
    const { d } = this;
    const visits = d.occupancy.unescortedVisits(
      (id) => d.store.visit(id),
      (id) => d.store.user(id),
      d.access,
    );
    for (const v of visits) {
      d.parts.recorder.record({
        type: 'alarm.visitor_unescorted',
        data: { visitId: v.id, visitor: v.visitor.name, escortIds: v.escortIds },
      });
    }
  }

  private schedulePendingExpiry(): void {
    const { d } = this;
    const { timers } = d.parts;
    this.pendingTimer.clear();
    const windowMs = d.access.escortWindowSeconds * 1000;
    const pend = d.pairing.pending();
    if (pend.length === 0) return;
    const due = Math.min(...pend.map((t) => t.mono + windowMs)) - timers.now();
    this.pendingTimer.set(
      () =>
        d.parts.safely(() => {
          for (const t of d.pairing.expire(timers.now(), windowMs)) {
            const reason = expiredPendingReason(t);
            d.parts.recorder.record({
              type: 'access.denied',
              data: {
                reader: t.reader ?? 'unknown',
                direction: 'entry',
                reason,
                kind: t.kind,
                badgeId: t.badgeId,
                ...(t.visitId ? { visitId: t.visitId } : {}),
                ...(t.userId ? { userId: t.userId } : {}),
                name: t.admission.name,
              },
            });
            d.emitTap({ outcome: 'deny', reason, reader: t.reader ?? 'unknown' });
          }
          this.schedulePendingExpiry();
          d.parts.changed();
        }),
      Math.max(1, due + 1),
    );
  }
}
