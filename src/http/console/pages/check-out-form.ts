/**
 * SOP step 5: the check-out form. It lists the devices declared on entry (ticked when carried
 * out), takes other devices carried out with serials, and shows the reconciliation: declared but
 * not carried out, and carried out but not declared — each of the latter needs a confirmation
 * and a note, as domain/visit-lifecycle.ts checkOutVisit() requires.
 */
import type { Device } from '../../../domain/types.js';
import type { CheckOutInput } from '../../../domain/visit-lifecycle.js';
import {
  applyRowAction,
  deviceRowsFieldset,
  type FormAction,
  type FormBody,
  field,
  formAction,
  parseDeviceRows,
  validateDeviceRows,
} from '../device-rows.js';
import { checkboxField, type FieldErrors, inputField, textareaField } from '../fields.js';
import { type Html, html } from '../html.js';
import { localInputToIso } from '../i18n/format.js';
import type { Messages } from '../i18n/index.js';
import { csrfField, type PageContext } from '../layout.js';
import { paths } from '../paths.js';

export const EXTRA_PREFIX = 'extra';

export interface CheckOutDraft {
  /** Per declared device (same order as visit.devicesIn): carried out? */
  carried: boolean[];
  /** Devices carried out that are not ticked above. */
  extra: Device[];
  /** Per extra row index: the admin's confirmation and note for an undeclared device. */
  confirm: Record<number, { confirmed: boolean; note: string }>;
  exitAt: string;
  badgeReturned: boolean;
  ktpReturned: boolean;
  note: string;
  /** Per declared device (index) not carried out: why it stays inside (a server being installed). */
  leftNotes?: Record<number, string>;
  /** Ticked when the door still records the visitor inside (the service asks for it then). */
  confirmLeftRoom?: boolean;
}

export function emptyCheckOutDraft(declared: readonly Device[]): CheckOutDraft {
  return {
    carried: declared.map(() => true),
    extra: [],
    confirm: {},
    exitAt: '',
    badgeReturned: false,
    ktpReturned: false,
    note: '',
  };
}

const key = (d: Device) => d.serial.trim().toUpperCase();

export interface Reconciliation {
  missing: Device[];
  unexpected: { index: number; device: Device }[];
}

/** The same matching as the domain: by serial, case and spaces ignored. */
export function reconcile(declared: readonly Device[], draft: CheckOutDraft): Reconciliation {
  const out = new Set<string>();
  declared.forEach((d, i) => {
    if (draft.carried[i]) out.add(key(d));
  });
  const declaredKeys = new Set(declared.map(key));
  const unexpected: Reconciliation['unexpected'] = [];
  draft.extra.forEach((d, index) => {
    if (!d.serial) return;
    if (declaredKeys.has(key(d))) out.add(key(d));
    else unexpected.push({ index, device: d });
  });
  return { missing: declared.filter((d) => !out.has(key(d))), unexpected };
}

const on = (body: FormBody, name: string) => field(body, name) === 'true';

export function readCheckOutForm(
  body: FormBody,
  declared: readonly Device[],
): { draft: CheckOutDraft; action: FormAction } {
  const action = formAction(body);
  const rows = parseDeviceRows(body, EXTRA_PREFIX);
  const confirm: CheckOutDraft['confirm'] = {};
  rows.forEach((_, i) => {
    confirm[i] = { confirmed: on(body, `confirm-${i}`), note: field(body, `confirm-${i}-note`) };
  });
  return {
    action,
    draft: {
      carried: declared.map((_, i) => on(body, `out-${i}`)),
      extra: applyRowAction(rows, action, EXTRA_PREFIX),
      confirm,
      exitAt: field(body, 'exitAt'),
      badgeReturned: on(body, 'badgeReturned'),
      ktpReturned: on(body, 'ktpReturned'),
      note: field(body, 'note'),
      confirmLeftRoom: on(body, 'confirmLeftRoom'),
      leftNotes: Object.fromEntries(declared.map((_, i) => [i, field(body, `left-${i}-note`)])),
    },
  };
}

