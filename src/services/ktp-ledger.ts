/**
 * The KTP custody ledger (SOP 2 and 5): every KTP the office holds, where it is kept and since
 * when, until it is handed back. Received at verification and returned at check-out by the visit
 * service; a KTP kept back is returned here later, as a ledger entry, never a blocked visit.
 */
import { AppError } from '../domain/errors.js';
import { ktpHeld, returnKtp } from '../domain/ktp-custody.js';
import { cleanOptional } from '../domain/personal-data.js';
import { type Actor, actorRef, type Visit } from '../domain/types.js';
import type { Journal } from '../store/journal.js';
import type { StateStore } from '../store/state-store.js';
import { transact } from './transaction.js';

const by = actorRef;

/** A KTP the office holds, as the custody ledger lists it: the visitor's name, never the NIK. */
export interface HeldKtp {
  visitId: string;
  visitor: string;
  organisation: string;
  state: Visit['state'];
  tray: string;
  since: string;
  receivedBy: string;
  keptReason: string | null;
}

export class KtpLedger {
  constructor(private readonly deps: { store: StateStore; journal: Journal; clock: () => Date }) {}

  private get(id: string): Visit {
    const v = this.deps.store.visit(id);
    if (!v) throw new AppError('visit_not_found', { visitId: id });
    return v;
  }

  /** The KTP custody ledger: every KTP still held, oldest first. */
  held(): HeldKtp[] {
    const out: HeldKtp[] = [];
    for (const v of this.deps.store.listVisits()) {
      if (!ktpHeld(v) || !v.ktp) continue;
      out.push({
        visitId: v.id,
        visitor: v.visitor.name,
        organisation: v.visitor.organisation,
        state: v.state,
        tray: v.ktp.tray,
        since: v.ktp.receivedAt,
        receivedBy: this.deps.store.user(v.ktp.receivedBy)?.displayName ?? v.ktp.receivedBy,
        keptReason: v.ktp.keptReason,
      });
    }
    return out.sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0));
  }

  /** A KTP kept past check-out (or of a visit that ended otherwise) handed back. */
  async returnLater(id: string, note: string | null | undefined, actor: Actor): Promise<Visit> {
    return this.deps.store.exclusive(async () => {
      const visit = this.get(id);
      const v = returnKtp(visit, actor, this.deps.clock());
      const why = cleanOptional(note, true);
      await transact(this.deps.store, this.deps.journal, { visits: [v] }, [
        {
          type: 'ktp.returned',
          data: {
            visitId: v.id,
            tray: v.ktp?.tray ?? '',
            late: true,
            by: by(actor),
            ...(why ? { note: why } : {}),
          },
        },
      ]);
      return v;
    });
  }
}
