/**
 * The visitor register: visits whose window starts in a date range (site days), a state and a
 * text filter, 50 a page; the CSV export of the same filter (every row, cells neutralised by
 * csv.ts, NIK masked); the page prints as is. Reads visits.list() (the live store; visits already
 * moved to the monthly archive are not listed yet).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { maskNik } from '../../../domain/nik.js';
import { VISIT_STATES, type Visit, type VisitState } from '../../../domain/types.js';
import type { VisitService } from '../../../services/visit-service.js';
import { ADMINS } from '../../auth.js';
import type { ConsoleKit } from '../context.js';
import { type RegisterFilters, type RegisterRow, registerCsv, registerPage } from '../pages/register.js';
import { paths } from '../paths.js';
import { matchesSearch } from './queue-pages.js';
import { sendPage } from './send.js';
import { dayEnd, dayStart } from './site-day.js';

export const REGISTER_PAGE_SIZE = 50;

export function readFilters(req: FastifyRequest): RegisterFilters & { page: number } {
  const q = (req.query ?? {}) as Record<string, unknown>;
  const str = (k: string, max: number) =>
    typeof q[k] === 'string' ? (q[k] as string).trim().slice(0, max) : '';
  const day = (k: string) => (/^\d{4}-\d{2}-\d{2}$/.test(str(k, 10)) ? str(k, 10) : '');
  const state = str('state', 20);
  const page = Number.parseInt(str('page', 6), 10);
  return {
    from: day('from'),
    to: day('to'),
    state: (VISIT_STATES as readonly string[]).includes(state) ? (state as VisitState) : '',
    q: str('q', 100),
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

/** The visits a filter selects, oldest window first. */
export function registerVisits(
  visits: Pick<VisitService, 'list'>,
  f: RegisterFilters,
  timeZone: string,
): Visit[] {
  const from = f.from ? dayStart(f.from, timeZone) : null;
  const to = f.to ? dayEnd(f.to, timeZone) : null;
  return visits
    .list(f.state ? { state: f.state } : {})
    .filter((v) => (!from || v.window.start >= from) && (!to || v.window.start < to))
    .filter((v) => matchesSearch(v, f.q))
    .sort((a, b) => a.window.start.localeCompare(b.window.start));
}

export function registerRow(v: Visit, name: (id: string) => string): RegisterRow {
  return {
    id: v.id,
    state: v.state,
    visitorName: v.visitor.name,
    organisation: v.visitor.organisation,
    nikMasked: maskNik(v.visitor.nik),
    purpose: v.purpose,
    window: v.window,
    firstEntryAt: v.firstEntryAt,
    exitAt: v.checkOut?.exitAt ?? null,
    escortNames: v.escortIds.map(name),
    devicesIn: v.devicesIn.length,
    devicesOut: v.devicesOut.length,
    letterNumber: v.letterNumber,
    ticketRef: v.ticketRef,
    verifiedBy: v.verification ? name(v.verification.by) : null,
    decidedBy: v.decision ? name(v.decision.by) : null,
  };
}

export const registerPages: FastifyPluginAsync<ConsoleKit> = async (app, kit) => {
  const { visits, users } = kit.deps;
  const namer = () => {
    const names = new Map(users.list().map((u) => [u.id, u.displayName]));
    return (id: string) => names.get(id) ?? id;
  };

  app.get(paths.register, { config: { access: ADMINS } }, async (req, reply) => {
    const { page, ...filters } = readFilters(req);
    const all = registerVisits(visits, filters, kit.timeZone);
    const pageCount = Math.max(1, Math.ceil(all.length / REGISTER_PAGE_SIZE));
    const p = Math.min(page, pageCount);
    const name = namer();
    const rows = all
      .slice((p - 1) * REGISTER_PAGE_SIZE, p * REGISTER_PAGE_SIZE)
      .map((v) => registerRow(v, name));
    const ctx = kit.ctx(req, reply);
    return sendPage(reply, registerPage(ctx, { rows, filters, page: p, pageCount, total: all.length }));
  });

  app.get(paths.registerCsv, { config: { access: ADMINS } }, async (req, reply) => {
    const { page: _page, ...filters } = readFilters(req);
    const name = namer();
    const rows = registerVisits(visits, filters, kit.timeZone).map((v) => registerRow(v, name));
    const lang = kit.ctx(req, reply).lang;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="buku-tamu.csv"')
      .send(registerCsv(lang, kit.timeZone, rows));
  });
};
