/**
 * The visitor register ("buku tamu"): every visit in a date range, filterable by state and text,
 * paged with links that keep the filters, exportable as CSV (same filters, same auth hook) and
 * printable (print CSS hides the navigation and the filter form).
 */
import { VISIT_STATES, type VisitState } from '../../../domain/types.js';
import { type CsvValue, toCsv } from '../csv.js';
import { selectField } from '../fields.js';
import { type Html, html, safeUrl } from '../html.js';
import { formatDateTime } from '../i18n/format.js';
import { type Lang, type Messages, t } from '../i18n/index.js';
import { layout, type PageContext } from '../layout.js';
import { paths, withQuery } from '../paths.js';
import { stateBadge } from '../widgets.js';

export interface RegisterRow {
  id: string;
  state: VisitState;
  visitorName: string;
  organisation: string;
  nikMasked: string;
  purpose: string;
  window: { start: string; end: string };
  firstEntryAt: string | null;
  exitAt: string | null;
  escortNames: readonly string[];
  devicesIn: number;
  devicesOut: number;
  letterNumber?: string;
  ticketRef?: string | null;
  /** Display names of who verified and who decided (approved or rejected). */
  verifiedBy?: string | null;
  decidedBy?: string | null;
}

export interface RegisterFilters {
  /** yyyy-mm-dd in the site zone, as a date input gives it. */
  from: string;
  to: string;
  state: VisitState | '';
  q: string;
}

export interface RegisterView {
  rows: readonly RegisterRow[];
  filters: RegisterFilters;
  page: number;
  pageCount: number;
  total: number;
}

function filterQuery(f: RegisterFilters, page?: number): Record<string, string | number | undefined> {
  return { from: f.from, to: f.to, state: f.state, q: f.q, page: page && page > 1 ? page : undefined };
}

function paging(m: Messages, view: RegisterView): Html {
  if (view.pageCount <= 1) return html``;
  const link = (page: number, label: string, rel: string) =>
    html`<a href="${safeUrl(withQuery(paths.register, filterQuery(view.filters, page)))}" rel="${rel}">${label}</a>`;
  return html`<nav class="paging" aria-label="${m.register.paging}"><p>
${view.page > 1 ? link(view.page - 1, m.register.previous, 'prev') : ''}
<span aria-current="page">${m.register.pageOf(view.page, view.pageCount)}</span>
${view.page < view.pageCount ? link(view.page + 1, m.register.next, 'next') : ''}
</p></nav>`;
}

function filters(m: Messages, f: RegisterFilters): Html {
  return html`<form method="get" action="${paths.register}" class="search">
<div class="field"><label for="r-from">${m.register.from}</label><input id="r-from" name="from" type="date" value="${f.from}"></div>
<div class="field"><label for="r-to">${m.register.to}</label><input id="r-to" name="to" type="date" value="${f.to}"></div>
${selectField({ m, name: 'state', id: 'r-state', label: m.common.state, value: f.state, options: [{ value: '', label: m.register.anyState }, ...VISIT_STATES.map((s) => ({ value: s, label: m.state[s] }))] })}
<div class="field"><label for="r-q">${m.queue.searchLabel}</label><input id="r-q" name="q" type="search" value="${f.q}" maxlength="100"></div>
<button type="submit">${m.register.filter}</button>
</form>`;
}

export function registerPage(ctx: PageContext, view: RegisterView): Html {
  const m = t(ctx.lang);
  const r = m.register;
  const when = (iso: string | null) => formatDateTime(iso, ctx.lang, ctx.timeZone);
  const body = html`${filters(m, view.filters)}
<div class="actions no-print">
<a class="button secondary" href="${safeUrl(withQuery(paths.registerCsv, filterQuery(view.filters)))}" download>${r.csv}</a>
<button type="button" class="secondary" data-print hidden>${m.common.print}</button>
</div>
<p>${r.total(view.total)}</p>
${
  view.rows.length === 0
    ? html`<p class="empty">${r.empty}</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${r.visitor}</th><th scope="col">${r.nik}</th><th scope="col">${r.purpose}</th><th scope="col">${r.letter} / ${r.ticket}</th><th scope="col">${m.common.state}</th><th scope="col">${r.verifiedBy} / ${r.approvedBy}</th>
<th scope="col">${r.entered}</th><th scope="col">${r.exited}</th><th scope="col">${r.escorts}</th><th scope="col">${r.devices}</th></tr></thead>
<tbody>${view.rows.map(
        (row) => html`<tr>
<td><a href="${paths.visit(row.id)}">${row.visitorName}</a><br><span class="hint">${row.organisation}</span></td>
<td>${row.nikMasked}</td><td>${row.purpose}</td><td>${row.letterNumber ?? ''}<br><span class="hint">${row.ticketRef ?? m.common.none}</span></td>
<td>${stateBadge(m, row.state)}</td><td>${row.verifiedBy ?? m.common.none}<br>${row.decidedBy ?? m.common.none}</td>
<td>${when(row.firstEntryAt)}</td><td>${when(row.exitAt)}</td><td>${row.escortNames.join(', ') || m.common.none}</td>
<td>${row.devicesIn} / ${row.devicesOut}</td>
</tr>`,
      )}</tbody></table></div>`
}
${paging(m, view)}`;
  return layout(ctx, { title: r.title, body, bodyClass: 'printable' });
}

/** The CSV export of the same rows (masked NIK, as on screen), with a BOM for Excel. */
export function registerCsv(lang: Lang, timeZone: string, rows: readonly RegisterRow[]): string {
  const m = t(lang);
  const r = m.register;
  const when = (iso: string | null) => (iso ? formatDateTime(iso, lang, timeZone) : '');
  const header = [
    r.visitor,
    r.organisation,
    r.nik,
    r.purpose,
    r.letter,
    r.ticket,
    m.common.state,
    r.verifiedBy,
    r.approvedBy,
    m.visit.window,
    r.entered,
    r.exited,
    r.escorts,
    m.visit.devicesIn,
    m.visit.devicesOut,
  ];
  const body: CsvValue[][] = rows.map((row) => [
    row.visitorName,
    row.organisation,
    row.nikMasked,
    row.purpose,
    row.letterNumber ?? '',
    row.ticketRef ?? '',
    m.state[row.state],
    row.verifiedBy ?? '',
    row.decidedBy ?? '',
    `${when(row.window.start)} – ${when(row.window.end)}`,
    when(row.firstEntryAt),
    when(row.exitAt),
    row.escortNames.join(', '),
    row.devicesIn,
    row.devicesOut,
  ]);
  return toCsv(header, body, { bom: true });
}
