/**
 * One visit: summary, the form for the step the viewer may take now (from
 * domain/visit-lifecycle.ts availableSteps()), the devices and the history.
 */
import type { NikCheck } from '../../../domain/nik.js';
import type { Device, Role, VisitStep } from '../../../domain/types.js';
import type { FieldErrors } from '../fields.js';
import { type Html, html } from '../html.js';
import { formatDateTime } from '../i18n/format.js';
import { type Messages, t } from '../i18n/index.js';
import { layout, type PageContext } from '../layout.js';
import type { ConsoleVisit } from '../view-types.js';
import { stateBadge } from '../widgets.js';
import { type CheckOutDraft, checkOutForm, emptyCheckOutDraft } from './check-out-form.js';
import {
  type BadgeChoice,
  cancelForm,
  closeForm,
  decisionForm,
  type EscortChoice,
  issueBadgeForm,
  type VerifyDraft,
  verifyForm,
} from './visit-forms.js';

export interface VisitDetailView {
  visit: ConsoleVisit;
  /** availableSteps(visit, viewer.role). */
  nextSteps: readonly VisitStep[];
  viewer: { id: string; role: Role };
  /** Display names by user id (verifier, decider, escorts, history). */
  names: Readonly<Record<string, string>>;
  nikCheck: NikCheck | null;
  /** Where the KTP is held, once verified. */
  ktpTray?: string | null;
  freeBadges: readonly BadgeChoice[];
  escorts: readonly EscortChoice[];
  /** Values and errors of the form just posted, to show it again. */
  draft?: {
    verify?: VerifyDraft;
    reason?: string;
    badge?: { badgeId?: string; escortIds?: string[] };
    checkOut?: CheckOutDraft;
  };
  errors?: FieldErrors;
  /** The door still records this visitor inside (check-out then asks for a confirmation). */
  visitorInside?: boolean;
  /** Where the printable QR pass is, once a badge is issued. */
  passHref?: string | null;
}

