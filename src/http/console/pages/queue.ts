/**
 * The desk queue: open visits grouped by state, with the SOP's service-level timers — submit to
 * verify within 15 minutes (step 1), verify to decision within 10 (step 2) — ticking and turning
 * late, and a search box (GET, so it works without JavaScript and can be bookmarked).
 */
import type { VisitState } from '../../../domain/types.js';
import { type Html, html } from '../html.js';
import { formatDateTime } from '../i18n/format.js';
import { t } from '../i18n/index.js';
import { layout, type PageContext } from '../layout.js';
import { paths } from '../paths.js';
import { stateBadge, timer } from '../widgets.js';

export interface QueueRow {
  id: string;
  state: VisitState;
  visitorName: string;
  organisation: string;
  purpose: string;
  window: { start: string; end: string };
  submittedAt: string;
  verifiedAt: string | null;
}

export interface QueueView {
  rows: readonly QueueRow[];
  query: string;
  /** From config (SlaTargets). */
  sla: { submitToVerifyMinutes: number; verifyToDecisionMinutes: number };
}

/** The states the desk works on, in the order of the procedure. */
export const QUEUE_STATES: readonly VisitState[] = [
  'submitted',
  'verified',
  'approved',
  'badge_issued',
  'in_progress',
  'checked_out',
];

function waiting(ctx: PageContext, row: QueueRow, view: QueueView): Html | string {
  const m = t(ctx.lang);
  if (row.state === 'submitted') {
    const min = view.sla.submitToVerifyMinutes;
    return html`${timer(row.submittedAt, ctx.now, min * 60_000, m.queue.target(min))} <span class="hint">${m.queue.target(min)}</span>`;
  }
  if (row.state === 'verified' && row.verifiedAt) {
    const min = view.sla.verifyToDecisionMinutes;
    return html`${timer(row.verifiedAt, ctx.now, min * 60_000, m.queue.target(min))} <span class="hint">${m.queue.target(min)}</span>`;
  }
  return m.common.none;
}

function group(ctx: PageContext, state: VisitState, rows: readonly QueueRow[], view: QueueView): Html {
  const m = t(ctx.lang);
  const headId = `q-${state}`;
  return html`<section aria-labelledby="${headId}">
<h2 id="${headId}">${m.state[state]} <span class="hint">(${m.queue.count(rows.length)})</span></h2>
<div class="table-wrap"><table>
<thead><tr><th scope="col">${m.queue.visitor}</th><th scope="col">${m.visit.purpose}</th><th scope="col">${m.queue.window}</th><th scope="col">${m.queue.waiting}</th><th scope="col"><span class="visually-hidden">${m.common.details}</span></th></tr></thead>
<tbody>${rows.map(
    (r) => html`<tr>
<td>${r.visitorName}<br><span class="hint">${r.organisation}</span></td>
<td>${r.purpose}</td>
<td>${formatDateTime(r.window.start, ctx.lang, ctx.timeZone)} – ${formatDateTime(r.window.end, ctx.lang, ctx.timeZone)}</td>
<td>${waiting(ctx, r, view)}</td>
<td><a href="${paths.visit(r.id)}">${m.queue.open}<span class="visually-hidden"> ${r.visitorName} ${stateBadge(m, r.state)}</span></a></td>
</tr>`,
  )}</tbody>
</table></div>
</section>`;
}

export function queuePage(ctx: PageContext, view: QueueView): Html {
  const m = t(ctx.lang);
  const groups = QUEUE_STATES.map((s) => [s, view.rows.filter((r) => r.state === s)] as const).filter(
    ([, rows]) => rows.length > 0,
  );
  const body = html`<form method="get" action="${paths.queue}" class="search" role="search">
<div class="field"><label for="q">${m.queue.searchLabel}</label><input id="q" name="q" type="search" value="${view.query}" maxlength="100"></div>
<button type="submit">${m.common.search}</button>
</form>
${groups.length === 0 ? html`<p class="empty">${m.queue.empty}</p>` : groups.map(([s, rows]) => group(ctx, s, rows, view))}`;
  return layout(ctx, { title: m.queue.title, body });
}
