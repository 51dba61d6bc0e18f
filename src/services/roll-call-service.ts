/**
 * Runs the emergency roll call (domain/roll-call.ts): opens by itself when the door goes to
 * emergency_release, or when an admin calls one; marks; closes with an end report in the journal.
 * The open roll call is kept in its own durable file (<dataDir>/roll-call.json) so a restart in
 * the middle of an evacuation keeps the marks; every change is journaled first (rollcall.*).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../domain/errors.js';
import { closeRollCall, markPeople, openRollCall, type RollCall } from '../domain/roll-call.js';
import { type Actor, actorRef, type DoorMode } from '../domain/types.js';
import type { DoorController, DoorSnapshot } from '../door/door-controller.js';
import { DurableJSONFile } from '../store/durable-file.js';
import type { Journal } from '../store/journal.js';
import type { KtpLedger } from './ktp-ledger.js';

const SYSTEM = { id: 'system', name: 'door' };

export interface RollCallDeps {
  door: DoorController;
  journal: Journal;
  ktp: Pick<KtpLedger, 'held'>;
  dataDir: string;
  clock: () => Date;
  logger?: Logger | undefined;
}

export class RollCallService {
  private current: RollCall | null = null;
  private lastClosed: RollCall | null = null;
  private mode: DoorMode = 'normal';
  private readonly file: DurableJSONFile<{ current: RollCall | null }>;
  private queue: Promise<unknown> = Promise.resolve();

  private readonly onState = (s: DoorSnapshot) => {
    const was = this.mode;
    this.mode = s.mode;
    if (s.mode === 'emergency_release' && was !== 'emergency_release' && !this.current) {
      this.run(() => this.openNow('emergency_release', SYSTEM)).catch((err: unknown) =>
        this.deps.logger?.error({ err }, 'roll call not opened'),
      );
    }
  };

  constructor(private readonly deps: RollCallDeps) {
    this.file = new DurableJSONFile(join(deps.dataDir, 'roll-call.json'));
  }

  async start(): Promise<void> {
    this.current = (await this.file.read())?.current ?? null;
    this.mode = this.deps.door.getMode();
    this.deps.door.on('state', this.onState);
  }

  stop(): void {
    this.deps.door.off('state', this.onState);
  }

  /** The open roll call, else the last one closed since start (for its report), else null. */
  get(id?: string): RollCall | null {
    const rc = this.current ?? this.lastClosed;
    if (id !== undefined && rc?.id !== id) throw new AppError('roll_call_not_found', { rollCallId: id });
    return rc;
  }

  open(actor: Actor): Promise<RollCall> {
    return this.run(() => this.openNow('manual', actorRef(actor)));
  }

  mark(
    id: string,
    ids: { badgeIds?: string[]; visitIds?: string[] },
    safe: boolean,
    actor: Actor,
  ): Promise<RollCall> {
    return this.run(async () => {
      const rc = this.openOne(id);
      const r = markPeople(rc, ids, safe, actorRef(actor), this.deps.clock());
      this.deps.journal.append({
        type: 'rollcall.marked',
        data: { rollCallId: rc.id, ids: r.marked, safe, by: actorRef(actor) },
      });
      await this.save(r.rollCall);
      return r.rollCall;
    });
  }

  close(id: string, actor: Actor): Promise<RollCall> {
    return this.run(async () => {
      const rc = this.openOne(id);
      const r = closeRollCall(rc, actorRef(actor), this.deps.clock());
      this.deps.journal.append({
        type: 'rollcall.closed',
        data: {
          rollCallId: rc.id,
          by: actorRef(actor),
          total: r.total,
          safe: r.safe,
          unaccounted: r.unaccounted,
        },
      });
      await this.save(null);
      this.lastClosed = r.rollCall;
      return r.rollCall;
    });
  }

  private openOne(id: string): RollCall {
    if (this.current?.id === id) return this.current;
    if (this.lastClosed?.id === id) throw new AppError('roll_call_closed', { rollCallId: id });
    throw new AppError('roll_call_not_found', { rollCallId: id });
  }

  private async openNow(trigger: RollCall['trigger'], by: { id: string; name: string }): Promise<RollCall> {
    if (this.current) throw new AppError('roll_call_open', { rollCallId: this.current.id });
    const rc = openRollCall(
      `apl_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      trigger,
      by,
      this.deps.door.snapshot().inside,
      this.deps.ktp.held(),
      this.deps.clock(),
    );
    // Journal first: a roll call nobody can read back did not happen.
    this.deps.journal.append({
      type: 'rollcall.opened',
      data: {
        rollCallId: rc.id,
        trigger,
        by,
        people: rc.people.map(({ id, kind, name, badgeId, visitId, reason }) => ({
          id,
          kind,
          name,
          badgeId,
          visitId,
          reason,
        })),
      },
    });
    await this.save(rc);
    return rc;
  }

  private async save(rc: RollCall | null): Promise<void> {
    this.current = rc;
    await this.file.write({ current: rc });
  }

  /** One change at a time: two marshals marking at once both land. */
  private run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