function devices(m: Messages, list: readonly Device[]): Html {
  if (list.length === 0) return html`<p class="empty">${m.visit.noDevices}</p>`;
  return html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${m.request.deviceType}</th><th scope="col">${m.request.deviceModel}</th><th scope="col">${m.request.deviceSerial}</th></tr></thead>
<tbody>${list.map((d) => html`<tr><td>${d.type}</td><td>${d.model}</td><td>${d.serial}</td></tr>`)}</tbody>
</table></div>`;
}

function summary(ctx: PageContext, m: Messages, view: VisitDetailView): Html {
  const v = view.visit;
  const name = (id: string) => view.names[id] ?? id;
  const when = (iso: string | null | undefined) => formatDateTime(iso, ctx.lang, ctx.timeZone);
  return html`<section class="panel" aria-labelledby="summary-title">
<h2 id="summary-title">${m.visit.summary}</h2>
<dl class="facts">
<dt>${m.common.state}</dt><dd>${stateBadge(m, v.state)}</dd>
<dt>${m.visit.organisation}</dt><dd>${v.visitor.organisation}</dd>
<dt>${m.visit.nik}</dt><dd>${v.visitor.nikMasked}</dd>
<dt>${m.visit.phone}</dt><dd>${v.visitor.phoneMasked}</dd>
<dt>${m.visit.purpose}</dt><dd>${v.purpose}</dd>
<dt>${m.visit.window}</dt><dd>${when(v.window.start)} – ${when(v.window.end)}</dd>
<dt>${m.visit.letter}</dt><dd>${v.letterNumber}</dd>
<dt>${m.visit.ticket}</dt><dd>${v.ticketRef ?? m.common.none}</dd>
${view.ktpTray ? html`<dt>${m.visit.ktpTray}</dt><dd>${view.ktpTray}</dd>` : ''}
${v.verification ? html`<dt>${m.step.verify}</dt><dd>${m.visit.verifiedBy(name(v.verification.by), when(v.verification.at))}</dd>` : ''}
${v.decision ? html`<dt>${m.step.approve}</dt><dd>${m.visit.decidedBy(v.decision.approved, name(v.decision.by), when(v.decision.at))}${v.decision.reason ? html`<br>${v.decision.reason}` : ''}</dd>` : ''}
${v.escortIds.length ? html`<dt>${m.visit.escorts}</dt><dd>${v.escortIds.map(name).join(', ')}</dd>` : ''}
${v.firstEntryAt ? html`<dt>${m.visit.firstEntry}</dt><dd>${when(v.firstEntryAt)}</dd>` : ''}
${v.checkOut ? html`<dt>${m.visit.exitAt}</dt><dd>${when(v.checkOut.exitAt)}</dd>` : ''}
</dl>
</section>`;
}

function history(ctx: PageContext, m: Messages, view: VisitDetailView): Html {
  return html`<section aria-labelledby="history-title">
<h2 id="history-title">${m.visit.history}</h2>
<div class="table-wrap"><table>
<thead><tr><th scope="col">${m.visit.at}</th><th scope="col">${m.common.state}</th><th scope="col">${m.visit.by}</th><th scope="col">${m.common.reason}</th></tr></thead>
<tbody>${view.visit.history.map(
    (h) =>
      html`<tr><td>${formatDateTime(h.at, ctx.lang, ctx.timeZone)}</td><td>${m.step[h.step]}</td><td>${h.by.name}</td><td>${h.reason ?? ''}</td></tr>`,
  )}</tbody>
</table></div>
</section>`;
}

function stepForms(ctx: PageContext, m: Messages, view: VisitDetailView): Html[] {
  const v = view.visit;
  const can = (s: VisitStep) => view.nextSteps.includes(s);
  const d = view.draft ?? {};
  const e = view.errors ?? {};
  const out: Html[] = [];
  if (can('verify')) out.push(verifyForm(ctx, m, v.id, view.nikCheck, d.verify, e));
  if (can('approve') || can('reject') || (v.state === 'verified' && view.viewer.role === 'superadmin')) {
    const viewerIsVerifier = v.verification?.by === view.viewer.id;
    out.push(decisionForm(ctx, m, v.id, { viewerIsVerifier, reason: d.reason ?? '', errors: e }));
  }
  if (can('issue_badge')) {
    out.push(
      issueBadgeForm(ctx, m, v.id, {
        freeBadges: view.freeBadges,
        escorts: view.escorts,
        ...d.badge,
        errors: e,
      }),
    );
  }
  if (can('check_out'))
    out.push(
      checkOutForm(
        ctx,
        m,
        v.id,
        v.devicesIn,
        d.checkOut ?? emptyCheckOutDraft(v.devicesIn),
        e,
        view.visitorInside ?? false,
      ),
    );
  if (can('close')) out.push(closeForm(ctx, m, v.id));
  if (can('cancel')) out.push(cancelForm(ctx, m, v.id, e));
  return out;
}

export function visitDetailPage(ctx: PageContext, view: VisitDetailView): Html {
  const m = t(ctx.lang);
  const v = view.visit;
  const body = html`${summary(ctx, m, view)}
${view.passHref ? html`<p class="actions"><a class="button secondary" href="${view.passHref}">${m.visit.pass}</a></p>` : ''}
${stepForms(ctx, m, view)}
<section aria-labelledby="devices-in-title"><h2 id="devices-in-title">${m.visit.devicesIn}</h2>${devices(m, v.devicesIn)}</section>
${v.devicesOut.length ? html`<section aria-labelledby="devices-out-title"><h2 id="devices-out-title">${m.visit.devicesOut}</h2>${devices(m, v.devicesOut)}</section>` : ''}
${history(ctx, m, view)}`;
  return layout(ctx, { title: m.visit.title(v.visitor.name), body });
}
