/**
 * Reading visits for the queue, the register and CSV: filters (state, dates, text), paging, and
 * register rows with the names of who verified, approved and escorted. Sorted once per change of
 * the store, not per request: records are immutable and their sort keys never change, so one pass
 * over the ids puts replaced records in their place; only a new or removed visit re-sorts.
 */
import { AppError } from '../domain/errors.js';
import {
  type Device,
  type DeviceLeft,
  type DeviceOut,
  VISIT_STATES,
  type Visit,
  type VisitState,
} from '../domain/types.js';
import type { StateStore } from '../store/state-store.js';

export interface VisitQuery {
  state?: string | undefined;
  /** ISO date (YYYY-MM-DD, a day in Asia/Jakarta) or date-time: the visit window's start, inclusive. */
  from?: string | undefined;
  /** ISO date (the whole day, Asia/Jakarta) or date-time (inclusive): the visit window's start. */
  to?: string | undefined;
  /** Case-insensitive text over visitor name, organisation, letter number and ticket. */
  q?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface RegisterRow {
  visitId: string;
  state: VisitState;
  name: string;
  organisation: string;
  purpose: string;
  letterNumber: string;
  ticketRef: string | null;
  window: { start: string; end: string };
  verifiedBy: string | null;
  approvedBy: string | null;
  escorts: string[];
  firstEntryAt: string | null;
  exitAt: string | null;
  devicesIn: Device[];
  devicesOut: DeviceOut[];
  devicesLeft: DeviceLeft[];
  badgeReturned: boolean | null;
  ktpReturned: boolean | null;
}

export const MAX_PAGE = 200;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
/** Asia/Jakarta has no daylight saving: a WIB day starts at 17:00 UTC the day before. */
const WIB_OFFSET = '+07:00';

/** A bound as epoch ms; a date-only `to` covers its whole day. */
export function parseBound(field: 'from' | 'to', s: string | undefined): number | null {
  if (!s) return null;
  const dayOnly = DAY_RE.test(s);
  const t = new Date(dayOnly ? `${s}T00:00:00${WIB_OFFSET}` : s).getTime();
  if (Number.isNaN(t)) throw new AppError('validation_failed', { field, rule: 'ISO date or date-time' });
  return dayOnly && field === 'to' ? t + 86_400_000 - 1 : t;
}

type Sorted = { order: Visit[]; pos: Map<string, number> };

export class VisitRegister {
  private readonly text = new WeakMap<Visit, string>();
  private readonly start = new WeakMap<Visit, number>();
  private byCreated: Sorted | null = null;
  private byStart: Sorted | null = null;

  constructor(private readonly store: StateStore) {}

  /** The queue: newest request first. */
  search(query: VisitQuery): Page<Visit> {
    this.byCreated = this.sorted(this.byCreated, (a, b) =>
      a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0,
    );
    return this.page(this.byCreated.order, query);
  }

  /** The register (buku register): by the visit's date, latest first, one row per visit. */
  register(query: VisitQuery): Page<RegisterRow> {
    this.byStart = this.sorted(this.byStart, (a, b) => this.startOf(b) - this.startOf(a));
    const p = this.page(this.byStart.order, query);
    return { ...p, items: p.items.map((v) => this.row(v)) };
  }

  private page(order: Visit[], query: VisitQuery): Page<Visit> {
    const state = query.state;
    if (state !== undefined && !(VISIT_STATES as readonly string[]).includes(state)) {
      throw new AppError('validation_failed', {
        field: 'state',
        rule: 'unknown state',
        allowed: VISIT_STATES,
      });
    }
    const from = parseBound('from', query.from);
    const to = parseBound('to', query.to);
    const q = query.q?.trim().toLowerCase() || null;
    const limit = Math.min(Math.max(query.limit ?? 50, 1), MAX_PAGE);
    const offset = Math.max(query.offset ?? 0, 0);
    const items: Visit[] = [];
    let total = 0;
    for (const v of order) {
      if (state && v.state !== state) continue;
      if (from !== null || to !== null) {
        const s = this.startOf(v);
        if ((from !== null && s < from) || (to !== null && s > to)) continue;
      }
      if (q && !this.textOf(v).includes(q)) continue;
      if (total >= offset && items.length < limit) items.push(v);
      total++;
    }
    return { items, total, limit, offset };
  }

  private sorted(prev: Sorted | null, cmp: (a: Visit, b: Visit) => number): Sorted {
    const all = this.store.listVisits();
    if (prev && prev.pos.size === all.length) {
      // The sort keys (createdAt, window start) never change once submitted: a replaced record
      // takes its old place, so a step on one visit costs one pass, not a sort.
      let same = true;
      for (const v of all) {
        const i = prev.pos.get(v.id);
        if (i === undefined) {
          same = false;
          break;
        }
        if (prev.order[i] !== v) prev.order[i] = v;
      }
      if (same) return prev;
    }
    const order = all.sort(cmp);
    return { order, pos: new Map(order.map((v, i) => [v.id, i])) };
  }

  private startOf(v: Visit): number {
    let t = this.start.get(v);
    if (t === undefined) {
      t = new Date(v.window.start).getTime();
      this.start.set(v, t);
    }
    return t;
  }

  private textOf(v: Visit): string {
    let t = this.text.get(v);
    if (t === undefined) {
      t = [v.visitor.name, v.visitor.organisation, v.letterNumber, v.ticketRef ?? '']
        .join('\n')
        .toLowerCase();
      this.text.set(v, t);
    }
    return t;
  }

  private row(v: Visit): RegisterRow {
    const stepBy = (step: string) => v.history.find((t) => t.step === step)?.by.name ?? null;
    return {
      visitId: v.id,
      state: v.state,
      name: v.visitor.name,
      organisation: v.visitor.organisation,
      purpose: v.purpose,
      letterNumber: v.letterNumber,
      ticketRef: v.ticketRef,
      window: v.window,
      verifiedBy: stepBy('verify'),
      approvedBy: stepBy('approve'),
      escorts: v.escortIds.map((id) => this.store.user(id)?.displayName ?? id),
      firstEntryAt: v.firstEntryAt,
      exitAt: v.lastExitAt ?? v.checkOut?.exitAt ?? null,
      devicesIn: v.devicesIn,
      devicesOut: v.devicesOut,
      devicesLeft: v.devicesLeft ?? [],
      badgeReturned: v.checkOut?.badgeReturned ?? null,
      ktpReturned: v.checkOut?.ktpReturned ?? null,
    };
  }
}
