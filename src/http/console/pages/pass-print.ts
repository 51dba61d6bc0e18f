/**
 * The printable QR pass of a visit: the code (served by the pass API as PNG, same origin), the
 * visitor's name and organisation and the validity. Without a pass yet, a button issues one.
 */
import { type Html, html } from '../html.js';
import { formatDateTime } from '../i18n/format.js';
import { t } from '../i18n/index.js';
import { csrfField, layout, type PageContext } from '../layout.js';
import { paths } from '../paths.js';

export interface PassPrintView {
  visitId: string;
  holder: { name: string; organisation: string };
  /** The pass to print; null: none issued yet (or the last was revoked or ran out). */
  pass: { id: string; notBefore: string; expiresAt: string; imageUrl: string } | null;
  /** The pass service is not running. */
  unavailable: boolean;
}

export function passPrintPage(ctx: PageContext, view: PassPrintView): Html {
  const m = t(ctx.lang);
  const when = (iso: string) => formatDateTime(iso, ctx.lang, ctx.timeZone);
  const p = view.pass;
  const body = view.unavailable
    ? html`<p class="notice">${m.pass.unavailable}</p>`
    : p
      ? html`<section class="panel pass">
<img src="${p.imageUrl}" alt="${m.pass.qrAlt(p.id)}" width="320" height="320">
<dl class="facts">
<dt>${m.visit.organisation}</dt><dd>${view.holder.organisation}</dd>
<dt>${m.pass.validity}</dt><dd>${when(p.notBefore)} – ${when(p.expiresAt)}</dd>
<dt>${m.request.requestNumber}</dt><dd>${view.visitId}</dd>
</dl>
</section>
<div class="actions no-print"><button type="button" data-print hidden>${m.common.print}</button></div>`
      : html`<form method="post" action="${paths.visit(view.visitId)}/pass" class="panel">
${csrfField(ctx.csrfToken)}
<div class="actions"><button type="submit">${m.visit.pass}</button></div>
</form>`;
  return layout(ctx, {
    title: m.pass.title(view.holder.name),
    body: html`${body}<p class="no-print"><a href="${paths.visit(view.visitId)}">${m.pass.back}</a></p>`,
    bodyClass: 'printable',
  });
}
