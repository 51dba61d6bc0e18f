/**
 * Roll call for an evacuation: everyone recorded inside the server room now, with a box to tick
 * on paper. Made to be printed (the print CSS drops everything but the list).
 */
import type { Occupant } from '../../../domain/occupancy.js';
import { type Html, html } from '../html.js';
import { formatDateTime } from '../i18n/format.js';
import { t } from '../i18n/index.js';
import { layout, type PageContext } from '../layout.js';

export interface RollCallView {
  inside: readonly Occupant[];
  names: Readonly<Record<string, string>>;
  /** Organisation per visit id, for visitors. */
  organisations?: Readonly<Record<string, string>>;
}

export function rollCallPage(ctx: PageContext, view: RollCallView): Html {
  const m = t(ctx.lang);
  const r = m.rollCall;
  const when = (iso: string) => formatDateTime(iso, ctx.lang, ctx.timeZone);
  const name = (id: string) => view.names[id] ?? id;
  const body = html`<p>${r.intro}</p>
<p><strong>${r.count(view.inside.length)}</strong> · ${r.generatedAt(when(ctx.now))}</p>
<div class="actions no-print"><button type="button" class="secondary" data-print hidden>${m.common.print}</button></div>
${
  view.inside.length === 0
    ? html`<p class="empty">${r.empty}</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">#</th><th scope="col">${m.door.name}</th><th scope="col">${m.door.kind}</th><th scope="col">${m.visit.organisation}</th>
<th scope="col">${m.door.since}</th><th scope="col">${m.door.escortedBy}</th><th scope="col">${r.present}</th></tr></thead>
<tbody>${view.inside.map(
        (
          o,
          i,
        ) => html`<tr><td>${i + 1}</td><td>${o.name}</td><td>${o.kind === 'staff' ? m.door.staff : m.door.visitor}</td>
<td>${(o.visitId && view.organisations?.[o.visitId]) || m.common.none}</td><td>${when(o.since)}</td>
<td>${(o.escortedBy ?? []).map(name).join(', ') || m.common.none}</td><td><span class="tick-box" role="img" aria-label="${r.present}"></span></td></tr>`,
      )}</tbody></table></div>`
}`;
  return layout(ctx, { title: r.title, body, bodyClass: 'printable' });
}
