/**
 * The visit service's bookkeeping of what the door did: a visit's first grant is SOP step 4
 * (visit → in_progress, `visit.entered`); a visitor's exit (access.exit, already journaled) is
 * kept on the visit for the register; grants the door found in the journal at start that were
 * never booked (a crash between the grant and this bookkeeping) are booked at their own time.
 * The relay has already switched: each booking is queued behind any procedure step in progress
 * (store.exclusive) so both see the same visit.
 */

import type { Logger } from 'pino';
import type { Admission } from '../domain/admission.js';
import type { JournalEvent } from '../domain/events.js';
import { recordFirstEntry } from '../domain/visit-lifecycle.js';
import type { DoorController, TapEvent } from '../door/door-controller.js';
import type { Journal } from '../store/journal.js';
import type { StateStore } from '../store/state-store.js';

export class VisitsAtTheDoor {
  constructor(
    private readonly deps: {
      store: StateStore;
      journal: Journal;
      door: DoorController;
      clock: () => Date;
      logger?: Logger | undefined;
    },
  ) {}

  start(): void {
    this.deps.door.on('tap', this.onTap);
    this.deps.door.on('replayedFirstEntries', this.onReplayed);
    this.deps.journal.on('appended', this.onAppended);
  }

  stop(): void {
    this.deps.door.off('tap', this.onTap);
    this.deps.door.off('replayedFirstEntries', this.onReplayed);
    this.deps.journal.off('appended', this.onAppended);
  }

  private readonly onTap = (t: TapEvent) => {
    if (t.outcome === 'grant') this.recordFirstEntries(t.admits, this.deps.clock());
  };

  private readonly onAppended = (ev: JournalEvent) => {
    if (ev.type === 'access.exit' && typeof ev.data.visitId === 'string') {
      this.recordExit(ev.data.visitId, ev.at);
    }
  };

  private readonly onReplayed = (entries: { visitId: string; at: string }[]): void => {
    for (const e of entries)
      this.recordFirstEntries(
        [{ badgeId: '', kind: 'visitor', userId: null, visitId: e.visitId, name: '' }],
        new Date(e.at),
      );
  };

  private recordExit(visitId: string, at: string): void {
    void this.deps.store
      .exclusive(async () => {
        const v = this.deps.store.visit(visitId);
        if (!v || (v.state !== 'in_progress' && v.state !== 'badge_issued')) return;
        await this.deps.store.commit({ visits: [{ ...v, lastExitAt: at }] });
      })
      .catch((err: unknown) => this.deps.logger?.error({ err, visitId }, 'exit time not saved'));
  }

  /** A later grant of the same visit finds it in_progress and does nothing. */
  private recordFirstEntries(admits: Admission[], now: Date): void {
    for (const a of admits) {
      if (!a.visitId) continue;
      const visitId = a.visitId;
      void this.deps.store
        .exclusive(async () => {
          const visit = this.deps.store.visit(visitId);
          if (visit?.state !== 'badge_issued') return;
          const next = recordFirstEntry(visit, now);
          await this.deps.store.commit({ visits: [next] });
          this.deps.journal.append({
            type: 'visit.entered',
            data: { visitId, state: next.state, at: now.toISOString() },
          });
        })
        .catch((err: unknown) => this.deps.logger?.error({ err, visitId }, 'first entry not saved'));
    }
  }
}