/** The JSON API's CheckOutInput, or field errors to show beside the fields. */
export function checkOutInput(
  m: Messages,
  declared: readonly Device[],
  draft: CheckOutDraft,
  timeZone: string,
): { ok: true; input: CheckOutInput } | { ok: false; errors: FieldErrors } {
  const extra = validateDeviceRows(m, draft.extra, EXTRA_PREFIX);
  const errors: Record<string, string> = { ...extra.errors };
  const exitAt = draft.exitAt ? localInputToIso(draft.exitAt, timeZone) : null;
  if (draft.exitAt && !exitAt) errors['exitAt'] = m.validation.dateTime;
  if (!draft.badgeReturned) errors['badgeReturned'] = m.validation.required;
  if (!draft.ktpReturned) errors['ktpReturned'] = m.validation.required;
  for (const u of reconcile(declared, draft).unexpected) {
    const c = draft.confirm[u.index];
    if (!c?.confirmed) errors[`confirm-${u.index}`] = m.validation.required;
    if (!c?.note) errors[`confirm-${u.index}-note`] = m.validation.required;
  }
  // A declared device that stays inside needs the same explicit note as an unexpected one out.
  const missing = new Set(reconcile(declared, draft).missing.map(key));
  const devicesLeft: { serial: string; note: string }[] = [];
  declared.forEach((d, i) => {
    if (!missing.has(key(d))) return;
    const note = draft.leftNotes?.[i]?.trim() ?? '';
    if (!note) errors[`left-${i}-note`] = m.validation.required;
    else devicesLeft.push({ serial: d.serial, note });
  });
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const declaredKeys = new Set(declared.map(key));
  const devicesOut: CheckOutInput['devicesOut'] = [
    ...declared.filter((_, i) => draft.carried[i]),
    ...extra.devices.map((d) => {
      if (declaredKeys.has(key(d))) return d;
      const i = draft.extra.indexOf(d);
      return { ...d, confirmUnexpected: true, note: draft.confirm[i]?.note ?? null };
    }),
  ];
  return {
    ok: true,
    input: {
      exitAt,
      devicesOut,
      ...(devicesLeft.length ? { devicesLeft } : {}),
      badgeReturned: true,
      ktpReturned: true,
      note: draft.note || null,
    },
  };
}

const deviceText = (d: Device) => `${d.type} — ${d.model} — ${d.serial}`;

export function checkOutForm(
  ctx: PageContext,
  m: Messages,
  visitId: string,
  declared: readonly Device[],
  draft: CheckOutDraft,
  errors: FieldErrors = {},
  /** The door still records the visitor inside: the admin confirms the room was checked. */
  visitorInside = false,
): Html {
  const v = m.visit;
  const rec = reconcile(declared, draft);
  return html`<section class="panel" aria-labelledby="checkout-title">
<h2 id="checkout-title">${v.checkOutTitle}</h2>
<form method="post" action="${paths.visitAction(visitId, 'check-out')}" novalidate>
${csrfField(ctx.csrfToken)}
<button type="submit" name="action" value="submit" class="default-submit" tabindex="-1">${v.checkOut}</button>
<fieldset><legend>${v.declared}</legend>
${
  declared.length === 0
    ? html`<p class="empty">${v.noDevices}</p>`
    : declared.map((d, i) =>
        checkboxField({
          m,
          name: `out-${i}`,
          label: `${v.carriedOut}: ${deviceText(d)}`,
          checked: draft.carried[i] ?? false,
        }),
      )
}
</fieldset>
${deviceRowsFieldset(m, { prefix: EXTRA_PREFIX, legend: v.extraDevices, rows: draft.extra, errors })}
<section aria-labelledby="rec-title">
<h3 id="rec-title">${v.reconciliation}</h3>
<p>${v.missing}:</p>
${
  rec.missing.length
    ? html`<ul>${rec.missing.map((d) => {
        const i = declared.findIndex((x) => key(x) === key(d));
        return html`<li>${deviceText(d)}
${inputField({ m, name: `left-${i}-note`, label: v.leftInsideNote(d.serial), value: draft.leftNotes?.[i] ?? '', maxlength: 200, required: true, error: errors[`left-${i}-note`] })}</li>`;
      })}</ul>`
    : html`<p class="empty">${m.common.none}</p>`
}
<p>${v.unexpected}:</p>
${
  rec.unexpected.length === 0
    ? html`<p class="empty">${m.common.none}</p>`
    : rec.unexpected.map(
        (u) => html`<div class="notice">
<p>${deviceText(u.device)}</p>
${checkboxField({ m, name: `confirm-${u.index}`, label: v.confirmUnexpected(u.device.serial), checked: draft.confirm[u.index]?.confirmed ?? false, required: true, error: errors[`confirm-${u.index}`] })}
${textareaField({ m, name: `confirm-${u.index}-note`, label: v.unexpectedNote(u.device.serial), value: draft.confirm[u.index]?.note, required: true, maxlength: 500, error: errors[`confirm-${u.index}-note`] })}
</div>`,
      )
}
</section>
${inputField({ m, name: 'exitAt', label: v.exitAt, type: 'datetime-local', value: draft.exitAt, hint: v.exitAtHint, error: errors['exitAt'] })}
${visitorInside ? checkboxField({ m, name: 'confirmLeftRoom', label: v.confirmLeftRoom, checked: draft.confirmLeftRoom ?? false, required: true, error: errors['confirmLeftRoom'] }) : ''}
${checkboxField({ m, name: 'badgeReturned', label: v.badgeReturned, checked: draft.badgeReturned, required: true, error: errors['badgeReturned'] })}
${checkboxField({ m, name: 'ktpReturned', label: v.ktpReturned, checked: draft.ktpReturned, required: true, error: errors['ktpReturned'] })}
${textareaField({ m, name: 'note', label: `${m.common.note} (${m.common.optional})`, value: draft.note, maxlength: 500 })}
<div class="actions"><button type="submit" name="action" value="submit">${v.checkOut}</button></div>
</form>
</section>`;
}
