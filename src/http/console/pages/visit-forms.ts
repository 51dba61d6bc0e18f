/**
 * The step forms on a visit's page: verification (SOP step 2), the Super Admin's decision with
 * the separation-of-duties notice (step 3), badge issue with escorts (step 3), close and cancel.
 */
import type { NikCheck } from '../../../domain/nik.js';
import { checkboxField, type FieldErrors, inputField, selectField, textareaField } from '../fields.js';
import { type Html, html } from '../html.js';
import type { Messages } from '../i18n/index.js';
import { csrfField, type PageContext } from '../layout.js';
import { paths } from '../paths.js';

/** The NIK check the route ran on the full NIK (which never reaches the page). */
function nikResult(m: Messages, check: NikCheck | null): Html {
  const v = m.visit;
  if (!check) return html``;
  const pad = (n: number) => String(n).padStart(2, '0');
  const text = check.ok
    ? v.nikOk(
        check.sex === 'M' ? v.sexM : v.sexF,
        `${pad(check.birthDate.day)}-${pad(check.birthDate.month)}-${pad(check.birthDate.yy)}`,
      )
    : m.nikRule[check.rule];
  return html`<div class="${check.ok ? 'notice nik-ok' : 'notice nik-bad'}" role="${check.ok ? 'status' : 'alert'}">
<p><strong>${v.nikCheck}:</strong> ${text}</p><p class="hint">${v.nikNote}</p></div>`;
}

export interface VerifyDraft {
  formComplete?: boolean;
  ktpHeld?: boolean;
  ktpTray?: string;
  note?: string;
}

export function verifyForm(
  ctx: PageContext,
  m: Messages,
  visitId: string,
  nikCheck: NikCheck | null,
  draft: VerifyDraft = {},
  errors: FieldErrors = {},
): Html {
  const v = m.visit;
  return html`<section class="panel" aria-labelledby="verify-title">
<h2 id="verify-title">${v.verifyTitle}</h2>
${nikResult(m, nikCheck)}
<form method="post" action="${paths.visitAction(visitId, 'verify')}">
${csrfField(ctx.csrfToken)}
${checkboxField({ m, name: 'formComplete', label: v.formComplete, checked: draft.formComplete ?? false, required: true, error: errors['formComplete'] })}
${checkboxField({ m, name: 'ktpHeld', label: v.ktpHeld, checked: draft.ktpHeld ?? false, required: true, error: errors['ktpHeld'] })}
${inputField({ m, name: 'ktpTray', label: v.ktpTray, value: draft.ktpTray, maxlength: 20, required: true, error: errors['ktpTray'] })}
${textareaField({ m, name: 'note', label: `${m.common.note} (${m.common.optional})`, value: draft.note, maxlength: 500 })}
<div class="actions"><button type="submit">${v.verify}</button></div>
</form>
</section>`;
}

export function decisionForm(
  ctx: PageContext,
  m: Messages,
  visitId: string,
  o: { viewerIsVerifier: boolean; reason?: string; errors?: FieldErrors },
): Html {
  const v = m.visit;
  if (o.viewerIsVerifier) {
    return html`<section class="panel" aria-labelledby="decide-title">
<h2 id="decide-title">${v.decisionTitle}</h2>
<p class="notice" role="note">${v.separationOfDuties}</p>
</section>`;
  }
  const e = o.errors ?? {};
  return html`<section class="panel" aria-labelledby="decide-title">
<h2 id="decide-title">${v.decisionTitle}</h2>
<form method="post" action="${paths.visitAction(visitId, 'approve')}">
${csrfField(ctx.csrfToken)}
${textareaField({ m, name: 'reason', label: m.common.reason, value: o.reason, maxlength: 500, hint: v.rejectReasonHint, error: e['reason'] })}
<div class="actions">
<button type="submit">${v.approve}</button>
<button type="submit" class="danger" formaction="${paths.visitAction(visitId, 'reject')}" data-confirm="${m.common.confirmAction}">${v.reject}</button>
</div>
</form>
</section>`;
}

export interface BadgeChoice {
  id: string;
  label: string;
}
export interface EscortChoice {
  id: string;
  displayName: string;
}

export function issueBadgeForm(
  ctx: PageContext,
  m: Messages,
  visitId: string,
  o: {
    freeBadges: readonly BadgeChoice[];
    escorts: readonly EscortChoice[];
    badgeId?: string;
    escortIds?: readonly string[];
    errors?: FieldErrors;
  },
): Html {
  const v = m.visit;
  const e = o.errors ?? {};
  if (o.freeBadges.length === 0) {
    return html`<section class="panel" aria-labelledby="badge-title"><h2 id="badge-title">${v.badgeTitle}</h2><p class="notice">${v.noFreeBadges}</p></section>`;
  }
  const chosen = new Set(o.escortIds ?? []);
  return html`<section class="panel" aria-labelledby="badge-title">
<h2 id="badge-title">${v.badgeTitle}</h2>
<form method="post" action="${paths.visitAction(visitId, 'issue-badge')}">
${csrfField(ctx.csrfToken)}
${selectField({ m, name: 'badgeId', label: v.badge, value: o.badgeId, required: true, error: e['badgeId'], options: o.freeBadges.map((b) => ({ value: b.id, label: b.label })) })}
<fieldset${e['escortIds'] ? html` aria-describedby="escorts-error"` : ''}>
<legend>${v.escorts}</legend>
<p class="hint">${v.escortsHint}</p>
${e['escortIds'] ? html`<p class="field-error" id="escorts-error">${e['escortIds']}</p>` : ''}
${o.escorts.map((s) =>
  checkboxField({
    m,
    name: 'escortIds',
    id: `escort-${s.id}`,
    value: s.id,
    label: s.displayName,
    checked: chosen.has(s.id),
  }),
)}
</fieldset>
<div class="actions"><button type="submit">${v.issue}</button></div>
</form>
</section>`;
}

export function closeForm(ctx: PageContext, m: Messages, visitId: string): Html {
  return html`<form method="post" action="${paths.visitAction(visitId, 'close')}" class="panel">
${csrfField(ctx.csrfToken)}
${textareaField({ m, name: 'note', label: `${m.common.note} (${m.common.optional})`, maxlength: 500 })}
<div class="actions"><button type="submit">${m.visit.close}</button></div>
</form>`;
}

export function cancelForm(ctx: PageContext, m: Messages, visitId: string, errors: FieldErrors = {}): Html {
  return html`<form method="post" action="${paths.visitAction(visitId, 'cancel')}" class="panel" data-confirm="${m.visit.cancelConfirm}">
${csrfField(ctx.csrfToken)}
${textareaField({ m, name: 'reason', id: 'cancel-reason', label: m.visit.cancelReason, required: true, maxlength: 500, error: errors['reason'] })}
<div class="actions"><button type="submit" class="danger">${m.visit.cancel}</button></div>
</form>`;
}
